"""URL canonicalisation: every tracking, AMP and mobile variant of a page has one key."""

from __future__ import annotations

import pytest

from newscrawl.urls import canonical_url, clean_url, is_http_url, is_tracking_param

ARTICLE = "https://wp.pl/news/iwanow-nowa-wspolpraca-z-nato-6029836?id=7"


@pytest.mark.parametrize("variant", [
    "https://wp.pl/news/iwanow-nowa-wspolpraca-z-nato-6029836?id=7",
    "https://www.wp.pl/news/iwanow-nowa-wspolpraca-z-nato-6029836?id=7#comments",
    "http://wp.pl/news/iwanow-nowa-wspolpraca-z-nato-6029836?id=7",
    "https://WP.pl:443/news/iwanow-nowa-wspolpraca-z-nato-6029836?utm_source=fb&id=7",
    "https://wp.pl/news/iwanow-nowa-wspolpraca-z-nato-6029836?id=7&fbclid=AbC&gclid=1&yclid=2",
    "https://wp.pl/news/iwanow-nowa-wspolpraca-z-nato-6029836?mc_cid=1&mc_eid=2&_ga=3&id=7",
    "https://m.wp.pl/news/iwanow-nowa-wspolpraca-z-nato-6029836?id=7",
    "https://mobile.wp.pl/news/iwanow-nowa-wspolpraca-z-nato-6029836?id=7",
    "https://amp.wp.pl/news/iwanow-nowa-wspolpraca-z-nato-6029836?id=7",
    "https://wp.pl/amp/news/iwanow-nowa-wspolpraca-z-nato-6029836?id=7",
    "https://wp.pl/news/iwanow-nowa-wspolpraca-z-nato-6029836.amp?id=7",
    "https://wp.pl/news/iwanow-nowa-wspolpraca-z-nato-6029836?amp=1&id=7",
    "https://wp.pl/news/iwanow-nowa-wspolpraca-z-nato-6029836?id=7&amp",
    "https://wp.pl/news/iwanow-nowa-wspolpraca-z-nato-6029836?outputType=amp&id=7",
])
def test_variants_share_one_key(variant: str) -> None:
    assert canonical_url(variant) == canonical_url(ARTICLE) == ARTICLE


def test_amp_segment_at_the_end_and_amp_html_suffix() -> None:
    assert canonical_url("https://x.pl/a/b/amp/") == "https://x.pl/a/b/"
    assert canonical_url("https://x.pl/a/b.amp.html") == "https://x.pl/a/b.html"
    # a word merely containing "amp" is not an AMP marker
    assert canonical_url("https://x.pl/camp/ampere") == "https://x.pl/camp/ampere"


def test_content_parameters_are_kept_and_sorted() -> None:
    assert canonical_url("https://x.pl/a?page=2&id=5") == "https://x.pl/a?id=5&page=2"
    assert canonical_url("https://x.pl/a?page=2") != canonical_url("https://x.pl/a?page=3")


def test_relative_urls_resolve_against_base() -> None:
    assert canonical_url("../b?utm_medium=x", "https://www.x.pl/a/c/d") == "https://x.pl/a/b"


def test_non_http_and_ports() -> None:
    assert canonical_url("mailto:a@b.pl") == "mailto:a@b.pl"
    assert canonical_url("http://127.0.0.1:8080/a") == "https://127.0.0.1:8080/a"
    assert canonical_url("http://example.com:80/a") == "https://example.com/a"
    # a two-label host keeps its name even when it starts like a mirror prefix
    assert canonical_url("https://m.pl/a") == "https://m.pl/a"


def test_clean_url_keeps_host_and_amp_but_drops_tracking() -> None:
    assert clean_url("/x?utm_source=a&id=1#top", "https://m.wp.pl/a/") == "https://m.wp.pl/x?id=1"
    assert clean_url("https://wp.pl/amp/x") == "https://wp.pl/amp/x"


def test_url_predicates() -> None:
    assert is_tracking_param("UTM_Campaign") and is_tracking_param("fbclid")
    assert not is_tracking_param("id")
    assert is_http_url("https://a.pl/x") and not is_http_url("javascript:void(0)")
    assert not is_http_url(None)
