"""Run lock: two scheduled runs of the same spider never overlap.

An exclusive, non-blocking `flock` on a file beside the crawl state. The kernel drops the lock
when the holding process exits, even after SIGKILL, so a crashed run never leaves a stale lock;
the file only carries the holder's pid and start time for the "run skipped" message.
"""

from __future__ import annotations

import fcntl
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


class LockBusy(RuntimeError):
    """Another process holds the run lock; the message says which and since when."""


#: Locks this process holds, by resolved path: taking one again in-process is a no-op
#: (`newscrawl crawl` and the `newscrawl.crawl.preflight` add-on lock before any feed is opened; the
#: incremental tracker's own lock check then passes).
_HELD: dict[Path, RunLock] = {}


class RunLock:
    """An exclusive lock on `path`, held from `acquire()` until `release()` or process exit."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._fd: int | None = None
        self._nested = False

    def acquire(self) -> RunLock:
        """Take the lock or raise `LockBusy` at once (never waits)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        key = self.path.resolve()
        if key in _HELD and _HELD[key] is not self:
            self._nested = True
            return self
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 200).decode("utf-8", "replace").strip()
            os.close(fd)
            detail = f" (held by {holder})" if holder else ""
            raise LockBusy(f"another run holds {self.path}{detail}") from None
        os.ftruncate(fd, 0)
        stamp = datetime.now(UTC).replace(microsecond=0).isoformat()
        os.write(fd, f"pid {os.getpid()} since {stamp}\n".encode())
        self._fd = fd
        _HELD[key] = self
        return self

    @property
    def held(self) -> bool:
        """True while this object (or, nested, this process) holds the lock."""
        return self._fd is not None or self._nested

    def release(self) -> None:
        """Give the lock up (the file stays; its content is stale from then on)."""
        self._nested = False
        if self._fd is not None:
            _HELD.pop(self.path.resolve(), None)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def lock_path_for(state_file: str | Path) -> Path:
    """The lock file of a spider: its state file's name with `.lock` appended, same folder."""
    state_file = Path(state_file)
    return state_file.with_name(state_file.name + ".lock")


def run_lock_for(settings: Any, spider_name: str) -> RunLock:
    """The run lock of a spider: beside its state file (setting NEWSCRAWL_STATE)."""
    from newscrawl.incremental.stores import state_path

    template = settings.get("NEWSCRAWL_STATE")
    location = state_path(template, spider_name, settings.get("NEWSCRAWL_STATE_BACKEND"))
    return RunLock(lock_path_for(location))
