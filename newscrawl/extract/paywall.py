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
from itertools import islice
from typing import Any

from newscrawl.extract.document import Document
from newscrawl.extract.prefilter import Prefiltered
from newscrawl.extract.text import clean_text
from newscrawl.extract.textscan import text_hits_backwards

#: Notices that only a paid-access barrier writes.
_NOTICE = Prefiltered(re.compile(
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
    re.I), ("pozostało ", "czytaj dalej", "tylko dla ", "dostępn", "subscribe ", "continue reading",
            "available ", "reserved ", "exclusive ", "subscribers only", "already a subscriber?",
            "weiterlesen mit", "lesen sie weiter mit", "nur für ", " und weiterlesen",
            "réservé aux abonnés", "lire la suite", "para suscriptores"))
#: Words of a notice asking the reader to pay or log in (enough after text cut with "...").
_ASK = Prefiltered(re.compile(r"subscri|abonn|\babo\b|subskryb|prenumer|zaloguj|log ?in|sign in|"
                              r"anmelden|registr|suscri", re.I),
                   ("subscri", "abo", "subskryb", "prenumer", "zaloguj", "login", "log in",
                    "sign in", "anmelden", "registr", "suscri"))
_HIDDEN = Prefiltered(re.compile(r"(?:^|\s)(?:hidden|d-none|is-hidden|visually-hidden)(?:$|\s)|"
                                 r"display\s*:\s*none", re.I), ("hidden", "d-none", "display"))
_MARKED = Prefiltered(
    re.compile(r"(?:^|[\s_-])(?:paywall|pay-wall|paid-content|premium-(?:lock|wall|gate|"
               r"block|box)|subscriber-only|subscription-(?:wall|gate|required)|regwall|"
               r"reg-wall|article-locked|content-locked|locked-content|meter-wall)"
               r"(?:$|[\s_-])", re.I),
    ("paywall", "pay-wall", "paid-content", "premium-", "subscriber-only", "subscription-",
     "regwall", "reg-wall", "locked", "meter-wall"))
_CUT = re.compile(r"(?:\.\.\.|…)\s*$")
#: How many elements after the last body paragraph are read for a notice, and how many of
#: them for a request to subscribe or log in after text cut with "...".
WINDOW = 40
CUT_WINDOW = 15
_SKIP = {"script", "style", "noscript", "template", "svg"}
_INLINE = {"a", "b", "strong", "i", "em", "span", "u", "mark", "small", "sup", "sub"}
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
    skipped: set[Any] = set()
    marked: set[Any] = set()
    for i, el in enumerate(_after_text(doc, paragraphs[-1])):
        parent = el.getparent()
        attrs = f"{el.get('class', '')} {el.get('id', '')} {el.get('style', '')}"
        if parent in skipped or el.tag in _BESIDE or el.get("hidden") is not None \
                or (len(attrs) > 2 and _HIDDEN.search(attrs)):
            skipped.add(el)  # its descendants follow it and are skipped with it
            continue
        if parent in marked or (len(attrs) > 2 and _MARKED.search(attrs)):
            marked.add(el)
        text = _own_text(el)
        if not text:
            continue
        if _NOTICE.search(text):
            return True
        if (el in marked or (cut and i < CUT_WINDOW)) and _ASK.search(text):
            return True
    return False


def _own_text(el: Any) -> str:
    """The text an element holds itself and in its childless children (a notice is a short
    leaf or a line with a link in it), whitespace collapsed; read without walking deeper."""
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and child.tag not in _SKIP and not len(child):
            parts.append(child.text or "")
        parts.append(child.tail or "")
    text = " ".join(" ".join(parts).split())
    return text if 8 <= len(text) <= 600 else ""


def _after_text(doc: Document, last: str) -> list[Any]:
    """The elements following the one that holds the last body paragraph, at most WINDOW."""
    probe = clean_text(last)[:40]
    if len(probe) < 10:
        return []
    word = max(probe.split(), key=len)  # one whole word: spacing in the source cannot split it
    start = None
    elements = doc.elements
    for i in text_hits_backwards(elements, word):  # the word is in the text or the tail
        el = elements[i]
        text = el.text
        in_text = bool(text) and word in text
        holder = el.getparent() if el.tag in _INLINE or not in_text else el
        if holder is None:
            continue
        head = holder.text or ""
        if len(holder) and isinstance(holder[0].tag, str):
            head += f"{holder[0].text or ''}{holder[0].tail or ''}"
        if probe in clean_text(head[:400]):
            start = doc.stats.pos.get(holder)
            break
    if start is None:  # text after a comment (`<!-- x -->Text`): ask lxml for it, slower
        for holder in reversed(doc.root.xpath("//*[text()[contains(., $w)]]", w=word)):
            if probe in clean_text("".join(holder.xpath("text()"))[:400]):
                start = doc.stats.pos.get(holder)
                break
    if start is None:
        return []
    out = []
    for el in islice(elements, start + 1, None):
        if el.tag in _SKIP:
            continue
        out.append(el)
        if len(out) >= WINDOW:
            break
    return out
