"""A set of strings kept as their 64-bit hashes: what a crawl remembers per URL.

A crawl remembers every article URL it discovered, requested or emitted, in several places; a
set of 60-character URL strings costs about 215 bytes per member (string and table), a set of
their hashes about 140 (a third less, in each of those places). Two different keys sharing a
64-bit hash in one crawl is about as likely as n² / 2**65: 1 in 40 million for a million keys.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["KeySet"]


class KeySet:
    """`add`, `in` and `len` of a set of strings, each member stored as `hash(key)`."""

    __slots__ = ("_hashes",)

    def __init__(self, keys: Iterable[str] = ()) -> None:
        self._hashes: set[int] = {hash(key) for key in keys}

    def add(self, key: str) -> None:
        """Remember `key`."""
        self._hashes.add(hash(key))

    def __contains__(self, key: object) -> bool:
        return hash(key) in self._hashes

    def __len__(self) -> int:
        return len(self._hashes)
