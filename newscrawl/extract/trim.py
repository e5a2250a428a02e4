"""Trimming of the emitted paragraphs: closing boxes kept inside the article wrapper.

Article wrappers often end with boxes that are not the article: contact details, "more on this
topic", author bios, rating and share prompts, newsletter or app appeals, source lists of teasers.
They are cut from the first line that opens such a box, once most of the text has been read.
"""

from __future__ import annotations

import re

from newscrawl.extract.boilerplate import HEADINGS, loose_tail

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
_APPEAL = re.compile(
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
    r")|^(?:anzeige\s*[-–:]|(?:beitragsbild|bildnachweis|titelbild|headerbild)\s*:)", re.I)
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


def drop_closing_labels(kept: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Drop a heading or short labels left at the end ("Contact:", "No comments")."""
    while kept and kept[-1][0] in HEADINGS:
        kept.pop()  # a heading with no text after it titles the next block, not the article
    for _ in range(2):
        if len(kept) > 3 and loose_tail(kept[-1][1]) and not loose_tail(kept[-2][1]):
            kept.pop()
    return kept
