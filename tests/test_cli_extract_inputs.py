"""`newscrawl extract` inputs × outputs: a URL on a local server, stdin, a nested folder and a list
file, each in every format, read back; --out, --jobs, robots.txt, failures and the summary."""

from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FIXTURES, PORTAL

from newscrawl.devtools.portal_server import PortalServer
from newscrawl.output.exporters import split_txt_feed

PAGES = FIXTURES / "pages"
FORMATS = ("json", "jsonl", "csv", "txt")
ARTICLE = "rzad-przedstawia-wyniki-kontroli-6000000000000103a"
OTHER = "nato-podsumowuje-pierwsze-polrocze-6000000000000125a"


def _run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "newscrawl.cli", "extract", *args],
                          input=stdin, capture_output=True, timeout=120)


def _headlines(fmt: str, out: bytes, many: bool) -> list[str]:
    """Headlines read back from an output in `fmt`, with the reader a user would take."""
    text = out.decode("utf-8")
    if fmt == "json":
        data = json.loads(text)
        if not many:
            assert isinstance(data, dict)
            return [data["headline"]]
        assert isinstance(data, list)
        return [r["headline"] for r in data]
    if fmt == "jsonl":
        return [json.loads(line)["headline"] for line in text.splitlines()]
    if fmt == "csv":
        return [row["headline"] for row in csv.DictReader(io.StringIO(text))]
    return [block.split("\n", 1)[0] for block in split_txt_feed(text)]


def _expected(page: Path) -> str:
    return json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))["expected"]["headline"]


@pytest.fixture(scope="module")
def server() -> Iterator[PortalServer]:
    with PortalServer(PORTAL) as srv:
        yield srv


@pytest.fixture
def nested(tmp_path: Path) -> Path:
    """The portal fixture pages in a nested folder, one gzip-compressed, plus files to ignore."""
    root = tmp_path / "saved"
    for page in sorted(PAGES.glob("*/*.html")):
        target = root / "a" / page.parent.name / page.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(page, target)
    wp = root / "a" / "wp" / "seed-article.html"
    (root / "b" / "c").mkdir(parents=True)
    (root / "b" / "c" / "seed.htm.gz").write_bytes(gzip.compress(wp.read_bytes()))
    (root / "b" / "notes.txt").write_text("not a page", encoding="utf-8")
    (root / ".hidden").mkdir()
    shutil.copy(wp, root / ".hidden" / "copy.html")
    return root


@pytest.mark.parametrize("fmt", FORMATS)
def test_url_on_a_local_server(server: PortalServer, fmt: str) -> None:
    done = _run(server.url + ARTICLE, "--format", fmt)
    assert done.returncode == 0, done.stderr
    assert _headlines(fmt, done.stdout, many=False) == ["Rząd przedstawia wyniki kontroli"]
    assert done.stderr == b""  # one input: no summary line


@pytest.mark.parametrize("fmt", FORMATS)
def test_stdin(fmt: str) -> None:
    page = PAGES / "rp" / "budzet-obrona.html"
    done = _run("-", "--format", fmt, stdin=page.read_bytes())
    assert done.returncode == 0, done.stderr
    assert _headlines(fmt, done.stdout, many=False) == [_expected(page)]
    if fmt == "json":  # no URL given: the page's canonical picks the portal parser
        record = json.loads(done.stdout)
        assert record["portal"] == "rp" and record["url"].startswith("https://www.rp.pl/")


@pytest.mark.parametrize("fmt", FORMATS)
def test_nested_folder(nested: Path, fmt: str) -> None:
    done = _run(str(nested), "--format", fmt)
    assert done.returncode == 0, done.stderr
    pages = sorted(PAGES.glob("*/*.html"))
    expected = [_expected(p) for p in pages] + [_expected(PAGES / "wp" / "seed-article.html")]
    assert _headlines(fmt, done.stdout, many=True) == expected


def test_folder_as_jsonl_has_one_parsable_line_per_page(nested: Path) -> None:
    done = _run(str(nested))  # several inputs: JSON Lines by default
    lines = done.stdout.decode("utf-8").splitlines()
    found = [p for p in nested.rglob("*") if p.name.endswith((".html", ".htm.gz"))
             and ".hidden" not in p.parts]
    assert len(lines) == len(found) == 11
    assert all(json.loads(line)["body"] for line in lines)


@pytest.mark.parametrize("fmt", FORMATS)
def test_list_file(server: PortalServer, tmp_path: Path, fmt: str) -> None:
    page = PAGES / "onet" / "kraj-kolej.html"
    listing = tmp_path / "inputs.txt"
    listing.write_text(f"# saved and live pages\n{server.url}{ARTICLE}\n\n{page}\n"
                       f"{server.url}{OTHER}\n", encoding="utf-8")
    done = _run("-i", str(listing), "--format", fmt)
    assert done.returncode == 0, done.stderr
    assert _headlines(fmt, done.stdout, many=True) == [
        "Rząd przedstawia wyniki kontroli", _expected(page), "NATO podsumowuje pierwsze półrocze"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_out_folder_writes_one_file_per_input(server: PortalServer, nested: Path,
                                              tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "out"
    done = _run(str(nested / "a" / "rp"), str(nested / "b"), server.url + ARTICLE,
                "--out", str(out), "--format", fmt)
    assert done.returncode == 0, done.stderr
    assert done.stdout == b""
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert files == [f"127.0.0.1_{server.port}/{ARTICLE}.{fmt}", f"budzet-obrona.{fmt}",
                     f"c/seed.{fmt}"]
    for name, page in ((f"budzet-obrona.{fmt}", PAGES / "rp" / "budzet-obrona.html"),
                       (f"c/seed.{fmt}", PAGES / "wp" / "seed-article.html")):
        assert _headlines(fmt, (out / name).read_bytes(), many=False) == [_expected(page)]


def test_jobs_keep_the_input_order(nested: Path) -> None:
    one = _run(str(nested), "--format", "jsonl")
    two = _run(str(nested), "--format", "jsonl", "--jobs", "2")
    assert two.returncode == 0, two.stderr
    urls = [json.loads(line)["url"] for line in two.stdout.decode().splitlines()]
    assert urls == [json.loads(line)["url"] for line in one.stdout.decode().splitlines()]
    assert len(urls) == 11


def test_failures_are_named_and_the_rest_still_written(server: PortalServer,
                                                       tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    done = _run(server.url + ARTICLE, server.url + "nie-ma-takiej-strony",
                server.url + "petla-a-6000000000000097a", server.url + "szukaj", str(empty))
    assert done.returncode == 1
    lines = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [r["headline"] for r in lines] == ["Rząd przedstawia wyniki kontroli"]
    err = done.stderr.decode()
    assert f"{server.url}nie-ma-takiej-strony: HTTP 404" in err
    assert "petla-a-6000000000000097a: more than 5 redirects" in err
    assert f"{server.url}szukaj: skipped: disallowed by robots.txt" in err
    assert f"{empty}: empty file" in err
    assert err.rstrip().splitlines()[-1].startswith("1 articles, 3 failed, 1 skipped in ")
    assert "Traceback" not in err and "\r" not in err  # no progress bar when not a terminal


def test_ignore_robots_fetches_a_disallowed_page(tmp_path: Path) -> None:
    root = tmp_path / "site"
    root.mkdir()
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /\n", encoding="utf-8")
    shutil.copy(PAGES / "rp" / "budzet-obrona.html", root / "art.html")
    with PortalServer(root) as srv:
        polite = _run(srv.url + "art.html")
        rude = _run(srv.url + "art.html", "--ignore-robots")
        requested = srv.paths()
    assert polite.returncode == 0 and polite.stdout == b""
    assert b"skipped: disallowed by robots.txt" in polite.stderr
    assert rude.returncode == 0, rude.stderr
    assert json.loads(rude.stdout)["headline"] == _expected(PAGES / "rp" / "budzet-obrona.html")
    assert requested.count("/art.html") == 1


@pytest.mark.parametrize(("args", "message"), [
    (("no/such/page.html",), "no such file or folder: no/such/page.html"),
    (("ftp://example.com/x",), "not an http(s) URL or a file"),
    (("-", "-i", "-"), "stdin (-) can be read only once"),
    ((), "no input"),
    (("x.html", "--jobs", "0"), "--jobs must be at least 1"),
    (("-i", "no/such/list.txt"), "cannot read the input list"),
])
def test_usage_mistakes_are_one_line(args: tuple[str, ...], message: str) -> None:
    done = _run(*args, stdin=b"")
    assert done.returncode == 2
    err = done.stderr.decode()
    assert message in err and len(err.strip().splitlines()) == 1


def test_empty_folder_is_a_usage_mistake(tmp_path: Path) -> None:
    (tmp_path / "deep" / "er").mkdir(parents=True)
    done = _run(str(tmp_path))
    assert done.returncode == 2
    assert b"no .html or .htm file" in done.stderr


def test_progress_bar_on_a_terminal_only(nested: Path) -> None:
    """stderr on a pseudo-terminal gets the bar, redrawn in place and cleared before the summary."""
    import os
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "newscrawl.cli", "extract", str(nested)],
                            stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    out = proc.stdout.read()
    assert proc.wait(timeout=120) == 0
    os.close(master)
    text = seen.decode("utf-8")
    assert "\r\x1b[K[" in text and "] 11/11 pages, 0 failed" in text
    assert "\r\x1b[K11 articles, 0 failed, 0 skipped in " in text  # bar cleared, then summary
    assert len(out.decode().splitlines()) == 11 and b"\r" not in out
