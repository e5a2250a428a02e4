"""Huge pages cost bounded memory: `newscrawl extract` of a 50 MB page, and a crawl that meets a
few 10 MB pages. Peak RSS (not time) of fresh child processes; loopback only."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024
POLISH = "Zażółć gęślą jaźń, powiedział minister w czwartek w Łodzi."
#: Runs argv as its child and prints the child's peak RSS in KB: measured from a small parent,
#: so nothing of the test runner's own memory is counted.
PEAK = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=False, "
        "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def _peak_mb(argv: list[str], cwd: Path) -> float:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p))
    out = subprocess.run([sys.executable, "-c", PEAK, *argv], cwd=cwd, env=env, check=True,
                         capture_output=True, text=True, timeout=600)
    return int(out.stdout.split()[-1]) / 1024


def _article(n: int, title: str, filler: str = "") -> str:
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle",
                     "headline": title, "datePublished": f"2024-05-{n % 27 + 1:02d}T10:00:00+02:00",
                     "author": {"@type": "Person", "name": "Jan Kowalski"}}, ensure_ascii=False)
    paragraphs = "".join(f"<p>{POLISH} Akapit {i} artykułu {n}, dalszy ciąg zdania.</p>"
                         for i in range(8))
    return (f'<!DOCTYPE html><html lang="pl"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta property="og:type" content="article">'
            f'<script type="application/ld+json">{ld}</script></head><body><article>'
            f"<h1>{title}</h1>{paragraphs}</article>{filler}</body></html>")


def _huge_filler(size: int) -> str:
    """Page furniture of every costly kind: dense comment markup, scripts, long text."""
    comment = ('<div class="comment"><a href="/profil/1">Czytelnik ąę</a><span>12:00</span>'
               "<p>Komentarz pod artykułem, zupełnie zwyczajny.</p></div>\n")
    unit = (comment * 20 + "<script>window.x = '" + "abcdefgh" * 100 + "';</script>\n"
            + "<p>" + "Długi tekst bez końca. " * 20 + "</p>\n")
    return unit * (size // len(unit.encode()))


def test_extract_of_a_fifty_megabyte_page_stays_under_200_mb(tmp_path: Path) -> None:
    page = tmp_path / "huge.html"
    page.write_text(_article(1, "Wielka strona", _huge_filler(50 * MB)), encoding="utf-8")
    assert page.stat().st_size > 49 * MB
    peak = _peak_mb([sys.executable, "-m", "newscrawl.cli", "extract", str(page),
                     "--url", "https://wiadomosci.example.pl/kraj/wielka-strona"], tmp_path)
    print(f"extract peak: {peak:.0f} MB")
    assert peak < 200, f"peak RSS {peak:.0f} MB"
    small = tmp_path / "small.html"
    small.write_text(_article(1, "Mała strona"), encoding="utf-8")
    assert peak > _peak_mb([sys.executable, "-m", "newscrawl.cli", "extract", str(small)],
                           tmp_path)  # the measurement sees the page at all


def _portal(root: Path, big: int) -> None:
    root.mkdir()
    paths = []
    for n in range(30):
        paths.append(f"/kraj/artykul-{n}")
        (root / "kraj").mkdir(exist_ok=True)
        (root / "kraj" / f"artykul-{n}").write_text(_article(n, f"Artykuł numer {n}"), "utf-8")
    filler = _huge_filler(10 * MB)
    for n in range(big):
        paths.append(f"/kraj/wielki-{n}")
        (root / "kraj" / f"wielki-{n}").write_text(_article(100 + n, f"Wielki {n}", filler),
                                                   "utf-8")
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\nSitemap: {{ORIGIN}}/sitemap.xml\n")
    rows = "".join(f"<url><loc>{{{{ORIGIN}}}}{p}</loc><lastmod>2024-05-01</lastmod></url>"
                   for p in paths)
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><urlset '
        f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</urlset>')


def _crawl(tmp_path: Path, name: str, big: int) -> tuple[float, list[dict]]:
    from newscrawl.devtools.portal_server import PortalServer

    root = tmp_path / name
    _portal(root, big)
    out = tmp_path / f"{name}.jsonl"
    with PortalServer(root) as server:
        peak = _peak_mb([sys.executable, "-m", "scrapy", "crawl", "news", "-a",
                         f"url={server.url}/", "-s", "TELNETCONSOLE_ENABLED=0", "-s",
                         "NEWSCRAWL_RENDER_ENABLED=0", "-s", "RETRY_TIMES=0", "-s",
                         "LOG_LEVEL=INFO", "-O", str(out)], ROOT)
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines() if line]
    return peak, records


def test_crawl_with_three_ten_megabyte_pages_stays_within_100_mb(tmp_path: Path) -> None:
    base_peak, base_items = _crawl(tmp_path, "plain", big=0)
    big_peak, big_items = _crawl(tmp_path, "huge", big=3)
    assert len(base_items) == 30
    assert {r["headline"] for r in big_items} >= {r["headline"] for r in base_items}
    assert {"Wielki 0", "Wielki 1", "Wielki 2"} <= {r["headline"] for r in big_items}
    print(f"crawl peaks: {big_peak:.0f} MB with, {base_peak:.0f} MB without the big pages")
    assert big_peak - base_peak < 100, f"{big_peak:.0f} MB vs {base_peak:.0f} MB"
