"""Trimming of the emitted paragraphs: closing boxes kept inside the article wrapper.

Article wrappers often end with boxes that are not the article: contact details, "more on this
topic", author bios, rating and share prompts, newsletter or app appeals, source lists of teasers.
They are cut from the first line that opens such a box, once most of the text has been read.
"""

from __future__ import annotations

import re

from newscrawl.extract.boilerplate import EMAIL, HEADINGS, WEB_ADDRESS, date_line, loose_tail
from newscrawl.extract.prefilter import Prefiltered

#: short lines that open a closing box (the whole line, an optional colon or count)
_BOX_LABEL = re.compile(
    r"^\W*(?:\d+\s+)?(?:"
    r"kontakt|contact(?: us)?|ansprechpartner(?:in)?(?: \w+)*|pressekontakt|"
    r"weitere (?:informationen|infos):|weitere (?:themen|artikel|beiträge)|more information:|"
    r"über (?:den|die) autor(?:in)?|about the author|autor(?:in)?|artikel von|"
    r"(?:zum )?weiterlesen|mehr (?:zum thema|von [\w.-]+|aus [\w -]+|dazu)|"
    r"(?:related|recent|similar|popular) (?:posts|articles|stories)|you (?:may|might) also like|"
    r"(?:notas|artículos|noticias) relacionad[ao]s|te puede interesar|"
    r"empfohlene (?:beiträge|artikel)|das könnte (?:sie|dich) auch interessieren|"
    r"diese artikel könnten (?:sie|dich) auch interessieren|artikel und videos zum thema|"
    r"vorschau auf den nächsten artikel|(?:teilen|teile|share) (?:mit|this|dies mit|sie dies mit)|"
    r"gefällt mir|(?:keine |no )?(?:kommentare?|comments?)(?: geschlossen| closed)?|"
    r"(?:leave|post) a (?:comment|reply)|kommentar (?:verfassen|schreiben)|"
    r"quellen(?:angaben)?|zusatzinformationen|weiterführende?r? links?|bildnachweis|"
    r"beitragsbild|tags|themen|schlagworte|schlagwörter|loading|wird geladen|"
    r"czytaj (?:też|także|również|więcej)|zobacz (?:też|także|również)|"
    r"anzeige|advertisement|werbung|reklama|most (?:popular|read)|a word to our(?: loyal)? readers|"
    r"právě se děje|самые популярные(?: \w+)?|les plus (?:lus|populaires)"
    r")\W*$", re.I)
#: appeals and prompts that close an article: follow, subscribe, rate, share, support
_APPEAL = Prefiltered(re.compile(
    r"(?:^|\W)(?:"
    r"follow (?:us|me|the [\w ]{1,30}) on|sign up|subscribe to|"
    r"download\s+(?:the|our)\s+(?:[\w-]+\s+)?apps?\b|"
    r"s[ií]guenos|únete|suscr[ií]bete|"
    r"folg(?:e|t) (?:uns|mir)|abonnieren sie|newsletter abonnieren|"
    r"war (?:der|dieser) (?:artikel|beitrag) (?:nützlich|hilfreich)|"
    r"wie hat (?:ihnen|dir) (?:der|dieser) (?:artikel|beitrag) gefallen|"
    r"möchten sie (?:den|diesen) (?:artikel|beitrag) teilen|lust auf mehr\?|"
    r"gefällt (?:dir|ihnen) unser|if you enjoyed|would you consider supporting|"
    r"we need your help|support our (?:work|journalism)|"
    r"(?:canal|channel) de (?:telegram|youtube)|nuestro canal de|"
    r"noch keine bewertungen|sie sind aktuell nicht eingeloggt|kommentare geschlossen|"
    r"apoya (?:el|nuestro)|puede escribirnos|this entry was posted|"
    r"der beitrag wurde am .{5,60} veröffentlicht|last modified:|"
    r"sofern nicht anders (?:angegeben|ausgewiesen|vermerkt)|"
    r"is not responsible for the opinions|klicken sie auf den unteren button|"
    r"il vous reste \d|la suite est réservée aux abonnés|support \w+ (?:so we|and make a)"
    r")|^(?:anzeige\s*[-–:]|(?:beitragsbild|bildnachweis|titelbild|headerbild)\s*:)", re.I),
    ("follow ", "sign up", "subscribe to", "download", "guenos", "únete", "suscr", "folg",
     "abonnieren", "war d", "wie hat ", "möchten sie ", "lust auf mehr?", "gefällt ",
     "if you enjoyed", "would you consider supporting", "we need your help", "support ",
     "canal de", "channel de", "noch keine bewertungen", "sie sind aktuell nicht eingeloggt",
     "kommentare geschlossen", "apoya ", "puede escribirnos", "this entry was posted",
     "der beitrag wurde am ", "last modified:", "sofern nicht anders ",
     "is not responsible for the opinions", "klicken sie auf den unteren button",
     "il vous reste ", "la suite est réservée aux abonnés", "anzeige", "beitragsbild",
     "bildnachweis", "titelbild", "headerbild"))
#: an author's bio closing the text: "Jane Doe is a reporter ...", "ist Gründungspartner ..."
_BIO = re.compile(
    r"^(?:(?:(?:dr|prof)\.\s+)?[A-ZÄÖÜ][\w'’-]+(?:\s+[A-ZÄÖÜ][\w'’.-]+){1,2}\s+)?(?:is|ist)\s")
_ROLE = re.compile(
    r"\b(?:founder|co-founder|gründ\w*|head of|editor|redakteur\w*|journalist\w*|writer|"
    r"consultant|berater\w*|reporter\w*|korrespondent\w*|partner\w*|ceo|director|leiter\w*|"
    r"professor\w*|blogger\w*|fotograf\w*|photographer|author|autor\w*|columnist|kolumnist\w*)\b",
    re.I)
#: the share of the text (in characters) read before a closing box may start
_MIN_SHARE = 0.5


#: consent placeholders of embedded content, anywhere in the text
_CONSENT = re.compile(
    r"^(?:externer inhalt|empfohlener redaktioneller inhalt)\W*$|"
    r"^an dieser stelle finden sie einen .{0,60}externen inhalt|"
    r"^ich bin damit einverstanden, dass mir (?:der )?externe", re.I)


def trim_closing_boxes(kept: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Cut the paragraphs from the first line opening a closing box in the text's second half."""
    kept = [(kind, text) for kind, text in kept if not _CONSENT.match(text)]
    total = sum(len(text) for _, text in kept)
    if total < 300 or len(kept) < 2:
        return kept
    seen = 0
    last = len(kept) - 1
    for i, (_, text) in enumerate(kept):
        if i and seen >= total * _MIN_SHARE and _opens_box(text, i >= last - 3):
            return kept[:i]
        seen += len(text)
    text = kept[-1][1]
    if len(text) < 400 and _BIO.match(text) and _ROLE.search(text):
        # the name may stand on its own line before "ist ..." / "is ..."
        cut = 2 if text[:1].islower() and len(kept[-2][1]) < 40 else 1
        return kept[:-cut]
    return kept


def _opens_box(text: str, near_end: bool) -> bool:
    if len(text) < 80 and _BOX_LABEL.match(text):
        return True
    return near_end and len(text) < 300 and bool(_APPEAL.search(text))


#: a wire service's end mark closing a story: "(END)", "-30-", "###"
_END_MARK = re.compile(
    r"^(?:[(\[]\s*(?:END|ENDS|End|end|Ende|FIN|Fin)\s*[)\]]|END|ENDS|-\s*30\s*-|#{3})$")
#: a web address written out as text: "example.com", "news.example.pl/send", "https://..."
_ADDRESS = re.compile(WEB_ADDRESS.pattern + r"|\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}(?:/\S*)?\W*$",
                      re.I)
#: the longest paragraph of a closing run of contact and call-to-action lines
_CLOSING_LINE = 200
#: the most lines a closing run of contact and call-to-action lines holds
_CLOSING_RUN = 6
#: the longest text (addresses left out) around a contact address
_CONTACT_TEXT = 120


def _contact_or_appeal(text: str) -> bool:
    """A short line addressed to the reader rather than part of the story: a contact address
    with little text around it ("To contact the editor: ...@...", "Write to the author: ...",
    "Reach the reporters on Twitter at http://..."; an address alone is the story's own),
    or a question to the reader followed by where to send something ("Got a story? Send it via
    example.com")."""
    if len(text) >= _CLOSING_LINE:
        return False
    if EMAIL.search(text):
        return len(EMAIL.sub("", text)) < _CONTACT_TEXT
    if WEB_ADDRESS.search(text):  # "Reach the reporters at http://...", "Listen: http://..."
        rest = WEB_ADDRESS.sub("", text)
        return len(rest) < _CONTACT_TEXT / 2 and re.search(r"\w", rest) is not None
    return "?" in text and _ADDRESS.search(text, text.index("?")) is not None


def trim_closing_run(kept: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Cut a closing run of short lines addressed to the reader: from the first contact or
    call-to-action line (see `_contact_or_appeal`) in the text's second half when every line
    after it is short too; and drop a wire service's end mark ("(END)") closing the text."""
    while kept and _END_MARK.match(kept[-1][1]):
        kept = kept[:-1]
    total = sum(len(text) for _, text in kept)
    if len(kept) < 2:
        return kept
    tail = len(kept)
    while tail > max(1, len(kept) - _CLOSING_RUN) and len(kept[tail - 1][1]) < _CLOSING_LINE:
        tail -= 1  # kept[tail:] is the closing run of short lines
    seen = sum(len(text) for _, text in kept[:tail])
    for i in range(tail, len(kept)):
        if seen >= total * _MIN_SHARE and _contact_or_appeal(kept[i][1]):
            return kept[:i]
        seen += len(kept[i][1])
    return kept


def drop_closing_labels(kept: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Drop a heading or short labels left at the end ("Contact:", "No comments")."""
    while kept and kept[-1][0] in HEADINGS:
        kept.pop()  # a heading with no text after it titles the next block, not the article
    for _ in range(2):
        if len(kept) > 3 and loose_tail(kept[-1][1]) and not loose_tail(kept[-2][1]) \
                and not kept[-1][0] == kept[-2][0] == "li":  # a list's last item is no label
            kept.pop()
    return kept


#: a counter or a row of page numbers ("+3", "1 2 3 4"), short
_COUNTER_MAX = 20


_COUNTER = re.compile(r"^(?:[+-]?\d{1,3}|\d{1,3}(?:\s+\d{1,3})+)$")


def _counter(text: str) -> bool:
    return len(text) < _COUNTER_MAX and _COUNTER.match(text) is not None


#: date lines among this many blocks at either end of the text are its date stamps
_EDGE_BLOCKS = 3


def drop_edge_counters(kept: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Drop counters, page numbers and date lines opening or closing the text ("+3" beside a
    tag list, "1 2 3" of a pager, "Published: 12.03.2021"); inside the text a date line is
    the story's own ("Termin: 29.02.2020, 19 Uhr")."""
    start, end = 0, len(kept)
    while start < end and _counter(kept[start][1]):
        start += 1
    while end > start and _counter(kept[end - 1][1]):
        end -= 1
    kept = kept[start:end] if start or end < len(kept) else kept
    edge = _EDGE_BLOCKS
    if any(date_line(text) for _, text in kept[:edge] + kept[-edge:]):
        kept = [block for i, block in enumerate(kept)
                if not ((i < edge or i >= len(kept) - edge) and date_line(block[1]))]
    return kept


#: a closing paragraph at least this long, written twice in a row, is a box
_REPEAT_MIN = 80


def drop_repeated_tail(kept: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Drop a long paragraph closing the text twice in a row (and nowhere else in it), both
    copies: an author box rendered twice (for two screen sizes) after the article."""
    if len(kept) > 3 and len(kept[-1][1]) >= _REPEAT_MIN and kept[-1][1] == kept[-2][1] \
            and all(t != kept[-1][1] for _, t in kept[:-2]):
        return kept[:-2]
    return kept
