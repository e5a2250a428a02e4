"""Show or manage the incremental crawl state of a spider (stats, --reset, --expire DAYS)."""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path

from newscrawl.incremental.lock import LockBusy, RunLock, lock_path_for
from newscrawl.incremental.stores import open_state, state_path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `newscrawl state`."""
    parser.add_argument("spider", help="spider name (its state file is NEWSCRAWL_STATE)")
    parser.add_argument("--path", default=None, help="state file (default: from the settings)")
    parser.add_argument("--reset", action="store_true", help="forget every URL")
    parser.add_argument("--expire", type=float, metavar="DAYS", default=None,
                        help="forget URLs not seen in the last DAYS days")
    parser.add_argument("--url", action="append", default=[], metavar="URL",
                        help="print the record of this article URL (repeatable)")


def _settings():  # noqa: ANN202 - scrapy Settings
    """The project's settings over newscrawl's defaults (no crawler runs the add-on here)."""
    import os

    from scrapy.utils.conf import closest_scrapy_cfg
    from scrapy.utils.project import get_project_settings

    from newscrawl.addon import apply_defaults

    settings = get_project_settings()
    if "SCRAPY_SETTINGS_MODULE" not in os.environ and not closest_scrapy_cfg():
        settings.setmodule("newscrawl.settings", priority="project")  # outside a project
    apply_defaults(settings)
    return settings


def resolve_path(spider: str, path: str | None = None) -> Path:
    """The spider's state file: `path`, or the project's NEWSCRAWL_STATE setting."""
    if path:
        return Path(path)
    settings = _settings()
    return Path(state_path(settings.get("NEWSCRAWL_STATE"), spider,
                           settings.get("NEWSCRAWL_STATE_BACKEND")))


def run(args: argparse.Namespace) -> int:
    """Print the state's stats as JSON after applying --reset / --expire."""
    path = resolve_path(args.spider, args.path)
    if not path.exists() and not (args.reset or args.expire is not None):
        print(f"newscrawl state: no state for {args.spider!r} at {path}", file=sys.stderr)
        return 1
    backend = _settings().get("NEWSCRAWL_STATE_BACKEND")
    if args.expire is not None and args.expire < 0:
        print(f"newscrawl state: --expire must be 0 or more days, got {args.expire:g}",
              file=sys.stderr)
        return 2
    lock = RunLock(lock_path_for(path))
    if args.reset or args.expire is not None:
        try:
            lock.acquire()  # never change the state under a running crawl
        except LockBusy as exc:
            print(f"newscrawl state: {exc}; not changing the state", file=sys.stderr)
            return 75  # EX_TEMPFAIL
        except OSError as exc:
            print(f"newscrawl state: cannot take the run lock beside {path}: {exc}",
                  file=sys.stderr)
            return 2
    try:
        return _show(args, path, backend)
    except (sqlite3.DatabaseError, OSError) as exc:
        print(f"newscrawl state: cannot use the state file {path}: {exc}", file=sys.stderr)
        return 1
    finally:
        lock.release()


def _show(args: argparse.Namespace, path: Path, backend: str | None) -> int:
    """Apply --reset / --expire, then print the state's stats and the asked records as JSON."""
    from newscrawl.incremental.tracker import state_key

    report: dict[str, object] = {}
    with open_state(path, backend) as state:
        if args.reset:
            state.reset()
            report["reset"] = True
        if args.expire is not None:
            report["expired"] = state.expire_days(args.expire)
        report.update(state.stats())
        for url in args.url:
            record = state.get(state_key(url))
            report.setdefault("records", []).append(  # type: ignore[union-attr]
                vars(record) if record else {"url": url, "known": False})
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0
