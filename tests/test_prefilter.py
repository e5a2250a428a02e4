"""Prefiltered patterns: the substring check before the regex never changes what it finds."""

from __future__ import annotations

import re

import pytest

from newscrawl.extract import paywall, trim
from newscrawl.extract.prefilter import Prefiltered

PATTERNS = {"notice": paywall._NOTICE, "ask": paywall._ASK, "hidden": paywall._HIDDEN,
            "marked": paywall._MARKED, "appeal": trim._APPEAL}
TEXTS = [
    "", "Plain text about the harbour budget with nothing to hide.",
    "Pozostało jeszcze 80% artykułu", "POZOSTAŁO 45 % TEKSTU", "Czytaj dalej » Subskrybuj",
    "Treść dostępna wyłącznie dla prenumeratorów", "Subscribe now to continue reading",
    "This article is only available to subscribers", "Already a subscriber? Sign in",
    "Weiterlesen mit Plus", "JETZT ABO ABSCHLIESSEN UND WEITERLESEN", "Nur für Abonnenten",
    "Réservé aux abonnés", "Lire la suite : abonnez-vous", "Contenido para suscriptores",
    "col paywall-box", "article-LOCKED x", "d-none", "display : none", "Please LOG IN",
    # characters `re.I` folds to a letter that str.lower() does not produce
    "ſubscribers only", "Already a ſubſcriber?", "nur für abonnentınnen", "İs reserved",
    "ſtory is available to members", "x ſign in", "dİsplay:none",
    "Follow us on X", "Download the news app", "Síguenos", "ÚNETE", "Folgt uns",
    "War der Artikel hilfreich?", "Lust auf mehr?", "Anzeige - Werbung", "Bildnachweis: dpa",
    "Support Example so we can", "Il vous reste 3 articles", "Der Beitrag wurde am 3. Mai 2024 "
    "veröffentlicht", "Foſlow us on", "ſupport our work", "SİGN UP", "fanzeige",
]


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_patterns_find_what_the_regex_finds(name: str) -> None:
    pre = PATTERNS[name]
    for text in TEXTS:
        found, expected = pre.search(text), pre.pattern.search(text)
        assert (found and found.span()) == (expected and expected.span()), text


def test_skips_text_without_a_needle() -> None:
    calls = []

    class Spy:
        def search(self, text: str) -> None:
            calls.append(text)

    pre = Prefiltered(Spy(), ("paywall",))  # type: ignore[arg-type]
    assert pre.search("a story about a harbour") is None
    assert pre.search("The PAYWALL box") is None and calls == ["The PAYWALL box"]
    assert pre.search("long ſ: the regex decides") is None
    assert calls[-1] == "long ſ: the regex decides"


def test_odd_case_characters_are_all_known() -> None:
    """Every character `re.I` matches to a Latin letter without lowering to it is checked."""
    letters = "abcdefghijklmnopqrstuvwxyzßàáâãäåæçèéêëìíîïñòóôõöøùúûüýÿąćęłńśźż"
    pattern = re.compile(f"[{letters}]", re.I)
    odd = {c for c in map(chr, range(0x80, 0x3000))
           if pattern.fullmatch(c) and c.lower() not in letters}
    assert odd == {"\u0130", "\u0131", "\u017f"}
