"""The tree passes behind one import: the compiled extension when built, else its pure twin.

`_treepass.pyx` (Cython over the libxml2 nodes behind lxml, built by `setup.py` when a C
compiler is there) and `treepass_py` define the same functions with the same results. This is
the only module that imports the extension; the rest of `extract/` asks `tree_passes()` for one
of the two. A missing build is never an error here (a scrapyd egg, for one, carries no
compiled module); CI checks the build itself with `NEWSCRAWL_REQUIRE_COMPILED`
(tests/test_treepass.py).
"""

from __future__ import annotations

from types import ModuleType

from newscrawl.extract import treepass_py
from newscrawl.extract.treepass_py import BlockCounts, ScanResult, TextStatsResult

__all__ = ["BUILT", "BlockCounts", "ScanResult", "TextStatsResult", "tree_passes",
           "use_compiled"]

try:
    from newscrawl.extract import _treepass as _native
except ImportError:  # built without a C compiler: the pure-Python twin runs
    _native = None
#: The passes both twins define (the extension must have them all to be used).
PASSES = ("text_stats", "scan", "block_counts", "attribute_hits", "elements_with", "last_text_hit",
          "byte_count", "is_utf8")
if _native is not None and not all(hasattr(_native, name) for name in PASSES):
    # A zipped egg (scrapyd) imports a loader stub under the extension's name, without the
    # compiled functions: the pure twin runs there too.
    _native = None

#: True when the compiled extension was built and imports.
BUILT: bool = _native is not None
_active: ModuleType = _native if _native is not None else treepass_py


def tree_passes(compiled: bool = True) -> ModuleType:
    """The module whose passes run: the extension (when built and not switched off), else
    `treepass_py`; `compiled=False` asks for the pure twin."""
    return _active if compiled else treepass_py


def use_compiled(enabled: bool) -> None:
    """Switch every pass to the extension (when built) or to the pure twin, e.g. to time an
    install without a C compiler."""
    global _active
    _active = _native if enabled and _native is not None else treepass_py
