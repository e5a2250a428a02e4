"""Paywall: whether the page shows the article as cut short for readers who do not pay.

A page says so in its data (`isAccessibleForFree: false`) or shows it: a paid-access notice right
after the article's text ("Pozostało jeszcze 80% artykułu", "Subscribe to continue reading",
"Weiterlesen mit Plus"), an element marked as a paywall that asks for a subscription or a login,
or text that stops with "..." before a notice asking to subscribe or log in. Only the few
elements after the last body paragraph (and the last paragraphs themselves) are read, so a
newsletter box or a footer's "Subscribe" elsewhere on the page does not count.
"""

from __future__ import annotations

import re
from typing import Any

from newscrawl.extract.document import Document
from newscrawl.extract.text import clean_text, node_text

#: Notices that only a paid-access barrier writes.
_NOTICE = re.compile(
    r"pozostało (?:jeszcze )?\d+\s?% (?:artykułu|tekstu|treści)|"
    r"czytaj dalej\W+(?:subskryb|wykup|zaloguj|kup)|"
    r"tylko dla (?:prenumerator|subskrybent|abonent)|"
    r"dostępn\w* (?:tylko |wyłącznie )?(?:dla|w ramach) (?:prenumerat|subskryp|abonament)|"
    r"subscribe (?:now |today )?to (?:continue|keep reading|read)|"
    r"continue reading\W+(?:subscribe|sign in|log in|become a (?:subscriber|member))|"
    r"(?:article|story|content) is (?:only )?(?:available|reserved|exclusive) "
    r"(?:only )?(?:to|for) (?:subscribers|members|premium)|"
    r"for subscribers only|subscribers only|already a subscriber\?|"
    r"(?:weiterlesen|lesen sie weiter) mit|nur für (?:abonnenten|abonnentinnen|plus)|"
    r"jetzt (?:abonnieren|abo abschließen|freischalten) und weiterlesen|"
    r"réservé aux abonnés|lire la suite\W+abonnez|"
    r"(?:solo|exclusivo) para suscriptores|contenido para suscriptores",
    re.I)
#: Words of a notice asking the reader to pay or log in (enough after text cut with "...").
_ASK = re.compile(r"subscri|abonn|\babo\b|subskryb|prenumer|zaloguj|log ?in|sign in|"
                  r"anmelden|registr|suscri", re.I)
_HIDDEN = re.compile(r"(?:^|\s)(?:hidden|d-none|is-hidden|visually-hidden)(?:$|\s)|"
                     r"display\s*:\s*none", re.I)
_MARKED = re.compile(r"(?:^|[\s_-])(?:paywall|pay-wall|paid-content|premium-(?:lock|wall|gate|"
                     r"block|box)|subscriber-only|subscription-(?:wall|gate|required)|regwall|"
                     r"reg-wall|article-locked|content-locked|locked-content|meter-wall)"
                     r"(?:$|[\s_-])", re.I)
_CUT = re.compile(r"(?:\.\.\.|…)\s*$")
#: How many elements after the last body paragraph are read for a notice, and how many of
#: them for a request to subscribe or log in after text cut with "...".
WINDOW = 60
CUT_WINDOW = 15
_SKIP = {"script", "style", "noscript", "template", "svg"}
#: Page furniture beside the article: what it says is not about the article's access.
_BESIDE = {"aside", "nav", "footer"}


def shows_paywall(doc: Document, paragraphs: list[str], accessible_for_free: bool | None
                  ) -> bool:
    """True when the page declares the article not free, or shows a paid-access barrier at
    the end of its text."""
    if accessible_for_free is False:
        return True
    if not paragraphs:
        return False
    if any(len(p) < 300 and _NOTICE.search(p) for p in paragraphs[-2:]):
        return True
    cut = bool(_CUT.search(paragraphs[-1]))
    for i, el in enumerate(_after_text(doc, paragraphs[-1])):
        if el.get("hidden") is not None \
                or _HIDDEN.search(f"{el.get('class', '')} {el.get('style', '')}") \
                or any(a.tag in _BESIDE for a in (el, *el.iterancestors())):
            continue
        text = node_text(el)
        if not text or len(text) > 600:
            continue
        if _NOTICE.search(text):
            return True
        marked = _MARKED.search(f"{el.get('class', '')} {el.get('id', '')}") is not None
        if (marked or (cut and i < CUT_WINDOW)) and _ASK.search(text):
            return True
    return False


def _after_text(doc: Document, last: str) -> list[Any]:
    """The elements following the one that holds the last body paragraph, at most WINDOW."""
    probe = clean_text(last)[:40]
    if len(probe) < 10:
        return []
    elements = doc.elements
    start = None
    for i in range(len(elements) - 1, -1, -1):
        el = elements[i]
        if el.tag in _SKIP:
            continue
        head = el.text or ""
        if len(el) and isinstance(el[0].tag, str):
            head += f"{el[0].text or ''}{el[0].tail or ''}"
        if probe in clean_text(head):
            start = i
            break
    if start is None:
        return []
    out = []
    for el in elements[start + 1:]:
        if el.tag in _SKIP or el.getparent() is not None and el.getparent().tag in _SKIP:
            continue
        out.append(el)
        if len(out) >= WINDOW:
            break
    return out
