"""Boilerplate tests of the main-text finder: tags, roles and class/id words, closing lines."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

BLOCK_TAGS = frozenset((
    "p", "div", "section", "article", "main", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "table", "tbody", "thead", "tr", "td", "th", "dl", "dt", "dd", "center",
    "address", "details", "summary", "hr", "br", "header", "figure", "aside", "nav", "footer",
    "form", "fieldset", "body", "html",
))
JUNK_TAGS = frozenset((
    "script", "style", "noscript", "template", "nav", "footer", "button",
    "select", "option", "iframe", "svg", "figure", "figcaption", "label", "input", "textarea",
    "object", "embed", "canvas", "video", "audio", "map", "dialog", "menu", "head", "title",
    "picture", "img", "math", "meta", "link",
))
HEADINGS = frozenset(("h2", "h3", "h4", "h5", "h6"))
PARA_TAGS = frozenset(("p", "pre", "td", "blockquote", "li"))
_KEEP_TAGS = frozenset(("html", "body", "main"))
_JUNK_ROLES = frozenset(("navigation", "complementary", "contentinfo", "banner", "search",
                         "dialog", "menu", "menubar", "alert", "toolbar", "tablist"))
#: class/id words of blocks that are boilerplate whatever they hold
_STRONG_WORDS = frozenset((
    "ad", "ads", "adv", "advert", "advertisement", "advertising", "adslot", "banner", "breadcrumb",
    "breadcrumbs", "comment", "comments", "cookie", "cookies", "disqus", "footer", "menu", "nav",
    "navbar", "navigation", "newsletter", "outbrain", "popup", "modal", "promo", "related",
    "recommended", "recommendations", "share", "sharing", "social", "sidebar", "sponsor",
    "sponsored", "subscribe", "subscription", "taboola", "signup", "login", "masthead",
    "pagination", "pager", "skip", "tooltip", "overlay", "reklama", "polecane", "komentarze",
    "udostepnij", "werbung", "anzeige", "readmore", "disclaimer", "copyright", "ticker",
))
#: class/id words of blocks that are boilerplate unless they hold real paragraph text
_WEAK_WORDS = frozenset((
    "byline", "caption", "captions", "credit", "credits", "meta", "metadata", "tags", "tag",
    "toolbar", "widget", "print", "rating", "author", "authors", "date", "dateline", "timestamp",
    "infobox", "gallery", "slideshow", "carousel", "embed", "video", "player", "audio", "podcast",
    "teaser", "teasers", "topics", "keywords", "bio", "photo", "image", "img", "figure", "header",
    "headline", "title", "kicker", "label", "breaking", "trending", "popular", "most", "zobacz",
    "czytaj", "promotion", "shares",
))
#: tags whose own text, written straight in, counts as a paragraph
TEXT_DIVS = frozenset(("div", "section", "article", "span", "font", "center", "main"))
#: tags that are boilerplate unless they hold real paragraph text
WEAK_TAGS = frozenset(("aside", "form"))
_JUNK_PREFIXES = ("share", "social", "newsletter", "comment", "related", "recommend", "advert",
                  "sidebar", "breadcrumb", "cookie", "outbrain", "taboola", "sponsor", "subscri",
                  "promo", "reklam", "polecan")
_JUNK_EXCEPT = frozenset(("commentary", "comment-body", "promotional"))
#: class/id words of the article's own container (a small bonus for a candidate)
POSITIVE_WORDS = frozenset((
    "article", "body", "content", "entry", "main", "post", "story", "text", "articlebody",
    "hentry", "blog", "tresc", "artykul", "prose", "richtext"))
#: class/id words that name a standfirst
LEAD_WORDS = frozenset((
    "lead", "standfirst", "intro", "summary", "dek", "deck", "subtitle", "subheadline",
    "excerpt", "abstract", "lede", "perex", "zajawka", "wstep", "lid", "teaser", "subhead",
    "strapline", "sapo", "chapo", "bajada", "description", "leadtext", "intro-text", "lead-text",
    "articlelead", "vorspann", "preface", "einleitung", "chapeau", "entradilla", "preamble",
    "ingress", "subheader", "epigraph"))
_TAXONOMY_PREFIXES = ("category-", "tag-", "tags-", "topic-", "categories-", "label-")
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_BOILER_LINE = re.compile(
    r"^\(?(?:advertisement|anzeige|reklama|werbung|publicit[ée]|sponsored|"
    r"(?:read|see|watch|listen)(?: also| more| next)?|"
    r"(?:czytaj|zobacz|przeczytaj)(?: też| także| również| więcej)?|"
    r"(?:lesen|sehen) sie auch|mehr zum thema|(?:à )?lire aussi|voir aussi|"
    r"lee también|leer más|leggi anche|vedi anche|lees ook|se även|les også|"
    r"share(?: this(?: article| story)?)?|tweet|follow us.*|sign up.*|subscribe.*|"
    r"(?:previous|prev|next)(?: (?:previous|prev|next))?|"  # a gallery's buttons
    r"(?:photo|foto|fot|source|źródło|quelle|image|credit)s?\s*[:.].*|©.*|copyright.*|"
    r"all rights reserved.*|related(?: articles| stories)?|udostępnij|komentarze?|"
    # blog software's own lines: share and like buttons, comment forms, post footers
    r"teilen(?: sie dies)? mit|share this:|(?:gefällt mir\W*)?wird geladen|"
    r"(?:like\W*)?loading|kommentar verfassen|leave a (?:comment|reply)|"
    r"this entry was posted .*|der beitrag wurde am .*)\W*$",
    re.I)
#: "By Jane Doe", "Von Hans Müller, dpa", "Autor: Jan Kowalski": the prefix, then a name
#: (a capital letter; "Por ende, ...", "Von den Fällen ..." open sentences)
_BYLINE = re.compile(r"^(?:by|von|par|por|door|autor(?:ka)?|author)\s*:?\s+(\S)", re.I)
_DATE_LINE = re.compile(
    r"^(?:(?:published|updated|posted|opublikowano|aktualizacja|veröffentlicht|aktualisiert|"
    r"stand)\s*:?\s*)?[\w\s.,:/|-]{0,30}\d{1,4}[./\s-]\S{1,10}[./\s-]\d{2,4}[\w\s.,:|-]{0,25}$",
    re.I)
_WORDS = re.compile(r"\w+")
#: text ending like a sentence (a full stop, closing quote or bracket...)
SENTENCE_END = re.compile(r"[.!?…)\"”»“。！？」』]\W*$")


def class_id_words(el: Any, *, bases: bool = False) -> tuple[str, ...]:
    """The lower-case words of the element's class and id values (cached by value);
    `bases`: without BEM modifiers and record ids (`field--item` is a field in the state
    "item", `item-1136087` a numbered record: neither an item of a teaser list)."""
    cls, ident = el.get("class"), el.get("id")
    if cls is None and ident is None:
        return ()
    return (_split_base_words if bases else _split_words)(cls or "", ident or "")


@lru_cache(maxsize=8192)
def _split_words(cls: str, ident: str) -> tuple[str, ...]:
    raw = f"{cls} {ident}".lower()
    return tuple(w for w in _WORD_SPLIT.split(raw) if w) if raw.strip() else ()


@lru_cache(maxsize=8192)
def _split_base_words(cls: str, ident: str) -> tuple[str, ...]:
    bases = " ".join(token.split("--", 1)[0] for token in f"{cls} {ident}".lower().split()
                     if not _RECORD_ID.match(token))
    return tuple(w for w in _WORD_SPLIT.split(bases) if w)


#: a record's identifier (`item-1136087`, `post_42`): it numbers the element, not its role
_RECORD_ID = re.compile(r"[a-z]+[-_]\d+$")


def is_anchor(a: Any) -> bool:
    """True for an `<a>` that only names a place in the page (`<a name="q3">`, no `href`): its
    text is the article's, not a link's (buttons without `href` stay links)."""
    return a.get("href") is None and a.get("name") is not None


#: a web or e-mail address written out in full
WEB_ADDRESS = re.compile(r"(?:https?://|\bwww\.)\S+", re.I)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.I)


def shows_address(a: Any) -> bool:
    """True for a link whose text is its address written out (a petition's URL, a contact
    e-mail): the text shows the reader where to go, data of the article, not a link label."""
    text = a.text if not len(a) else "".join(a.itertext())
    text = (text or "").strip()
    return bool(text) and (WEB_ADDRESS.fullmatch(text) or EMAIL.fullmatch(text)) is not None


def junk_flags(el: Any) -> tuple[bool, bool]:
    """(never article text by tag or visibility, boilerplate by ARIA role) for one element."""
    tag = el.tag
    if tag in JUNK_TAGS:
        return True, False
    if tag in _KEEP_TAGS:
        return False, False
    attrs = el.attrib
    if not attrs:
        return False, False
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return True, False
    role = attrs.get("role")
    style = attrs.get("style")
    return (bool(style and _HIDDEN_STYLE.search(style)),
            bool(role and role.lower() in _JUNK_ROLES))


def class_junk(el: Any, tag: str | None = None) -> int:
    """2 when class/id words say boilerplate, 1 when they say 'probably', 0 otherwise.

    `tag`: the element's tag when the caller already has it (reading `el.tag` costs).
    """
    tag = tag or el.tag
    # a heading's id is the anchor of a table of contents, a slug of its own words
    # (`id="nav_the_last_part"`), which says nothing about what the heading is
    cls, ident = el.get("class"), None if tag in HEADINGS else el.get("id")
    if (cls is None and ident is None) or tag in _KEEP_TAGS:
        return 0
    level = _class_level(cls or "", ident or "")
    if level and (el.get("itemprop") or "").lower() == "articlebody":
        return 0
    return level


_HIDDEN_TOKENS = frozenset(("hidden", "sr-only", "visually-hidden", "screen-reader-text",
                            "visuallyhidden"))
#: A word starting with a junk prefix (every prefix is longer than four letters).
_PREFIX_WORD = re.compile(rf"(?:^|[^a-z0-9])(?:{'|'.join(_JUNK_PREFIXES)})")


@lru_cache(maxsize=16384)
def _class_level(cls: str, ident: str) -> int:
    raw = f"{cls} {ident}".lower()
    tokens = raw.split()
    if not tokens:
        return 0
    if not _HIDDEN_TOKENS.isdisjoint(tokens) and ":" not in raw:
        return 2
    if not _JUNK_EXCEPT.isdisjoint(tokens):
        return 0
    return max(map(_token_level, tokens))


@lru_cache(maxsize=16384)
def _token_level(token: str) -> int:
    """2: a word of the token is a strong junk word (or starts like one), 1: a weak one."""
    base = token.split("--", 1)[0]  # BEM modifiers (`block__el--mod`) describe a state
    if base.startswith(_TAXONOMY_PREFIXES):
        return 0  # `category-x`, `tag-x` name the article's topics, not its parts
    words = _WORD_SPLIT.split(base)
    if not _STRONG_WORDS.isdisjoint(words) or _PREFIX_WORD.search(base):
        return 2
    return 0 if _WEAK_WORDS.isdisjoint(words) else 1


def loose_tail(text: str) -> bool:
    """A short closing line that is a label or caption, not the end of a sentence."""
    return len(text) < 60 and not SENTENCE_END.search(text)


def keep_block(kind: str, text: str, density: float, before_link: str = "") -> bool:
    """Whether an emitted block is article text; `before_link`: its text before any link."""
    if kind == "h1" or not re.search(r"\w", text):
        return False
    if density >= 0.5 and (len(text) < 300 or density > 0.7) \
            and not _sentence_with_link(text, before_link):
        return False
    if len(text) < 120 and (_BOILER_LINE.match(text) or _is_byline(text)):
        return False
    if len(text) < 250 and (_EMBED_SIGNOFF.match(text) or _CREDIT_TAIL.search(text)):
        return False
    if len(text) < 400 and _MACHINE_LINE.match(text):
        return False
    return True


def byline_or_date(text: str) -> bool:
    """A byline ("By Jane Doe", "von Jane Doe 13.12.2022") or a date line."""
    return _is_byline(text) or date_line(text)


def date_line(text: str) -> bool:
    """A short line that is a date, with a label at most ("Published: 12.03.2021 10:00")."""
    return len(text) < 80 and _DATE_LINE.match(text) is not None


def _is_byline(text: str) -> bool:
    """A byline line: the prefix then a name, or a few words that end no sentence
    ("Von t-online, jse")."""
    found = _BYLINE.match(text)
    return found is not None and (found.group(1).isupper() or (
        len(text.split()) <= 6 and not SENTENCE_END.search(text)))


#: the sign-off line of an embedded post: "— Jane Doe (@jane) April 29, 2021", "A post shared
#: by Jane (@jane) on ..."
_EMBED_SIGNOFF = re.compile(
    r"^(?:[—–-]|a post shared by)\s*[^()\n]{1,90}\(@[\w.]{1,30}\)\s*(?:on\s+)?"
    r"(?:\w+\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\.?\s+\w+\.?\s+\d{4}|\d{4}-\d{2}-\d{2})\b.{0,20}$",
    re.I)
#: lines a program writes, not an author: a blog engine's post footer ("This entry was posted
#: in ... Bookmark the permalink."), a server's PHP warning ("Warning: ... on line 407")
_MACHINE_LINE = re.compile(
    r"^(?:this entry was posted |der beitrag wurde am |dieser eintrag wurde am |"
    r"(?:php )?(?:warning|notice|deprecated|fatal error|parse error|strict standards): "
    r".* on line \d+\W*$)", re.I)
#: a caption ending with its photo credit: "... Fot. Jan Nowak / Materiały prasowe",
#: "... Photo: Reuters", "... | © Getty Images" (no sentence end after the credit)
_CREDIT_TAIL = re.compile(
    r"(?:^|\s)(?:fot\.|fot:|foto:|photo:|zdj\.|zdjęcie:|credit:|bild:|image:|photograph:|©)"
    r"\s*[^\s.!?][^.!?]{0,60}$", re.I)


def _sentence_with_link(text: str, before_link: str) -> bool:
    """A sentence of the article whose second half is a link to another article ("X replaced
    Y, <a>who for eight months ...</a>."): several words run into the link, not a label such as
    "Read also:", and the text ends like a sentence."""
    before = before_link.strip()
    return (len(_WORDS.findall(before)) >= 3 and not before.endswith(":")
            and not _BOILER_LINE.match(before)
            and SENTENCE_END.search(text) is not None and len(_WORDS.findall(text)) >= 8)


#: A bracketed "more" link closing a paragraph ("... [czytaj więcej]", "... [read more]").
_MORE_LABEL = re.compile(r"\s*\[(?:czytaj |read |lesen sie )?(?:więcej|dalej|more|mehr|weiter|"
                         r"suite|plus|leer más)\]\s*$", re.I)


def drop_more_label(text: str) -> str:
    """The paragraph without a bracketed "read more" link label at its end."""
    return _MORE_LABEL.sub("", text) if text.endswith("]") else text


_HARD_WORDS = frozenset((
    "related", "comment", "comments", "share", "social", "newsletter", "promo", "sidebar", "ad",
    "ads", "advert", "advertisement", "teasers", "recommended", "polecane", "caption", "gallery",
    "card", "list", "item", "items", "nav", "menu", "footer"))


def hard_junk(el: Any, skip: set[int], *, class_words: bool = True) -> bool:
    """True when the element or an ancestor is surely not the article (for lead candidates).

    Tags count at any depth; class/id words only on the element and its three nearest
    ancestors below the page's outer wrappers (an `<html class="menu-closed">` or a WordPress
    `<article class="tag-social">` says nothing about a standfirst deep inside), and not at
    all with `class_words=False`.
    """
    node, depth = el, 0
    while node is not None:
        if id(node) in skip or node.tag in JUNK_TAGS or node.tag == "a":
            return True
        if class_words and depth <= 3 and node.tag not in _OUTER_TAGS \
                and not _HARD_WORDS.isdisjoint(class_id_words(node, bases=True)):
            return True
        node = node.getparent()
        depth += 1
    return False


_OUTER_TAGS = frozenset(("html", "body", "main", "article"))


_MEDIA_TAGS = frozenset(("video", "iframe", "embed", "object", "audio"))
_MEDIA_WORDS = frozenset(("video", "player", "embed", "youtube", "vimeo", "podcast", "audio"))


def titles_embed(heading: Any) -> bool:
    """True for a heading that titles an embedded player rather than a part of the text: it
    shares a wrapper only with video/audio embeds or player placeholders holding no text."""
    parent = heading.getparent()
    if parent is None:
        return False
    others = [el for el in parent if el is not heading and isinstance(el.tag, str)]
    return bool(others) and all(_empty_player(el) for el in others)


def _empty_player(el: Any) -> bool:
    if any((t or "").strip() for t in el.itertext()):
        return False
    if el.tag in _MEDIA_TAGS or next(el.iter(*_MEDIA_TAGS), None) is not None:
        return True
    words = class_id_words(el)
    return not _MEDIA_WORDS.isdisjoint(words) or any(
        w.startswith(("video", "player")) for w in words)
