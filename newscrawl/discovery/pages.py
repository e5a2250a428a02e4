"""Is a fetched page an article or a listing? JSON-LD type, og:type, URL shape, text density."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html import escape, unescape
from urllib.parse import urlsplit

from parsel import Selector

from newscrawl.discovery.listing import is_pagination_url, looks_like_article_url

ARTICLE_TYPES = {"article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle",
                 "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle",
                 "blogposting", "liveblogposting", "report", "scholarlyarticle"}
LISTING_TYPES = {"collectionpage", "website", "itemlist", "searchresultspage", "webpage"}


def _jsonld_types(sel: Selector) -> set[str]:
    types: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, list):
            for n in node:
                walk(n)
        elif isinstance(node, dict):
            t = node.get("@type")
            for name in t if isinstance(t, list) else [t]:
                if isinstance(name, str):
                    types.add(name.lower())
            walk(node.get("@graph"))

    for raw in sel.css('script[type="application/ld+json"]::text').getall():
        try:
            walk(json.loads(raw))
        except ValueError:
            continue
    return types


def classify_page(html: str | Selector, url: str) -> str:
    """"article", "listing" or "unknown", from the strongest signal the page offers."""
    sel = html if isinstance(html, Selector) else Selector(text=html)
    types = _jsonld_types(sel)
    if types & ARTICLE_TYPES:
        return "article"
    og = (sel.css('meta[property="og:type"]::attr(content)').get() or "").strip().lower()
    if og == "article":
        return "article"
    if og in ("website", "object") or (types & LISTING_TYPES and "webpage" not in types):
        return "listing"
    if is_pagination_url(url):
        return "listing"
    paragraphs = [p for p in sel.css("p").xpath("normalize-space(string())").getall()
                  if len(p) > 80]
    text_len = sum(len(p) for p in paragraphs)
    link_count = len(sel.css("a[href]"))
    if len(paragraphs) >= 3 and text_len >= 600 and text_len / max(link_count, 1) > 15:
        return "article"
    if looks_like_article_url(url) and len(paragraphs) >= 2:
        return "article"
    if link_count >= 20 and text_len / max(link_count, 1) < 15:
        return "listing"
    return "unknown"


# -- page verdict: is what the extractor found an article, or a listing / soft 404? -------------

KINDS = ("article", "listing", "section", "tag", "author", "search", "soft404", "unknown")
NOT_ARTICLE_KINDS = frozenset(KINDS) - {"article", "unknown"}
_KIND_TYPES = {"collectionpage": "section", "itemlist": "listing", "searchresultspage": "search",
               "profilepage": "author"}
_NOT_FOUND = re.compile(
    r"(?<![\w.,])404(?![\w.,])|nie\s+istnieje|nie\s+(?:zosta[łl]a\s+)?znalezion|nie\s+odnaleziono|"
    r"brak\s+strony|page\s+not\s+found|not\s+found|page\s+(?:does\s+not|doesn't)\s+exist|"
    r"nicht\s+gefunden|existiert\s+nicht|no\s+encontrad[ao]|no\s+existe|introuvable|"
    r"n'existe\s+pas|non\s+trovat[ao]|nenalezen|nenájden|nem\s+tal[aá]lhat", re.I)
_URL_KINDS = (
    ("search", re.compile(r"/(?:szukaj|wyszukaj|wyszukiwarka|search|suche|buscar)(?:/|$|\.)",
                          re.I)),
    ("tag", re.compile(r"/(?:tag|tagi|tags|temat|tematy|topic|topics|hashtag)/", re.I)),
    ("author", re.compile(r"/(?:autor|autorzy|author|authors|autorzy-portalu|redaktor)/", re.I)),
    ("section", re.compile(r"/(?:kategoria|kategorie|category|categories|dzial|rubryka)/", re.I)),
)
_SEARCH_QUERY = re.compile(r"(?:^|&)(?:q|s|query|szukaj|search|fraza)=", re.I)
_SENTENCE_END = re.compile(r"[.!?…:;\"”»)]\s*$")
_TEASER_KEY = 20
#: A link whose text is at least this long reads as a headline; a teaser block holds one such
#: link and a lead of no more than _BLOCK_SLACK characters besides (section label, date).
_HEADLINE_LINK = 20
_BLOCK_SLACK = 120
_TAIL_TEXT = 40


@dataclass(frozen=True)
class PageVerdict:
    """What a fetched page is (`kind`, one of KINDS) and why, in a short line for the log."""

    kind: str
    reason: str

    @property
    def is_article(self) -> bool:
        """False only for pages recognised as something else; `unknown` is kept as an article."""
        return self.kind not in NOT_ARTICLE_KINDS


class _Page:
    """Signals of one page, each read only when the verdict asks for it."""

    def __init__(self) -> None:
        self.types: set[str] = set()
        self.og = ""
        self.robots = ""
        self.rel_next = False
        self.title = ""

    def meta(self, name: str, content: str) -> None:
        name = name.strip().lower()
        if name == "og:type":
            self.og = self.og or content.strip().lower()
        elif name == "robots":
            self.robots += " " + content.lower()

    def add_jsonld(self, raw: str) -> None:
        try:
            _walk_types(json.loads(raw), self.types)
        except ValueError:
            return

    def h1(self) -> str:
        raise NotImplementedError

    def anchors(self) -> list[str]:
        raise NotImplementedError

    def paragraphs(self) -> list[str]:
        raise NotImplementedError

    def introduced(self, paras: list[str]) -> int:
        """How many of these paragraphs follow a headline link in their own small block, as a
        teaser's lead follows its title."""
        raise NotImplementedError


def _norm(text: str) -> str:
    return " ".join(text.split())


def _walk_types(node: object, out: set[str]) -> None:
    if isinstance(node, list):
        for n in node:
            _walk_types(n, out)
    elif isinstance(node, dict):
        t = node.get("@type")
        for name in t if isinstance(t, list) else [t]:
            if isinstance(name, str):
                out.add(name.lower().rsplit("/", 1)[-1])
        _walk_types(node.get("@graph"), out)


class _SelectorPage(_Page):
    """Signals read from an already parsed page: XPath over its tree, no second parse."""

    def __init__(self, sel: Selector) -> None:
        super().__init__()
        self.root = sel.root
        for el in self.root.xpath("//meta[@content] | //link[@rel] | //title"
                                  " | //script[@type='application/ld+json']"):
            tag = el.tag
            if tag == "meta":
                self.meta(el.get("property") or el.get("name") or "", el.get("content"))
            elif tag == "link":
                self.rel_next = self.rel_next or "next" in el.get("rel").lower().split()
            elif tag == "title":
                self.title = self.title or _norm(el.xpath("string()"))
            else:
                self.add_jsonld(el.text or "")

    def h1(self) -> str:
        return _norm(self.root.xpath("string((//h1)[1])"))

    def anchors(self) -> list[str]:
        return [_norm(a.xpath("string()")) for a in self.root.xpath("//a[@href]")]

    def paragraphs(self) -> list[str]:
        return [_norm(p.xpath("string()")) for p in self.root.xpath("//p")]

    def introduced(self, paras: list[str]) -> int:
        found: set[str] = set()
        for a in self.root.iter("a"):
            title = _norm(a.xpath("string()"))
            if len(title) < _HEADLINE_LINK or a.get("href") is None:
                continue
            if not (a.xpath("ancestor::*[position() <= 2][self::h1 or self::h2 or self::h3 or "
                            "self::h4 or self::h5 or self::h6]") or a.xpath(".//h1|.//h2|.//h3|"
                                                                            ".//h4|.//h5|.//h6")):
                continue
            block, text = a, title
            for _ in range(3):
                block = block.getparent()
                if block is None:
                    break
                text = _norm(block.xpath("string()"))
                if len(text) > len(title) + 20:
                    break
            found.update(p for p in paras if len(p) <= len(text) - len(title)
                         and len(text) <= len(title) + len(p) + _BLOCK_SLACK and p in text)
        return len(found)


_TAG_RE = re.compile(r"<[^>]*>")
_ATTR_RE = re.compile(r"""([\w:-]+)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""")
_BODY_RE = re.compile(r"<body\b", re.I)
_H1_RE = re.compile(r"<h1\b[^>]*>(.*?)</h1", re.I | re.S)
_A_RE = re.compile(r"<a\b([^>]*)>(.*?)</a\s*>", re.I | re.S)
_HEADING_RE = re.compile(r"</?h[1-6]\b", re.I)
_P_RE = re.compile(r"<p\b[^>]*>(.*?)</p\s*>", re.I | re.S)


def _attrs(raw: str) -> dict[str, str]:
    return {k.lower(): v.strip("\"'") for k, v in _ATTR_RE.findall(raw)}


def _inner(raw: str, sep: str = "") -> str:
    return _norm(unescape(_TAG_RE.sub(sep, raw)))


class _TextPage(_Page):
    """Signals read from page text with regular expressions: far cheaper than a parse."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
        body = _BODY_RE.search(text)
        head_end = body.start() if body else len(text)
        low = text[:head_end].lower()
        for tag in self._tags(low, "og:type", head_end) + self._tags(low, "robots", head_end):
            a = _attrs(tag)
            self.meta(a.get("property") or a.get("name") or "", unescape(a.get("content", "")))
        for tag in self._tags(low, "next", head_end):
            if tag.startswith("<link") and "next" in _attrs(tag).get("rel", "").split():
                self.rel_next = True
        start = low.find("<title", 0, head_end)
        if start >= 0:
            end = low.find("</title", start)
            self.title = _inner(text[text.find(">", start) + 1:end if end > 0 else start])
        at = text.find("ld+json")
        while at >= 0:
            start = text.find(">", at) + 1
            end = text.find("</script", start)
            if end < 0:
                break
            self.add_jsonld(text[start:end])
            at = text.find("ld+json", end)

    @staticmethod
    def _tags(low: str, word: str, end: int) -> list[str]:
        """The (lowercased) tags of the page's head that contain `word`."""
        found: list[str] = []
        at = low.find(word, 0, end)
        while at >= 0:
            start, close = low.rfind("<", 0, at), low.find(">", at)
            if start >= 0 and close > 0 and low.rfind(">", start, at) < 0:
                found.append(low[start:close + 1])
            at = low.find(word, max(close, at + 1), end)
        return found

    def h1(self) -> str:
        m = _H1_RE.search(self.text)
        return _inner(m.group(1)) if m else ""

    def anchors(self) -> list[str]:
        return [_inner(text) for attrs, text in _A_RE.findall(self.text)
                if "href" in attrs.lower()]

    def paragraphs(self) -> list[str]:
        return [_inner(text, " ") for text in _P_RE.findall(self.text)]

    def introduced(self, paras: list[str]) -> int:
        text, pos, count = self.text, 0, 0
        for p in paras:
            probe = p[:30]
            at = text.find(probe, pos)
            if at < 0 and escape(probe, quote=False) != probe:
                at = text.find(escape(probe, quote=False), pos)
            if at < 0:
                continue
            window = text[max(pos, at - 600):at]
            window = window[window.rfind("</p") + 1:]
            for m in _A_RE.finditer(window):
                tail = window[m.end():]
                if "href" in m.group(1).lower() and len(_inner(m.group(2))) >= _HEADLINE_LINK \
                        and (_HEADING_RE.search(tail) or _HEADING_RE.search(m.group(2))) \
                        and len(_inner(tail)) <= _TAIL_TEXT:
                    count += 1
                    break
            pos = at + len(probe)
        return count


def _teasers(body: list[str], anchors: list[str]) -> int:
    """How many body paragraphs are a link's text, or start or end with a long one."""
    heads: dict[str, list[str]] = {}
    tails: dict[str, list[str]] = {}
    for a in anchors:
        if len(a) >= _TEASER_KEY:
            a = a.casefold()
            heads.setdefault(a[:_TEASER_KEY], []).append(a)
            tails.setdefault(a[-_TEASER_KEY:], []).append(a)
    count = 0
    for p in body:
        p = p.casefold()
        if any(p.startswith(a) for a in heads.get(p[:_TEASER_KEY], ())) or any(
                p.endswith(a) for a in tails.get(p[-_TEASER_KEY:], ())):
            count += 1
    return count


def _url_kind(url: str) -> tuple[str | None, str]:
    parts = urlsplit(url)
    path = parts.path or "/"
    for kind, pattern in _URL_KINDS:
        if pattern.search(path):
            return kind, f"URL {path!r}"
    if parts.query and _SEARCH_QUERY.search(parts.query):
        return "search", f"URL query {parts.query[:40]!r}"
    if is_pagination_url(url):
        return "listing", f"pagination URL {path!r}"
    segments = [s for s in path.split("/") if s]
    if len(segments) <= 1 and not looks_like_article_url(url) and not re.search(r"\d{4,}", path):
        return "section", f"short path {path!r}"
    return None, ""


def _not_found(*texts: str) -> str | None:
    for text in texts:
        m = _NOT_FOUND.search(text or "")
        if m:
            return f"{text[:60]!r}"
    return None


def page_verdict(html: str | Selector, url: str, *, headline: str | None = None,
                 body: list[str] | None = None, published: str | None = None) -> PageVerdict:
    """Judge whether a page (and what was extracted from it) is an article or a listing, tag,
    author, search, section or soft-404 page, from structure first and words only as one signal.

    Give the extracted `headline`, `body` and `published` when there are any: the verdict is then
    about what would be emitted. A Selector is read as it is (no second parse); text is scanned
    with regular expressions, which is cheaper than parsing it.
    """
    s = _SelectorPage(html) if isinstance(html, Selector) else _TextPage(html)
    paras = [p for p in (body if body is not None else s.paragraphs()) if p]
    chars = sum(len(p) for p in paras)
    prose = [p for p in paras if len(p) >= 80 and _SENTENCE_END.search(p)]
    prose_chars = sum(len(p) for p in prose)
    article_type = bool(s.types & ARTICLE_TYPES) or s.og == "article"
    listing_type = next((t for t in s.types if t in _KIND_TYPES), None)
    noindex = "noindex" in s.robots

    not_found = _not_found(s.title, headline or s.h1())
    if not_found and (chars < 400 or (noindex and prose_chars < 600)):
        return PageVerdict("soft404", f"soft 404: title/headline {not_found}, "
                           f"{len(paras)} paragraph(s), {chars} characters")

    url_kind, url_why = _url_kind(url)
    kind = url_kind if url_kind in ("tag", "author", "search") else (
        _KIND_TYPES[listing_type] if listing_type else url_kind) or "listing"
    why = [f"JSON-LD {listing_type}"] if listing_type else []
    if url_why:
        why.append(url_why)
    teasers = _teasers(paras, s.anchors()) if len(paras) >= 3 and prose_chars * 2 < chars else 0
    if len(paras) >= 3 and teasers * 2 >= len(paras):
        return PageVerdict(kind, f"{kind}: {teasers} of {len(paras)} body paragraphs are link "
                           "texts; " + ", ".join(why or ["no other sign"]))
    leads = [p for p in paras if len(p) >= 40]
    units = s.introduced(leads) if len(leads) >= 3 and not (article_type and published) else 0
    if units >= 3 and units * 3 >= len(leads) * 2:
        return PageVerdict(kind, f"{kind}: {units} of {len(leads)} body paragraphs are teaser "
                           "leads under headline links; " + ", ".join(why or ["no other sign"]))
    if (listing_type or url_kind in ("tag", "author", "search")) and not article_type \
            and prose_chars < 400:
        return PageVerdict(kind, f"{kind}: " + ", ".join(why)
                           + f", {prose_chars} characters of prose")
    if article_type or (published and prose_chars >= 400):
        return PageVerdict("article", "article: " + ("JSON-LD/og:type" if article_type
                                                     else "dated prose"))
    if s.og in ("website", "profile", "object") and url_kind and prose_chars < 600:
        return PageVerdict(kind, f"{kind}: {url_why}, og:type {s.og}, "
                           f"{prose_chars} characters of prose")
    if prose_chars >= 400 or (looks_like_article_url(url) and len(prose) >= 2):
        return PageVerdict("article", "article: prose body")
    return PageVerdict("unknown", f"unknown: {len(paras)} paragraph(s), {chars} characters")
