"""When to distrust the chosen container and look again with fewer boilerplate hints.

Class/id words and ARIA roles can be wrong about a whole page (an article inside a `tablist`,
a theme that calls every block `masthead`). When the container found with them yields little
text for the page, the page is read again trusting tags only, and the better result is kept.
"""

from __future__ import annotations

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
