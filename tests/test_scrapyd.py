"""Scheduling through a real scrapyd: deploy the project with scrapyd-deploy, run `wp` on the
miniature portal through schedule.json, read the job's items from scrapyd's items_dir."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from newscrawl.devtools.portal_server import PortalServer

ROOT = Path(__file__).resolve().parent.parent
PORTAL = ROOT / "fixtures" / "portal"
ARTICLE_PATHS = {e["path"] for e in json.loads((PORTAL / "_expected.json").read_text("utf-8"))}
PROJECT_FILES = ("newscrawl", "pyproject.toml", "setup.py", "scrapy.cfg", "README.md")

pytestmark = pytest.mark.timeout(300)


def free_port() -> int:
    """A port free on 127.0.0.1 right now (scrapyd is told to use it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(base: str, endpoint: str, data: dict | None = None) -> dict:
    """GET (or POST `data` to) one scrapyd JSON endpoint."""
    body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
    with urllib.request.urlopen(base + endpoint, data=body, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture
def scrapyd(tmp_path: Path):
    """A scrapyd on 127.0.0.1 with its eggs, logs, items and databases under tmp_path."""
    if shutil.which("scrapyd") is None or shutil.which("scrapyd-deploy") is None:
        pytest.skip("scrapyd and scrapyd-client are not installed (pip install '.[test]')")
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        "bind_address = 127.0.0.1\n"
        f"http_port = {port}\n"
        f"eggs_dir = {home / 'eggs'}\n"
        f"logs_dir = {home / 'logs'}\n"
        f"items_dir = {home / 'items'}\n"
        f"dbs_dir = {home / 'dbs'}\n"
        "max_proc = 2\n"
        "poll_interval = 0.2\n", encoding="utf-8")
    proc = subprocess.Popen([shutil.which("scrapyd")], cwd=home, stdout=subprocess.DEVNULL,
                            stderr=(home / "scrapyd.err").open("wb"))
    base = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while True:
        try:
            assert call(base, "daemonstatus.json")["status"] == "ok"
            break
        except OSError:
            assert proc.poll() is None, (home / "scrapyd.err").read_text()
            assert time.monotonic() < deadline, "scrapyd did not start"
            time.sleep(0.2)
    try:
        yield base, home
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def deploy(base: str, tmp_path: Path) -> None:
    """`scrapyd-deploy` from a copy of the project whose [deploy] target is this scrapyd."""
    project = tmp_path / "project"
    project.mkdir()
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__", "demo_portal"))
        else:
            shutil.copy(source, project / name)
    cfg = (project / "scrapy.cfg").read_text(encoding="utf-8")
    assert "[deploy]" in cfg
    cfg = "\n".join(f"url = {base}" if line.startswith("url") else line
                    for line in cfg.splitlines())
    (project / "scrapy.cfg").write_text(cfg + "\n", encoding="utf-8")
    out = subprocess.run([shutil.which("scrapyd-deploy"), "--version", "r1"], cwd=project,
                         capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["status"] == "ok", out.stdout


def run_job(base: str, home: Path, **args: str) -> list[dict]:
    """Schedule `wp`, wait (bounded) for the job to finish, return its items."""
    settings = ["NEWSCRAWL_RENDER_ENABLED=False", "DOWNLOAD_DELAY=0",
                "AUTOTHROTTLE_ENABLED=False", f"NEWSCRAWL_STATE={home / 'state-%(name)s.sqlite'}"]
    job = call(base, "schedule.json",
               {"project": "newscrawl", "spider": "wp", "setting": settings, **args})
    assert job["status"] == "ok", job
    jobid = job["jobid"]
    deadline = time.monotonic() + 180
    while True:
        jobs = call(base, "listjobs.json?project=newscrawl")
        if any(j["id"] == jobid for j in jobs["finished"]):
            break
        assert time.monotonic() < deadline, f"job {jobid} did not finish: {jobs}"
        time.sleep(0.3)
    log = (home / "logs" / "newscrawl" / "wp" / f"{jobid}.log").read_text(encoding="utf-8")
    assert "'finish_reason': 'finished'" in log, log[-3000:]
    items = home / "items" / "newscrawl" / "wp" / f"{jobid}.jl"
    if not items.exists():
        return []
    return [json.loads(line) for line in items.read_text(encoding="utf-8").splitlines()]


def test_deploy_and_schedule_on_scrapyd(scrapyd, tmp_path: Path) -> None:
    base, home = scrapyd
    deploy(base, tmp_path)
    assert "wp" in call(base, "listspiders.json?project=newscrawl")["spiders"]
    with PortalServer(PORTAL) as portal:
        first = run_job(base, home, base_url=portal.url, incremental="1")
        assert {urllib.parse.urlsplit(r["url"]).path for r in first} == ARTICLE_PATHS
        assert len(first) == len(ARTICLE_PATHS)
        assert all(r["headline"] and r["body"] for r in first)
        # A second scheduled run with the same state emits nothing new.
        second = run_job(base, home, base_url=portal.url, incremental="1")
        assert second == []
    assert (home / "state-wp.sqlite").exists()
