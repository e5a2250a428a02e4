"""KeySet: the per-URL memory of a crawl, a set of strings kept as hashes."""

from __future__ import annotations

import sys

from newscrawl.crawl.keyset import KeySet


def test_keyset_is_a_set_of_strings() -> None:
    keys = KeySet(["https://portal.example/a-1"])
    keys.add("https://portal.example/b-2")
    keys.add("https://portal.example/b-2")
    assert "https://portal.example/a-1" in keys and "https://portal.example/b-2" in keys
    assert "https://portal.example/c-3" not in keys and "" not in keys
    assert len(keys) == 2


def test_keyset_keeps_far_less_than_the_strings() -> None:
    urls = [f"https://portal.example/kraj/artykul-o-czyms-waznym-{i:09d}a" for i in range(20000)]
    keys = KeySet(urls)
    assert len(keys) == len(urls) and all(u in keys for u in urls[::97])
    as_strings = sys.getsizeof(set(urls)) + sum(sys.getsizeof(u) for u in urls)
    as_hashes = sys.getsizeof(keys._hashes) + sum(sys.getsizeof(h) for h in keys._hashes)
    assert as_hashes < as_strings * 0.75
