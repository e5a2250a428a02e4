"""The `newscrawl` command never reports failure as success, and a user's mistake is one line.

Every case runs the console command as a subprocess: exit status, a single stderr line without
a traceback, and for crawls, that no feed's run report claims success. Loopback only.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newscrawl.crawl.report import run_failed

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent
SEED_PAGE = ROOT / "fixtures" / "pages" / "wp" / "seed-article.html"
FAST = ["-s", "DOWNLOAD_TIMEOUT=2", "-s", "RETRY_TIMES=0", "-s", "TELNETCONSOLE_ENABLED=0",
        "-s", "NEWSCRAWL_RENDER_ENABLED=0", "--no-incremental"]


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (extra.pop("front", ""), str(TESTS), str(ROOT),
                                                    env.get("PYTHONPATH", "")) if p)
    env.update(extra)
    return env


def _cli(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newscrawl.cli", *args], cwd=cwd,
                          env=_env(**env), capture_output=True, text=True, encoding="utf-8",
                          timeout=180)


def _one_line(proc: subprocess.CompletedProcess[str], prefix: str) -> str:
    """The single stderr line, checked to start with `prefix` and to hold no traceback."""
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr[-3000:]
    assert lines[0].startswith(prefix), lines[0]
    return lines[0]


def _closed_port() -> int:
    """A loopback port nothing listens on: bound, read back, closed."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -------------------------------------------------------------------------- the failure rule
@pytest.mark.parametrize(("stats", "expected"), [
    ({"finish_reason": "finished", "item_scraped_count": 3}, None),
    ({"finish_reason": "limit", "item_scraped_count": 5}, None),
    ({"finish_reason": "closespider_itemcount", "item_scraped_count": 5},
     "finish reason 'closespider_itemcount'"),  # cut short: incomplete
    ({"finish_reason": "finished"}, None),  # nothing new, nothing wrong: an incremental run
    ({"finish_reason": "shutdown", "item_scraped_count": 2}, "finish reason 'shutdown'"),
    ({}, "did not run to its end"),
    ({"finish_reason": "skipped_locked"}, "skipped: another run of the spider holds its run lock"),
    ({"finish_reason": "feed_unwritable"}, "refused: a feed cannot be written"),
    ({"finish_reason": "finished",
      "downloader/exception_type_count/scrapy.exceptions.DownloadConnectionRefusedError": 4},
     "portal unreachable: no response, 4 download errors (DownloadConnectionRefusedError 4)"),
    ({"finish_reason": "finished", "response_received_count": 3, "newscrawl/errors/http_404": 3},
     "no article and 3 errors (http_404 3)"),
    ({"finish_reason": "finished", "item_scraped_count": 9,
      "feedexport/failed_count/FileFeedStorage": 1}, "1 feed(s) could not be stored"),
])
def test_run_failed_rule(stats: dict, expected: str | None) -> None:
    failure = run_failed(stats)
    if expected is None:
        assert failure is None
    else:
        assert failure is not None and expected in failure


# -------------------------------------------------------------------------- newscrawl crawl
@pytest.mark.parametrize(("args", "message"), [
    (["news"], "invalid argument: the generic spider needs -a url="),
    (["news", "-a", "url=http://127.0.0.1:9/", "-a", "limit=abc"],
     "invalid argument: limit must be a whole number, got 'abc'"),
    (["wp", "-a", "since=yesterday"], "invalid argument: not a time: 'yesterday'"),
    (["wp", "-a", "url=ftp://127.0.0.1/"], "invalid argument: url must be an http(s) URL"),
    (["wp", "-a", "limit"], "-a expects NAME=VALUE, got 'limit'"),
    (["wp", "-s", "DOWNLOAD_DELAY"], "-s expects NAME=VALUE, got 'DOWNLOAD_DELAY'"),
    (["wp", "--formats", "jsonl,xls"], "unknown format 'xls'"),
    (["wp", "-L", "loud"], "unknown log level 'loud'"),
    (["no-such-spider"], "no spider named 'no-such-spider'"),
    (["wp", "--expire", "soon"], "argument --expire: invalid float value: 'soon'"),
    (["wp", "-s", "NEWSCRAWL_EXTRACT_WORKERS=two"],
     "setting NEWSCRAWL_EXTRACT_WORKERS expects an integer, got 'two'"),
    (["wp", "-s", "NEWSCRAWL_PROGRESS_INTERVAL=often"],
     "setting NEWSCRAWL_PROGRESS_INTERVAL expects a number, got 'often'"),
    (["wp", "-s", "NEWSCRAWL_ALLOW_PRIVATE_ADDRESSES=maybe"],
     "setting NEWSCRAWL_ALLOW_PRIVATE_ADDRESSES expects true or false (1/0), got 'maybe'"),
])
def test_crawl_argument_mistakes_are_one_line_exit_2(tmp_path: Path, args: list[str],
                                                     message: str) -> None:
    proc = _cli("crawl", *args, "--out", "feeds", cwd=tmp_path)
    assert proc.returncode == 2
    line = _one_line(proc, "newscrawl crawl: ")
    assert message in line
    assert not (tmp_path / "feeds").exists()  # refused before anything started


def test_crawl_without_spider_name_is_one_line(tmp_path: Path) -> None:
    proc = _cli("crawl", cwd=tmp_path)
    assert proc.returncode == 2
    assert "required: spider" in _one_line(proc, "newscrawl crawl: ")


def test_unwritable_out_is_refused_before_the_crawl(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the output folder should go", encoding="utf-8")
    port = _closed_port()
    proc = _cli("crawl", "news", "-a", f"url=http://127.0.0.1:{port}/", *FAST,
                "--out", str(blocker / "feeds"), "--formats", "jsonl,csv", cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "Spider opened" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 2  # one per feed
    assert all(line.startswith("newscrawl crawl: cannot write feed ") for line in lines)
    assert all("blocker" in line for line in lines)
    assert blocker.read_text(encoding="utf-8").startswith("a file")


def test_unreachable_portal_exits_1_and_its_report_says_failed(tmp_path: Path) -> None:
    port = _closed_port()
    proc = _cli("crawl", "news", "-a", f"url=http://127.0.0.1:{port}/", *FAST,
                "--out", "feeds", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr[-3000:]
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("newscrawl crawl: run failed: portal unreachable: no response")
    assert "FAILED: portal unreachable" in proc.stdout
    reports = list((tmp_path / "feeds").glob("*.stats.json"))
    assert reports  # the feed is there, and its report does not claim success
    for path in reports:
        report = json.loads(path.read_text(encoding="utf-8"))
        assert report["failed"] is True
        assert report["failure"].startswith("portal unreachable")
        assert report["articles"] == 0 and report["feed"]["items"] == 0


def test_plain_scrapy_crawl_refuses_a_setting_of_the_wrong_type_without_a_traceback(
        tmp_path: Path) -> None:
    feed = tmp_path / "out.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"url=http://127.0.0.1:{_closed_port()}/",
         *FAST[:-1], "-s", "NEWSCRAWL_EXTRACT_WORKERS=two", "-O", str(feed)], cwd=ROOT,
        env=_env(), capture_output=True, text=True, timeout=180)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert ("Run of 'news' refused: setting NEWSCRAWL_EXTRACT_WORKERS expects an integer, got "
            "'two'") in proc.stderr
    assert "Crawled 0 pages" in proc.stderr or "downloader/request_count" not in proc.stderr
    assert not feed.exists()  # refused before the feeds opened


def test_extraction_workers_under_another_reactor_are_one_error_line_not_a_traceback(
        tmp_path: Path) -> None:
    feed = tmp_path / "out.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "news", "-a",
         f"url=http://127.0.0.1:{_closed_port()}/", *FAST[:-1], "-s",
         "TWISTED_REACTOR=twisted.internet.selectreactor.SelectReactor", "-s",
         "NEWSCRAWL_EXTRACT_WORKERS=2", "-O", str(feed)], cwd=ROOT, env=_env(),
        capture_output=True, text=True, timeout=180)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert "NEWSCRAWL_EXTRACT_WORKERS needs the asyncio reactor" in proc.stderr
    assert not feed.exists()


def test_plain_scrapy_crawl_report_says_failed(tmp_path: Path) -> None:
    port = _closed_port()
    feed = tmp_path / "out.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"url=http://127.0.0.1:{port}/",
         *FAST[:-1], "-O", str(feed)], cwd=ROOT, env=_env(), capture_output=True, text=True,
        timeout=180)
    report = json.loads((tmp_path / "out.jsonl.stats.json").read_text(encoding="utf-8"))
    assert report["failed"] is True, proc.stderr[-3000:]
    assert report["failure"].startswith("portal unreachable: no response")
    assert report["finish_reason"] == "finished"  # existing fields kept
    assert "Run failed: portal unreachable" in proc.stderr
    assert "FAILED: portal unreachable" in proc.stderr


def test_ctrl_c_exits_130_with_a_failed_report(tmp_path: Path) -> None:
    with socket.socket() as server:  # accepts connections, never answers
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        server.settimeout(60)
        port = server.getsockname()[1]
        proc = subprocess.Popen(
            [sys.executable, "-m", "newscrawl.cli", "crawl", "news",
             "-a", f"url=http://127.0.0.1:{port}/", *FAST, "--out", "feeds"],
            cwd=tmp_path, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            conn, _ = server.accept()  # the crawl is running: its first request arrived
            time.sleep(0.2)
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=120)
            conn.close()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert proc.returncode == 130, err[-3000:]
    # Scrapy may log a download's traceback; the command itself does not end in one
    assert "KeyboardInterrupt" not in err and "newscrawl/cli.py" not in err
    assert err.strip().splitlines()[-1] == ("newscrawl crawl: run failed: interrupted "
                                             "(finish reason 'shutdown')")
    for path in (tmp_path / "feeds").glob("*.stats.json"):
        assert json.loads(path.read_text(encoding="utf-8"))["failed"] is True


# -------------------------------------------------------------------------- newscrawl extract
def test_extract_inputs_without_article_fail_and_good_ones_still_print(tmp_path: Path) -> None:
    (tmp_path / "a-good.html").write_bytes(SEED_PAGE.read_bytes())
    (tmp_path / "b-empty.html").write_bytes(b"")
    (tmp_path / "c-noarticle.html").write_text("<html><body><p>hello</p></body></html>",
                                               encoding="utf-8")
    (tmp_path / "d-binary.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (tmp_path / "e-headline-only.html").write_text(
        "<html><head><title>T</title></head><body><h1>Only a headline here</h1></body></html>",
        encoding="utf-8")
    (tmp_path / "f-folder.html").mkdir()  # a folder: searched, not read as a page
    proc = _cli("extract", str(tmp_path), "--url",
                "https://wiadomosci.wp.pl/iwanow-nowa-wspolpraca-z-nato-6033771225355905a",
                cwd=tmp_path)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    *lines, summary = proc.stderr.strip().splitlines()
    assert len(lines) == 4, proc.stderr
    assert all(line.startswith("newscrawl extract: ") for line in lines)
    assert "b-empty.html: empty file" in lines[0]
    assert "c-noarticle.html: no article found" in lines[1]
    assert "d-binary.html: not an HTML document" in lines[2]
    assert "e-headline-only.html: no article found (no body paragraphs)" in lines[3]
    assert summary.startswith("1 articles, 4 failed, 0 skipped in ")
    record = json.loads(proc.stdout)  # exactly one record: the good page
    assert record["headline"] and record["body"]


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "empty file"), (b"   \n", "empty file"),
    (b"<html><body><div>menu</div></body></html>", "no article found"),
])
def test_extract_single_input_without_article(tmp_path: Path, content: bytes,
                                              reason: str) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(content)
    proc = _cli("extract", str(page), cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stdout == ""  # no record that breaks the schema
    assert reason in _one_line(proc, "newscrawl extract: ")


@pytest.mark.parametrize(("args", "status", "message"), [
    (["--portal", "nosuch"], 2, "unknown portal 'nosuch'; known: "),
    (["--format", "xml"], 2, "argument --format: invalid choice: 'xml'"),
])
def test_extract_argument_mistakes(tmp_path: Path, args: list[str], status: int,
                                   message: str) -> None:
    proc = _cli("extract", str(SEED_PAGE), *args, cwd=tmp_path)
    assert proc.returncode == status
    assert message in _one_line(proc, "newscrawl extract: ")


def test_extract_missing_input_and_empty_folder(tmp_path: Path) -> None:
    proc = _cli("extract", "no/such/page.html", cwd=tmp_path)
    assert proc.returncode == 2
    assert "no such file or folder" in _one_line(proc, "newscrawl extract: ")
    (tmp_path / "empty").mkdir()
    proc = _cli("extract", "empty", cwd=tmp_path)
    assert proc.returncode == 2
    assert "no .html or .htm file in empty" in _one_line(proc, "newscrawl extract: ")


# -------------------------------------------------------------------------- newscrawl state
@pytest.mark.parametrize(("args", "status", "message"), [
    (["--path", "junk.sqlite"], 1, "cannot use the state file junk.sqlite: file is not a database"),
    (["--path", "blocker/state.sqlite", "--reset"], 2, "cannot take the run lock beside"),
    (["--path", "fresh.sqlite", "--expire", "-1"], 2, "--expire must be 0 or more days"),
    (["--path", "missing.sqlite"], 1, "no state for 'wp' at missing.sqlite"),
])
def test_state_mistakes_are_one_line(tmp_path: Path, args: list[str], status: int,
                                     message: str) -> None:
    (tmp_path / "junk.sqlite").write_text("not a database, just text\n" * 100, encoding="utf-8")
    (tmp_path / "blocker").write_text("not a folder", encoding="utf-8")
    proc = _cli("state", "wp", *args, cwd=tmp_path)
    assert proc.returncode == status
    assert message in _one_line(proc, "newscrawl state: ")


# -------------------------------------------------------------------------- demo and evaluate
def test_demo_on_a_busy_port_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        proc = _cli("demo", "--port", str(port), "--output", "out", cwd=tmp_path)
    assert proc.returncode == 2
    assert f"cannot serve on 127.0.0.1 port {port}" in _one_line(proc, "newscrawl demo: ")


@pytest.mark.parametrize(("args", "message"), [
    (["--port", "99999"], "port must be between 0 and 65535"),
    (["--port", "http"], "port must be a whole number"),
    (["--log-level", "loud"], "unknown log level 'loud'"),
    (["--output", "blocker/out"], "cannot create the output folder"),
])
def test_demo_argument_mistakes(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "blocker").write_text("not a folder", encoding="utf-8")
    proc = _cli("demo", *args, cwd=tmp_path)
    assert proc.returncode == 2
    assert message in _one_line(proc, "newscrawl demo: ")


def test_evaluate_missing_reference_library_is_one_line(tmp_path: Path) -> None:
    blocked = tmp_path / "blocked" / "trafilatura"  # shadows the installed package
    blocked.mkdir(parents=True)
    (blocked / "__init__.py").write_text("raise ImportError('No module named trafilatura')\n",
                                         encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "cases.jsonl").write_text("", encoding="utf-8")
    proc = _cli("evaluate", "--corpus", str(corpus), "--reference", "trafilatura", cwd=tmp_path,
                front=str(tmp_path / "blocked"))
    assert proc.returncode == 2
    line = _one_line(proc, "newscrawl evaluate: ")
    assert "needs the trafilatura package" in line and "pip install trafilatura" in line


@pytest.mark.parametrize(("make", "args", "message"), [
    (False, [], "no such corpus folder"),
    (True, [], "no case in"),
    (True, ["--jobs", "0"], "argument --jobs: expected at least 1"),
    (True, ["--limit", "x"], "argument --limit: expected a whole number"),
    (True, ["--per-case", "blocker/cases.jsonl"], "cannot write blocker/cases.jsonl"),
])
def test_evaluate_mistakes_are_one_line(tmp_path: Path, make: bool, args: list[str],
                                        message: str) -> None:
    corpus = tmp_path / "corpus"
    (tmp_path / "blocker").write_text("not a folder", encoding="utf-8")
    if make:
        corpus.mkdir()
        (corpus / "cases.jsonl").write_text("" if "--per-case" not in args else json.dumps(
            {"id": "x", "source": "s", "html": "x.html.gz", "truth": {}}) + "\n",
            encoding="utf-8")
    proc = _cli("evaluate", "--corpus", str(corpus), *args, cwd=tmp_path)
    assert proc.returncode == 2
    assert message in _one_line(proc, "newscrawl evaluate: ")
