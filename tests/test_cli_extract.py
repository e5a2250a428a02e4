"""`newscrawl extract`: files and folders in, JSON or the TXT layout out, clear exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURES

WP = FIXTURES / "pages" / "wp"
URL = "https://wiadomosci.wp.pl/iwanow-nowa-wspolpraca-z-nato-6033771225355905a"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newscrawl.cli", "extract", *args],
                          capture_output=True, text=True, encoding="utf-8")


def test_json_is_one_object_with_the_item_fields() -> None:
    done = _run(str(WP / "seed-article.html"), "--url", URL)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["portal"] == "wp" and data["url"] == URL
    assert {"headline", "lead", "body", "related", "authors", "published"} <= set(data)


def test_txt_layout_blocks() -> None:
    done = _run(str(WP / "seed-article.html"), "--url", URL, "--format", "txt")
    blocks = done.stdout.rstrip("\n").split("\n\n")
    assert blocks[0] == "Iwanow: nowa współpraca z\u00a0NATO"
    assert blocks[-1].startswith("Wybrane dla Ciebie\n")
    assert len(blocks[-1].split("\n")) == 13


def test_portal_is_forced_by_name_without_url() -> None:
    done = _run(str(WP / "seed-article.html"), "--portal", "wp")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["portal"] == "wp"


def test_folder_gives_one_object_per_page(tmp_path: Path) -> None:
    for name in ("a.html", "b.htm"):
        (tmp_path / name).write_bytes((WP / "seed-article.html").read_bytes())
    (tmp_path / "notes.txt").write_text("not a page", encoding="utf-8")
    done = _run(str(tmp_path), "--url", URL, "--format", "txt")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("Iwanow: nowa współpraca z\u00a0NATO") == 2


def test_missing_path_exits_2() -> None:
    done = _run("no/such/page.html")
    assert done.returncode == 2
    assert "no such file" in done.stderr


def test_binary_file_exits_1(tmp_path: Path) -> None:
    page = tmp_path / "image.html"
    page.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    done = _run(str(page))
    assert done.returncode == 1
    assert "not an HTML document" in done.stderr
