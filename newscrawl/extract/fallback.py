"""When to distrust the chosen container and look again with fewer boilerplate hints.

Class/id words and ARIA roles can be wrong about a whole page (an article inside a `tablist`,
a theme that calls every block `masthead`). When the container found with them yields little
text for the page, the page is read again trusting tags only, and the better result is kept.
A page whose text is rendered by a script shows little of it in the markup; its schema.org
`articleBody`, when much longer than what the markup shows, is the text.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from newscrawl.extract.text import clean_text

#: below this many characters a result is always checked again
_MIN_TEXT = 200
#: a result holding less than this share of the page's visible text is checked again
_MIN_SHARE = 0.15
#: the retry must yield this many times more text to win over a non-trivial result
_GAIN = 2.0


def needs_retry(got: int, page_text: int) -> bool:
    """True when `got` characters of main text are little for a page of `page_text`."""
    return got < _MIN_TEXT or got < page_text * _MIN_SHARE


def better_retry(got: int, retry: int) -> bool:
    """True when the tags-only retry's `retry` characters should replace the first result."""
    if got < _MIN_TEXT:
        return retry > got
    return retry >= got * _GAIN


#: a rival candidate must score this share of the best score ...
_RIVAL_SCORE = 0.6
#: ... and hold this many times the paragraph text of the best-scored one
_RIVAL_TEXT = 2.0


def larger_candidate(page: Any, scores: dict[Any, float], top: Any) -> Any:
    """`top`, or the best candidate of comparable score holding clearly more paragraph text.

    A cookie notice or a teaser box can outscore a short article by a little; never by much text.
    """
    best = scores.get(top, 0.0)
    held = page.paras.get(top, 0)
    rivals = [el for el, score in scores.items()
              if score >= best * _RIVAL_SCORE and el.tag not in ("html", "body")
              and page.paras.get(el, 0) >= held * _RIVAL_TEXT and page.density(el) < 0.3]
    return max(rivals, key=scores.__getitem__) if rivals else top


def hint_outgrown(page: Any, found: Any, hint: str, rival: Any) -> bool:
    """True when a short (truncated) `hint` located a container far smaller than `rival`."""
    text = page.paras.get(rival, 0)
    return len(hint) * 2 < text and page.paras.get(found, 0) * 3 < text


#: an `articleBody` shorter than this is a summary, not the text
_MIN_HINT = 400
#: ... and the markup must show less than this share of it
_SHOWN = 0.4
_HINT_BREAKS = re.compile(r"\s*\n\s*|</p>|<br\s*/?>", re.I)
_TAG = re.compile(r"<[^>]{0,500}>")


def not_shown(hint: str, got: int) -> bool:
    """True when the page's `articleBody` (`hint`) is a text the markup does not show: the
    main text found holds `got` characters, far fewer than it."""
    return len(hint) >= _MIN_HINT and got < len(hint) * _SHOWN


def hint_paragraphs(hint: str) -> list[str]:
    """The paragraphs of an `articleBody` value: split at its line breaks (or `<p>`/`<br>`
    when a site writes HTML into it), markup and character references removed."""
    parts = (clean_text(unescape(_TAG.sub(" ", part))) for part in _HINT_BREAKS.split(hint))
    return [part for part in parts if part]
