"""Recommendations carried only in embedded JSON state come out without a browser."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from newscrawl.routing import extract_article

RENDER = Path(__file__).resolve().parent.parent / "fixtures" / "render"
PAGE = RENDER / "embedded-state-article.html"
URL = "https://wiadomosci.example.pl/nowy-rozklad-jazdy-pociagow-regionalnych-5521"


def test_embedded_json_recommendations_without_a_browser():
    html = PAGE.read_bytes()
    # The server HTML has an empty block container: no recommendation is in the markup.
    assert b"Remont dworca" not in html.split(b'id="__NEXT_DATA__"')[0]
    article = extract_article(html, URL)
    assert [(r.title, r.url) for r in article.related] == [
        ("Remont dworca potrwa dłużej. Podróżni muszą uzbroić się w cierpliwość",
         "https://wiadomosci.example.pl/remont-dworca-potrwa-dluzej-5502"),
        ("Bilety miesięczne podrożeją od lipca. Znamy nowe ceny",
         "https://wiadomosci.example.pl/bilety-miesieczne-podrozeja-od-lipca-5498"),
        ("Nowe pociągi wyjadą na tory jeszcze w tym roku",
         "https://wiadomosci.example.pl/nowe-pociagi-wyjada-na-tory-5490"),
        ("Kolej wraca na zapomniane linie. Pierwsze kursy latem",
         "https://wiadomosci.example.pl/kolej-wraca-na-zapomniane-linie-5477"),
    ]
    # The state's own headline is not taken for a recommendation, nor put in the body.
    assert article.headline == "Nowy rozkład jazdy pociągów regionalnych od czerwca"
    assert len(article.body) == 3
    assert not any("Remont dworca" in p for p in article.body)


def test_embedded_json_path_loads_no_browser_stack():
    # In a fresh interpreter: extraction finds the links with Playwright never imported.
    code = ("import sys; from newscrawl.routing import extract_article; "
            f"a = extract_article(open({str(PAGE)!r}, 'rb').read(), {URL!r}); "
            "print(len(a.related), any(m.startswith('playwright') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60).stdout.split()
    assert out == ["4", "False"]
