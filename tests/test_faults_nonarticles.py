"""Only articles become items: section, tag, author and soft-404 pages listed in a portal's
sitemap are crawled, recognised, counted by kind and left out of the feed."""

from __future__ import annotations

import shutil
from pathlib import Path

from test_spiders import crawl, path_of, stat

from newscrawl.devtools.portal_server import PortalServer

ROOT = Path(__file__).resolve().parent.parent
NONARTICLES = ROOT / "fixtures" / "nonarticles"
PORTAL = ROOT / "fixtures" / "portal"
ARTICLES = ["sejm-zapowiada-zmiany-w-przepisach-6000000000000100a",
            "narodowy-bank-polski-chwali-sie-rekordem-6000000000000102a"]
#: URL path on the test portal → the hand-written page served there.
PAGES = {
    "/kraj/": "section.html",
    "/tag/wybory": "tag.html",
    "/autor/anna-nowak": "author.html",
    "/wiadomosci/wybory-samorzadowe-komisja-podala-wyniki-1234567": "soft404.html",
}


def _portal(root: Path) -> Path:
    root.mkdir()
    for path, page in PAGES.items():
        target = root / (path.strip("/") + ("/index.html" if path.endswith("/") else ".html"))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(NONARTICLES / page, target)
    for name in ARTICLES:
        shutil.copy(PORTAL / name, root / name)
    urls = list(PAGES) + [f"/{name}" for name in ARTICLES]
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "".join(f"<url><loc>{{{{ORIGIN}}}}{u}</loc></url>\n" for u in urls)
        + "</urlset>\n", encoding="utf-8")
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n\n"
                                     "Sitemap: {{ORIGIN}}/sitemap.xml\n", encoding="utf-8")
    return root


def test_sitemap_listed_nonarticles_are_counted_not_emitted(tmp_path: Path):
    with PortalServer(_portal(tmp_path / "portal")) as server:
        items, log = crawl("news", tmp_path / "out.jsonl", f"url={server.url}",
                           "follow_listing=off")
        served = set(server.paths())
    assert set(PAGES) <= served, "every sitemap entry was fetched"
    assert sorted(path_of(i["url"]) for i in items) == sorted(f"/{n}" for n in ARTICLES)
    assert stat(log, "newscrawl/pages/not_article/soft404") == 1
    assert stat(log, "newscrawl/pages/not_article/tag") == 1
    assert stat(log, "newscrawl/pages/not_article/author") == 1
    assert stat(log, "newscrawl/pages/not_article/section") \
        + stat(log, "newscrawl/pages/not_article/listing") == 1
    assert "not an article (soft 404" in log
