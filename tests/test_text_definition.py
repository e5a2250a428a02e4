"""One definition of the article's text: `extract_article`, `newscrawl extract`, `newscrawl
evaluate` and a real crawl give the same headline, lead, body, word_count and fingerprint."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from newscrawl import Article, RelatedLink, extract_article
from newscrawl.crawl.pipelines import (
    DatesPipeline,
    NormalisePipeline,
    RelatedLinksPipeline,
    ValidatePipeline,
)
from newscrawl.extract.finish import (
    boilerplate_matcher,
    clean_body,
    fingerprint,
    finish,
    is_boilerplate,
    strip_read_more,
)

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent
PAGES = sorted((ROOT / "fixtures" / "pages").glob("*/*.html"))
TEXT = ("headline", "lead", "body", "word_count", "fingerprint")
URL = "https://example.com/news/2024/05/01/rada-miasta"
LEAD = "Radni przyjęli budżet miasta na przyszły rok po długiej debacie."
PARAGRAPHS = [
    "Rada miasta przyjęła w czwartek budżet na przyszły rok. Za głosowało 25 radnych, "
    "przeciw było 10, a trzech wstrzymało się od głosu.",
    "Największe wydatki pójdą na transport publiczny i remonty szkół. Prezydent miasta "
    "zapowiedział, że pierwsze przetargi ruszą jeszcze w styczniu.",
    "Opozycja krytykuje wzrost zadłużenia i zapowiada własne poprawki do projektu. Skarbnik "
    "odpowiada, że dług pozostanie poniżej ustawowych limitów.",
]
FURNITURE = ["Czytaj także: Nowe linie tramwajowe w mieście", "Reklama", "Udostępnij"]
#: A paragraph only a crawl's NEWSCRAWL_BOILERPLATE_PATTERNS removes.
SPONSOR = "Materiał powstał we współpracy z Fundacją Miejską, która wspiera dziennikarstwo."
EXTRA = r"materiał powstał we współpracy .*"


def _page() -> str:
    body = [LEAD, PARAGRAPHS[0], FURNITURE[0], PARAGRAPHS[1] + " Czytaj więcej »", FURNITURE[1],
            PARAGRAPHS[2], FURNITURE[2], SPONSOR]
    paragraphs = "\n".join(f"<p>{p}</p>" for p in body)
    return f"""<!doctype html><html lang="pl"><head><meta charset="utf-8">
<title>Rada miasta przyjęła budżet</title></head><body>
<article><h1>Rada miasta przyjęła budżet</h1>
<time datetime="2024-05-01T10:00:00+02:00">1 maja 2024</time>
{paragraphs}
</article></body></html>"""


def _text(item: object) -> dict:
    return {name: getattr(item, name) if not isinstance(item, dict) else item.get(name)
            for name in TEXT}


def _crawl_pipelines(item: object, **settings: object) -> object:
    """The item through the crawl's pipelines as the project wires them (in order)."""
    crawler = get_crawler(settings_dict=settings)
    crawler.stats.open_spider()
    for cls in (NormalisePipeline, DatesPipeline, RelatedLinksPipeline, ValidatePipeline):
        try:
            pipeline = cls.from_crawler(crawler)
        except NotConfigured:
            continue
        item = pipeline.process_item(item)
    return item


# -- the definition, given by extraction -------------------------------------------------------

def test_extraction_gives_the_clean_text() -> None:
    """Furniture paragraphs and a glued "read more" link are gone (the page's markup alone
    would keep them: see the next test), word_count and fingerprint are filled."""
    article = extract_article(_page(), URL)
    assert article.body == [LEAD, *PARAGRAPHS, SPONSOR]
    assert article.word_count == sum(len(p.split()) for p in article.body)
    assert article.fingerprint == fingerprint(article.headline, article.body)


def test_furniture_is_removed_by_the_text_definition_not_by_the_markup() -> None:
    html = _page()
    for line in FURNITURE:
        html = html.replace(f"<p>{line}</p>", f"<p>X{line}</p>")
    body = extract_article(html, URL).body
    assert [p for p in body if p.startswith("X")] == [f"X{line}" for line in FURNITURE]


def test_finish_is_idempotent_on_extracted_articles() -> None:
    article = extract_article(_page(), URL)
    before = _text(article)
    assert _text(finish(article)) == before


@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_crawl_pipelines_keep_the_extracted_text(page: Path) -> None:
    spec = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    article = extract_article(page.read_bytes(), spec["url"])
    want = _text(article)
    assert want["fingerprint"] and want["word_count"] > 0
    assert _text(_crawl_pipelines(article)) == want
    # the pipeline built by hand (no extra patterns) changes nothing either
    assert _text(NormalisePipeline().process_item(article)) == want


def test_extra_patterns_setting_applies_the_same_definition() -> None:
    article = extract_article(_page(), URL)
    crawled = _crawl_pipelines(article, NEWSCRAWL_BOILERPLATE_PATTERNS=[EXTRA])
    assert crawled.body == [LEAD, *PARAGRAPHS]
    assert crawled.word_count == sum(len(p.split()) for p in crawled.body)
    assert crawled.fingerprint == fingerprint(crawled.headline, crawled.body)
    fresh = extract_article(_page(), URL)
    assert _text(finish(fresh, [EXTRA])) == _text(crawled)


def test_items_not_from_extraction_get_the_definition_in_a_crawl() -> None:
    """A spider's own item (no fingerprint) gets what extraction would have given it."""
    article = extract_article(_page(), URL)
    own = Article(url=URL, headline=article.headline, lead=article.lead,
                  body=[*article.body[:2], FURNITURE[0], *article.body[2:]])
    assert _text(_crawl_pipelines(own)) == _text(article)


def test_a_bad_extra_pattern_fails_at_start_up() -> None:
    with pytest.raises(re.error):
        NormalisePipeline.from_crawler(
            get_crawler(settings_dict={"NEWSCRAWL_BOILERPLATE_PATTERNS": ["(unclosed"]}))


# -- the pieces of the definition --------------------------------------------------------------

def test_clean_body_rules() -> None:
    body = ["Minister  zadeklarował.", "", "Czytaj także: Inny", "Treść. Read more ›",
            "Rośnie napięcie", "Fot. PAP"]
    assert clean_body(body, lead="Minister zadeklarował.", related_titles=["Rośnie napięcie"],
                      extra_patterns=[r"fot\. .*"]) == ["Treść."]
    assert clean_body(body) == ["Minister zadeklarował.", "Treść.", "Rośnie napięcie",
                                "Fot. PAP"]


#: The rule as one regex anchored at the end (slow on long paragraphs), for reference.
READ_MORE_SUFFIX = re.compile(
    r"\s*(?:czytaj (?:więcej|dalej)|read more|weiterlesen|mehr lesen)\s*[»›>….]*$", re.IGNORECASE)


@pytest.mark.parametrize("text", [
    "Rząd przyjął projekt. Czytaj więcej »", "Dalej tekst... czytaj dalej", "Read more",
    "Teaser READ MORE ›››", "Teaser read more...", "Teaser weiterlesen …", "Mehr lesen",
    "Teaser czytaj więcej » »", "Teaser czytaj więcej. »", "Przeczytaj więcej", "czytaj  więcej",
    "Czytaj więcej o tym w raporcie.", "Nothing to strip", "»»", "", "Teaser read more\u00a0»",
    "Text czytaj więcej.", "Text czytaj więcej>.>",
])
def test_strip_read_more_is_the_anchored_rule(text: str) -> None:
    assert strip_read_more(text) == READ_MORE_SUFFIX.sub("", text)


def test_related_title_rule_spares_long_paragraphs() -> None:
    long = "Słowo " * 100
    assert clean_body([long], related_titles=[long]) == [long.strip()]


def test_boilerplate_matcher_is_whole_paragraph_and_cached() -> None:
    assert is_boilerplate("REKLAMA") and not is_boilerplate("Reklama telewizyjna partii.")
    assert boilerplate_matcher(("a",)) is boilerplate_matcher(("a",))


def test_finish_on_dict_items_and_articles_alike() -> None:
    record = {"url": URL, "headline": " A ", "lead": None, "body": ["Reklama", " B "],
              "authors": ["X", " X "], "related": [{"title": "C", "url": "/c"}]}
    article = Article(url=URL, headline=" A ", body=["Reklama", " B ", "C"],
                      authors=["X", " X "], related=[RelatedLink("C", "/c")])
    finish(record)
    finish(article)
    assert record["body"] == article.body == ["B"]
    assert record["authors"] == article.authors == ["X"]
    assert record["fingerprint"] == article.fingerprint and record["word_count"] == 1


# -- every consumer reads the same text --------------------------------------------------------

def test_evaluate_scores_the_emitted_text() -> None:
    from newscrawl.devtools.evaluate import predict_ours

    article = extract_article(_page(), URL)
    predicted = predict_ours(_page().encode("utf-8"), URL)
    assert predicted["body"] == article.body and predicted["lead"] == article.lead
    assert predicted["headline"] == article.headline


def test_cli_extract_emits_the_same_text(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(_page(), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "newscrawl.cli", "extract", str(page), "--url",
                           URL, "--format", "json"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    record = json.loads(proc.stdout)
    record = record[0] if isinstance(record, list) else record
    assert _text(record) == _text(extract_article(_page(), URL))


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(TESTS), str(ROOT),
                                                    env.get("PYTHONPATH", "")) if p)
    return env


def test_a_crawl_emits_what_extraction_gives(tmp_path: Path) -> None:
    """A real crawl of the miniature portal, one page salted with furniture: every record's
    text is `finish(extract_article(page), the crawl's extra patterns)`."""
    from newscrawl.devtools.portal_server import PortalServer

    root = tmp_path / "portal"
    shutil.copytree(ROOT / "fixtures" / "portal", root)
    salted = root / "sejm-zapowiada-zmiany-w-przepisach-6000000000000100a"
    html = salted.read_text(encoding="utf-8")
    marker = "<p>Sejm - akapit 2."
    assert marker in html
    salted.write_text(html.replace(marker, f"<p>{FURNITURE[0]}</p>\n<p>{SPONSOR}</p>\n"
                                   + marker), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    extra = EXTRA
    with PortalServer(root) as server:
        cmd = [sys.executable, "-m", "scrapy", "crawl", "wp", "-a", f"base_url={server.url}",
               "-a", "follow_listing=on", "-a", "incremental=0", "-o", str(out),
               "-s", f"NEWSCRAWL_BOILERPLATE_PATTERNS={extra}", "-s", "AUTOTHROTTLE_ENABLED=0",
               "-s", "DOWNLOAD_DELAY=0", "-s", "NEWSCRAWL_RENDER_ENABLED=0",
               "-s", "TELNETCONSOLE_ENABLED=0", "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0"]
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=240,
                              env=_env())
        assert proc.returncode == 0, proc.stderr[-3000:]
        records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert len(records) >= 30
        for record in records:
            with urllib.request.urlopen(record["url"], timeout=10) as response:  # loopback
                page = response.read()
                content_type = response.headers.get("Content-Type")
            want = finish(extract_article(page, record["url"], portal="wp",
                                          content_type=content_type), [extra])
            assert _text(record) == _text(want), record["url"]
    salted_record = next(r for r in records if r["url"].endswith(salted.name))
    assert FURNITURE[0] not in salted_record["body"] and SPONSOR not in salted_record["body"]
    assert salted_record["body"][1].startswith("Sejm - akapit 2.")
