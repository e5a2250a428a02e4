"""Each item pipeline on hand-made items: one test per rule it promises."""

from __future__ import annotations

import logging

import pytest
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.test import get_crawler

from newscrawl.crawl.pipelines import (
    DatesPipeline,
    DuplicatesPipeline,
    NormalisePipeline,
    RelatedLinksPipeline,
    ValidatePipeline,
    fingerprint,
    schema_errors,
)
from newscrawl.items import Article, RelatedLink
from newscrawl.output.exporters import item_to_record

URL = "https://wiadomosci.wp.pl/iwanow-nowa-wspolpraca-z-nato-6029836a"


def _crawler(**settings):
    crawler = get_crawler(settings_dict=settings)
    crawler.stats.open_spider()
    return crawler


def _article(**kw) -> Article:
    values = {"url": URL, "headline": "Iwanow: nowa współpraca z NATO", "language": "pl",
              "body": ["Minister obrony Rosji zadeklarował gotowość.", "Drugi akapit. (reb)"],
              "fetched_at": "2024-06-01T12:00:00+00:00"}
    values.update(kw)
    return Article(**values)


# -- normalise: the text definition (newscrawl.extract.finish) run by the pipeline ---------------

def test_normalise_cleans_text_fields() -> None:
    item = _article(headline="  Iwanow:\u200b nowa\u00a0współpraca &amp; NATO\n",
                    lead="Zaka\u00adzane  słowo", authors=[" Jan  Kowalski ", "Jan Kowalski", ""],
                    tags=["NATO", " NATO "], section="")
    NormalisePipeline(_crawler()).process_item(item)
    # no-break spaces stay (Polish typography binds one-letter words with them), as in clean_text
    assert item.headline == "Iwanow: nowa\u00a0współpraca & NATO"
    assert item.lead == "Zakazane słowo"
    assert item.authors == ["Jan Kowalski"]
    assert item.tags == ["NATO"]
    assert item.section is None


def test_normalise_applies_nfc() -> None:
    decomposed = "Zaz\u0307o\u0301ł\u0107"  # z + combining dot, o + combining acute
    item = _article(body=[decomposed])
    NormalisePipeline(_crawler()).process_item(item)
    assert item.body == ["Zażółć"]


@pytest.mark.parametrize("line", [
    "Czytaj więcej", "Czytaj także: Rośnie napięcie wokół Wenezueli", "CZYTAJ TEŻ Inny tekst",
    "Zobacz też: Sondaż", "Reklama", "REKLAMA", "Udostępnij", "Udostępnij na Facebooku",
    "Wybrane dla Ciebie", "Dalsza część artykułu pod materiałem wideo", "Advertisement",
    "Share on Twitter", "Lesen Sie auch: Etwas",
])
def test_normalise_drops_boilerplate_lines(line: str) -> None:
    item = _article(body=["Pierwszy akapit.", line, "Ostatni akapit."])
    NormalisePipeline(_crawler()).process_item(item)
    assert item.body == ["Pierwszy akapit.", "Ostatni akapit."]


def test_normalise_strips_read_more_links_glued_to_paragraphs() -> None:
    item = _article(body=["Rząd przyjął projekt. Czytaj więcej »", "Dalej tekst... czytaj dalej"])
    NormalisePipeline(_crawler()).process_item(item)
    assert item.body == ["Rząd przyjął projekt.", "Dalej tekst..."]


def test_normalise_keeps_sentences_that_only_mention_the_words() -> None:
    body = ["Reklama telewizyjna partii wywołała spór.", "Czytaj uważnie umowy, radzi UOKiK."]
    item = _article(body=list(body))
    NormalisePipeline(_crawler()).process_item(item)
    assert item.body == body


def test_normalise_extra_patterns_setting() -> None:
    pipeline = NormalisePipeline.from_crawler(
        _crawler(NEWSCRAWL_BOILERPLATE_PATTERNS=[r"fot\. .*"]))
    item = _article(body=["Tekst.", "Fot. PAP/Jan Nowak"])
    pipeline.process_item(item)
    assert item.body == ["Tekst."]


def test_normalise_removes_empty_paragraphs_lead_repeat_and_related_titles() -> None:
    item = _article(lead="Minister zadeklarował.",
                    body=["Minister  zadeklarował.", "", "  \u200b ", "Treść.",
                          "Rośnie napięcie wokół Wenezueli"],
                    related=[RelatedLink("Rośnie napięcie wokół Wenezueli", "/a")])
    NormalisePipeline(_crawler()).process_item(item)
    assert item.body == ["Treść."]


def test_normalise_fills_word_count_and_fingerprint() -> None:
    item = _article(body=["Ala ma kota.", "Kot ma Alę, 2 razy."])
    NormalisePipeline(_crawler()).process_item(item)
    assert item.word_count == 8
    assert item.fingerprint == fingerprint(item.headline, item.body)
    assert len(item.fingerprint) == 40


def test_fingerprint_ignores_case_spacing_and_invisibles_but_not_words() -> None:
    base = fingerprint("Nagłówek", ["Ala ma kota."])
    assert fingerprint("  NAGŁÓWEK ", ["Ala\u200b  ma kota"]) == base
    assert fingerprint("Nagłówek", ["Ala ma psa."]) != base
    assert fingerprint("Inny", ["Ala ma kota."]) != base


def test_normalise_works_on_dict_items() -> None:
    item = {"url": URL, "headline": " A ", "body": ["Reklama", " B "], "related": []}
    NormalisePipeline(_crawler()).process_item(item)
    assert item["headline"] == "A" and item["body"] == ["B"] and item["word_count"] == 1


# -- dates -------------------------------------------------------------------------------------

def test_dates_parse_portal_strings_keep_raw_and_set_source() -> None:
    item = _article(published="15.11.2001 11:27", modified="2001-11-15 12:00")
    DatesPipeline(_crawler()).process_item(item)
    assert item.published == "2001-11-15T11:27:00+01:00"  # Polish page: Europe/Warsaw
    assert item.published_raw == "15.11.2001 11:27"
    assert item.modified == "2001-11-15T12:00:00+01:00"
    assert item.date_source == "text"


def test_dates_keep_extractor_values_and_source() -> None:
    item = _article(published="2024-05-03T10:00:00Z", published_raw="3 maja 2024",
                    date_source="jsonld", portal="wp")
    DatesPipeline(_crawler()).process_item(item)
    assert item.published == "2024-05-03T10:00:00+00:00"
    assert item.published_raw == "3 maja 2024"
    assert item.date_source == "jsonld"


def test_dates_accept_datetime_objects() -> None:
    from datetime import UTC, datetime

    item = _article(published=datetime(2024, 5, 3, 8, 0, tzinfo=UTC), portal="wp")
    DatesPipeline(_crawler()).process_item(item)
    assert item.published == "2024-05-03T08:00:00+00:00"
    assert item.date_source == "portal"


def test_dates_unparseable_become_null_with_raw_kept() -> None:
    crawler = _crawler()
    item = _article(published="kiedyś dawno temu", date_source="text")
    DatesPipeline(crawler).process_item(item)
    assert item.published is None and item.date_source is None
    assert item.published_raw == "kiedyś dawno temu"
    assert crawler.stats.get_value("newscrawl/dates/unparsed") == 1


def test_dates_reject_future_dates() -> None:
    for value in ("2031-01-01T00:00:00+00:00", "1 stycznia 2031", "1985-01-01T00:00:00Z"):
        item = _article(published=value, date_source="jsonld")
        DatesPipeline(_crawler()).process_item(item)
        assert item.published is None and item.date_source is None
        assert item.published_raw == value


# -- related links -----------------------------------------------------------------------------

def test_related_title_rendered_twice_is_one_link() -> None:
    item = _article(related=[
        RelatedLink("Podziały wśród sojuszników", "/podzialy-6030001a"),
        RelatedLink("Podziały wśród sojuszników", "/podzialy-6030001a"),
        RelatedLink("Rośnie napięcie wokół Wenezueli", "/wenezuela-6030002a"),
        RelatedLink(" Rośnie  napięcie wokół Wenezueli ", "/wenezuela-6030002a?utm_source=box"),
    ])
    RelatedLinksPipeline(_crawler()).process_item(item)
    assert item.related == [
        RelatedLink("Podziały wśród sojuszników", "https://wiadomosci.wp.pl/podzialy-6030001a"),
        RelatedLink("Rośnie napięcie wokół Wenezueli",
                    "https://wiadomosci.wp.pl/wenezuela-6030002a"),
    ]


def test_related_dedup_by_canonical_url_and_by_title() -> None:
    item = _article(related=[
        RelatedLink("Tytuł A", "https://wiadomosci.wp.pl/a"),
        RelatedLink("Inny opis A", "https://m.wiadomosci.wp.pl/amp/a?fbclid=1"),
        RelatedLink("tytuł a!", "https://wiadomosci.wp.pl/b"),
    ])
    RelatedLinksPipeline(_crawler()).process_item(item)
    assert [link.title for link in item.related] == ["Tytuł A"]


def test_related_self_links_and_junk_removed() -> None:
    item = _article(canonical_url="https://wiadomosci.wp.pl/kanoniczny",
                    related=[RelatedLink("Sam artykuł", URL + "?utm_source=x"),
                             RelatedLink("AMP artykułu", URL.replace("https://", "https://amp.")),
                             RelatedLink("Kanoniczny", "/kanoniczny"),
                             RelatedLink("Kotwica", "#top"),
                             RelatedLink("JS", "javascript:void(0)"),
                             RelatedLink("", "/bez-tytulu"),
                             RelatedLink("Dobry", "dobry-1")])
    RelatedLinksPipeline(_crawler()).process_item(item)
    assert item.related == [RelatedLink("Dobry", "https://wiadomosci.wp.pl/dobry-1")]


def test_related_on_dict_items_stays_dicts() -> None:
    item = {"url": URL, "related": [{"title": "X", "url": "/x"}, {"title": "X", "url": "/x"}]}
    RelatedLinksPipeline(_crawler()).process_item(item)
    assert item["related"] == [{"title": "X", "url": "https://wiadomosci.wp.pl/x"}]


# -- validate ----------------------------------------------------------------------------------

def test_validate_passes_a_good_article() -> None:
    item = _article()
    assert ValidatePipeline(_crawler()).process_item(item) is item
    assert schema_errors(item_to_record(item)) == []


@pytest.mark.parametrize(("changes", "reason"), [
    ({"headline": None}, "no_headline"),
    ({"headline": "  "}, "no_headline"),
    ({"body": []}, "no_body"),
    ({"body": ["", " "]}, "no_body"),
    ({"published": "3 maja 2024"}, "invalid_published"),
    ({"date_source": "guess"}, "invalid_date_source"),
])
def test_validate_drops_with_counted_reason(changes: dict, reason: str) -> None:
    crawler = _crawler()
    with pytest.raises(DropItem):
        ValidatePipeline(crawler).process_item(_article(**changes))
    assert crawler.stats.get_value(f"newscrawl/dropped/{reason}") == 1


def test_validate_logs_once_per_reason(caplog: pytest.LogCaptureFixture) -> None:
    crawler = _crawler()
    pipeline = ValidatePipeline(crawler)
    with caplog.at_level(logging.WARNING, logger="newscrawl.crawl.pipelines"):
        for _ in range(3):
            with pytest.raises(DropItem):
                pipeline.process_item(_article(body=[]))
        with pytest.raises(DropItem):
            pipeline.process_item(_article(headline=None))
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert "no_body" in warnings[0] and "no_headline" in warnings[1]
    assert crawler.stats.get_value("newscrawl/dropped/no_body") == 3


# -- duplicates --------------------------------------------------------------------------------

def test_duplicates_by_canonical_url_utm_and_amp() -> None:
    crawler = _crawler()
    pipeline = DuplicatesPipeline(crawler)
    first = _article(fingerprint="a")
    assert pipeline.process_item(first) is first
    for variant in (URL + "?utm_source=newsletter&utm_medium=email",
                    URL.replace("https://wiadomosci.", "https://amp.wiadomosci.") + "?amp=1",
                    URL.replace("wp.pl/", "wp.pl/amp/")):
        with pytest.raises(DropItem):
            pipeline.process_item(_article(url=variant, fingerprint="other-" + variant))
    assert crawler.stats.get_value("newscrawl/duplicates/url") == 3


def test_duplicates_by_page_canonical_link() -> None:
    pipeline = DuplicatesPipeline(_crawler())
    pipeline.process_item(_article(url="https://x.pl/a?id=1", canonical_url="https://x.pl/a-1",
                                   fingerprint="1"))
    with pytest.raises(DropItem):
        pipeline.process_item(_article(url="https://x.pl/a-1", fingerprint="2"))


def test_canonical_link_to_the_home_page_does_not_merge_articles() -> None:
    pipeline = DuplicatesPipeline(_crawler())
    pipeline.process_item(_article(url="https://x.pl/a", canonical_url="https://x.pl/",
                                   fingerprint="1"))
    item = _article(url="https://x.pl/b", canonical_url="https://x.pl/", fingerprint="2")
    assert pipeline.process_item(item) is item


def test_duplicates_by_fingerprint() -> None:
    crawler = _crawler()
    normalise, dedup = NormalisePipeline(crawler), DuplicatesPipeline(crawler)
    dedup.process_item(normalise.process_item(_article(url="https://x.pl/a")))
    copy = normalise.process_item(_article(url="https://y.pl/syndicated/a"))
    with pytest.raises(DropItem):
        dedup.process_item(copy)
    assert crawler.stats.get_value("newscrawl/duplicates/fingerprint") == 1
    assert crawler.stats.get_value("newscrawl/duplicates/url") is None


# -- switches ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("cls", "setting"), [
    (NormalisePipeline, "NEWSCRAWL_NORMALISE_ENABLED"),
    (DatesPipeline, "NEWSCRAWL_DATES_ENABLED"),
    (RelatedLinksPipeline, "NEWSCRAWL_RELATED_ENABLED"),
    (ValidatePipeline, "NEWSCRAWL_VALIDATE_ENABLED"),
    (DuplicatesPipeline, "NEWSCRAWL_DUPLICATES_ENABLED"),
])
def test_each_pipeline_is_switchable(cls, setting: str) -> None:
    assert isinstance(cls.from_crawler(_crawler()), cls)
    with pytest.raises(NotConfigured):
        cls.from_crawler(_crawler(**{setting: False}))


def test_normalise_leaves_extracted_items_alone_without_extra_patterns() -> None:
    """An item with a fingerprint holds the text definition already (extraction gave it)."""
    item = _article(body=["Reklama", "Tekst."], fingerprint="given")
    NormalisePipeline(_crawler()).process_item(item)
    assert item.body == ["Reklama", "Tekst."] and item.fingerprint == "given"
    with_extra = NormalisePipeline.from_crawler(_crawler(NEWSCRAWL_BOILERPLATE_PATTERNS=["x"]))
    with_extra.process_item(item)
    assert item.body == ["Tekst."] and item.fingerprint == fingerprint(item.headline, ["Tekst."])


def test_fingerprint_is_the_extraction_one() -> None:
    from newscrawl.extract import finish

    assert fingerprint is finish.fingerprint


def test_project_settings_wire_pipelines_in_order() -> None:
    from scrapy.settings import Settings
    from scrapy.utils.conf import build_component_list
    from scrapy.utils.misc import load_object

    from newscrawl.addon import apply_defaults

    settings = Settings()
    settings.setmodule("newscrawl.settings")
    apply_defaults(settings)  # what newscrawl.Addon does before the crawl
    order = [load_object(c).__name__
             for c in build_component_list(settings.getwithbase("ITEM_PIPELINES"))]
    ours = [n for n in order if n in {"NormalisePipeline", "DatesPipeline",
                                      "RelatedLinksPipeline", "ValidatePipeline",
                                      "DuplicatesPipeline"}]
    assert ours == ["NormalisePipeline", "DatesPipeline", "RelatedLinksPipeline",
                    "ValidatePipeline", "DuplicatesPipeline"]


# -- per-item cost: URL work once per distinct URL ----------------------------------------------


def test_related_link_urls_are_worked_out_once_per_distinct_url() -> None:
    from newscrawl import urls

    link = RelatedLink(title="Inny tekst", url="/inny-tekst-6030000a?utm_source=x#c")
    pipeline = RelatedLinksPipeline(_crawler())
    first = pipeline.process_item(_article(related=[link]))
    before = urls._clean_url.cache_info()
    second = pipeline.process_item(_article(related=[link]))
    after = urls._clean_url.cache_info()
    assert first.related == second.related == [
        RelatedLink(title="Inny tekst", url="https://wiadomosci.wp.pl/inny-tekst-6030000a")]
    assert after.misses == before.misses and after.hits > before.hits


def test_cached_url_functions_answer_like_the_first_call() -> None:
    from newscrawl.urls import canonical_url, clean_url, is_http_url

    url = " HTTP://WWW.Example.com:80/a/amp/?utm_medium=x&b=2&a=1#top "
    for _ in range(2):
        assert canonical_url(url) == "https://example.com/a/?a=1&b=2"
        assert clean_url(url) == "http://www.example.com:80/a/amp/?b=2&a=1"
        assert canonical_url(None) == "" and clean_url("") == ""  # type: ignore[arg-type]
        assert is_http_url(url) and not is_http_url(None) and not is_http_url("mailto:a@b.c")
