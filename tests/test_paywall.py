"""Paywall: flagged from what the page shows at the end of the text, not only from its data."""

from __future__ import annotations

from datetime import UTC, datetime

from newscrawl.routing import extract_article

URL = "https://news.example.com/kraj/2024/05/story"
FETCHED = datetime(2024, 5, 10, tzinfo=UTC)
PARAS = ("<p>The council met on Tuesday evening to discuss the new budget for the harbour, which "
         "has been delayed twice this year already.</p>"
         "<p>Several members asked for a second reading before the vote, citing the costs of "
         "the new ferry line and the repairs to the pier.</p>")


def paywalled(article: str, after: str = "", head: str = "") -> bool:
    html = (f"<html lang='en'><head>{head}</head><body><main><article><h1>Harbour budget "
            f"delayed again</h1>{article}</article>{after}</main>"
            "<footer><p>Subscribe to our newsletter</p><a href='/login'>Log in</a></footer>"
            "</body></html>")
    return extract_article(html, URL, fetched_at=FETCHED).paywalled


def test_declared_not_free() -> None:
    head = ('<script type="application/ld+json">{"@type":"NewsArticle","headline":"H",'
            '"isAccessibleForFree":false}</script>')
    assert paywalled(PARAS, head=head)


def test_a_free_article_with_a_newsletter_footer_is_not_paywalled() -> None:
    assert not paywalled(PARAS)


def test_remaining_share_notice_after_the_text() -> None:
    after = ('<div class="intro-remaining">Pozostało jeszcze 80% artykułu</div>'
             '<div class="counter">Czytaj dalej. Subskrybuj</div>')
    assert paywalled(PARAS, after)


def test_text_cut_with_an_ellipsis_before_a_subscribe_or_log_in_box() -> None:
    cut = PARAS.replace("pier.</p>", "pier and ...</p>")
    box = '<div class="box"><p>Already have an account? Log in</p><a href="/s">Plans</a></div>'
    assert paywalled(cut, box)
    assert not paywalled(PARAS, box)  # the same box after whole text says nothing


def test_an_element_marked_as_paywall_asking_for_a_subscription() -> None:
    after = ('<div class="paywall-template-container"><p>Möchten Sie weiterlesen?</p>'
             "<p>Ja. Ich bin Abonnent. Anmelden</p></div>")
    assert paywalled(PARAS, after)


def test_hidden_paywall_boxes_and_sidebars_do_not_count() -> None:
    hidden = ('<div class="paywall--titel hidden">Als abonnee krijg je ook gratis de app. '
              "Ontdek je voordeel</div>")
    assert not paywalled(PARAS, hidden)
    cut = PARAS.replace("pier.</p>", "pier ...</p>")
    aside = "<aside><ul><li>Newsletter</li><li>Jetzt anmelden</li></ul></aside>"
    assert not paywalled(cut, aside)


def test_notice_left_as_the_last_body_paragraph() -> None:
    notice = "<p>Subscribe now to continue reading this story.</p>"
    assert paywalled(PARAS + notice)
