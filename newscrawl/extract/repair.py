"""Markup repairs at parse time: what browsers read on a page and libxml2 does not.

An `</html>` end tag written before the `<body>` ends libxml2's parse (browsers read on); blog
themes ship the article text as the HTML of a `<script type="text/template">` inside the
`itemprop="articleBody"` element and render it with a script; ruby readings written over each
character are no words of the text.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

_HTML_END = re.compile(rb"</html\s*>", re.I)
#: an `</html>` end tag followed later by a `<body>` start tag
_EARLY_HTML_END = re.compile(rb"</html\s*>.*?<body[\s>]", re.I | re.S)


def closes_early(page: bytes) -> bool:
    """True when the page closes `</html>` before a `<body>` start tag."""
    return _EARLY_HTML_END.search(page) is not None


def without_html_end(page: bytes) -> bytes:
    """The page without its `</html>` end tags."""
    return _HTML_END.sub(b"", page)


def open_article_templates(root: Any, parser: Any) -> None:
    """Parse in place the HTML of a `<script type="text/template">` that is the whole content
    of an `itemprop="articleBody"` element (beside a `<noscript>` copy at most): blog themes
    ship the article text that way and render it with a script."""
    for script in list(root.iter("script")):
        parent = script.getparent()
        if (script.get("type") or "").lower() != "text/template" or not script.text \
                or parent is None or (parent.get("itemprop") or "").lower() != "articlebody" \
                or _holds_text(parent):
            continue
        holder = etree.fromstring(f"<div>{script.text}</div>".encode(), parser=parser)
        div = holder.find(".//div") if holder is not None else None
        if div is None:
            continue
        div.tail = script.tail
        parent.replace(script, div)


def _holds_text(el: Any) -> bool:
    """True when `el` holds visible text outside its scripts (and their `<noscript>` twins)."""
    if (el.text or "").strip() or any((c.tail or "").strip() for c in el):
        return True
    return any(c.tag not in ("script", "noscript") and "".join(c.itertext()).strip()
               for c in el if isinstance(c.tag, str))


def drop_ruby_readings(root: Any) -> None:
    """Remove the readings (`<rt>`) of ruby annotations that give no `<rp>` fallback: furigana
    printed over the characters of a Japanese text (`<ruby>子<rt>こ</rt></ruby>`), which read
    as doubled words in plain text. With `<rp>` brackets the page asks for the reading to show
    inline, "尹錫悦（ユンソンニョル）", and it stays."""
    for ruby in list(root.iter("ruby")):
        if ruby.find("rp") is not None:
            continue
        for rt in ruby.findall("rt"):
            rt.drop_tree()  # keeps the text after it
