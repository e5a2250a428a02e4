"""The compiled tree passes equal their pure-Python twin, page by page, behind one facade."""

from __future__ import annotations

import ast
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT
from lxml import etree

from newscrawl.devtools.evaluate import load_cases, read_page
from newscrawl.extract import compiled, treepass_py
from newscrawl.extract.attrscan import attribute_hits, elements_with
from newscrawl.extract.blockscan import SCAN_TAG_SETS, Scan
from newscrawl.extract.boilerplate import junk_flags
from newscrawl.extract.compiled import BlockCounts, ScanResult, TextStatsResult, tree_passes
from newscrawl.extract.document import Document
from newscrawl.extract.textscan import text_hits_backwards
from newscrawl.extract.textstats import TAG_SETS, TextStats

EXTRACT = ROOT / "newscrawl" / "extract"
needs_compiled = pytest.mark.skipif(
    not compiled.BUILT, reason="compiled extension not built (no C compiler at install)")

SPACES = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2005\u200a\u2028\u2029\u202f" \
         "\u205f\u3000"
EM_SPACES = "\u2003" * 5
TRICKY = f"""<html><head><title>T</title><script>var x = "{'y' * 300}";</script></head><body>
<div id="main"><p>{SPACES}Zażółć gęślą jaźń{SPACES}</p><!-- note -->tail of a comment
<p>{'słowo ' * 40}<a href="/x">link {'ą' * 30}</a>{'🙂' * 10}</p>
<p>{'x' * 159}</p><p>{'x' * 160}</p><p>{'ż' * 159}</p><span>{SPACES}</span>{SPACES}
<div>{'direct text, ' * 20}<b>bold</b> tail{SPACES}<?pi target?> after pi</div>
<ul><li>{'item text ' * 20}</li><li><p>{'inner ' * 40}</p></li></ul>
<td>{EM_SPACES}cell</td><blockquote>{'quoted, ' * 30}</blockquote></div>
<aside>side</aside><form class="f"><input name="q"></form><div style="display: none">x</div>
<div hidden>h</div><div aria-hidden="true">a</div><div role="navigation">r</div>
<section role="main" itemprop="articleBody" id="s">{'body text ' * 20}</section>
<nav><a href="/a">Home</a><a href="/b">{'Ł' * 200}</a></nav></body></html>"""


def _both(elements: list) -> tuple[TextStatsResult, TextStatsResult]:
    args = (elements, TextStats.PROSE_MIN, TextStats.SHORT_TEXT, TAG_SETS)
    return treepass_py.text_stats(*args), tree_passes().text_stats(*args)


def _assert_scan_equal(elements: list) -> None:
    """The compiled block scan and its counts equal the pure-Python ones."""
    stats = TextStats(elements)
    args = (elements, stats.tags, stats.ends, SCAN_TAG_SETS, junk_flags)
    python, native = treepass_py.scan(*args), tree_passes().scan(*args)
    assert type(python) is type(native) is ScanResult
    for name in ScanResult._fields:
        assert getattr(python, name) == getattr(native, name), name
    slow, fast = Scan(elements, stats, compiled=False), Scan(elements, stats)
    for use_roles in (False, True):
        roots, counts = fast.counts(use_roles)
        assert type(counts) is BlockCounts
        assert slow.counts(use_roles) == (roots, counts)


_NEEDLES = ("related", "author", "by-line", "polec")
_FOLD = {0x17F: "s", 0x131: "i", 0x307: None}
#: Words searched in text and tails: common ones, Polish letters, and a space inside.
_WORDS = ("the", "się", "a", "Zażółć", "ą ", "nowhere-to-be-found")


def _assert_hits_equal(elements: list) -> None:
    """The compiled attribute search finds the same elements as the pure-Python one."""
    for names in ((), ("class", "id")):
        assert attribute_hits(elements, names, _NEEDLES, _FOLD) == \
            attribute_hits(elements, names, _NEEDLES, _FOLD, compiled=False)
    for names in (("itemprop", "property"), ("class",), ("hidden", "style")):
        assert elements_with(elements, names) == elements_with(elements, names, compiled=False)
    for word in _WORDS:
        assert list(text_hits_backwards(elements, word)) == \
            list(text_hits_backwards(elements, word, compiled=False))


def _assert_equal(python: TextStatsResult, native: TextStatsResult) -> None:
    assert type(python) is type(native) is TextStatsResult
    for name in TextStatsResult._fields:
        assert getattr(python, name) == getattr(native, name), name
    assert python.main is native.main
    assert list(python.pos) == list(native.pos)


def _defs(source: str) -> list[str]:
    return re.findall(r"^def (\w+)\(", source, re.M)


def test_twins_define_the_same_functions_in_the_same_order():
    native = _defs((EXTRACT / "_treepass.pyx").read_text(encoding="utf-8"))
    python = _defs((EXTRACT / "treepass_py.py").read_text(encoding="utf-8"))
    assert native == python
    assert native == ["text_stats", "scan", "block_counts", "attribute_hits", "elements_with",
                      "last_text_hit", "byte_count", "is_utf8"]


def test_only_the_facade_imports_the_extension():
    importers = []
    for path in sorted((ROOT / "newscrawl").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                names = [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            if any(name.endswith("._treepass") or "._treepass." in name for name in names):
                importers.append(path.relative_to(ROOT).as_posix())
    assert importers == ["newscrawl/extract/compiled.py"]


def test_extract_modules_import_no_private_names():
    found = []
    for path in sorted(EXTRACT.glob("*.py")):
        if path.name == "compiled.py":
            continue  # the facade imports the extension module, and only it
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    parts = [*node.module.split("."), alias.name]
                    if any(p.startswith("_") and not p.startswith("__") for p in parts):
                        found.append(f"{path.name}: {node.module}.{alias.name}")
    assert found == []


def _import_facade(env: dict[str, str]) -> subprocess.CompletedProcess:
    """Import the facade in a fresh interpreter where the extension cannot be imported."""
    code = ("import sys; sys.modules['newscrawl.extract._treepass'] = None\n"
            "from newscrawl.extract import compiled, treepass_py\n"
            "assert not compiled.BUILT and compiled.tree_passes() is treepass_py\n")
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


def test_missing_extension_falls_back_to_the_pure_twin():
    # Even where CI requires the build: the requirement is checked by the test below, not at
    # import, so an install without the extension (a scrapyd egg) still runs.
    for required in ("", "1"):
        env = {**os.environ, "NEWSCRAWL_REQUIRE_COMPILED": required}
        proc = _import_facade(env)
        assert proc.returncode == 0, proc.stderr


def test_compiled_extension_is_built_where_required():
    """CI installs with a compiler and sets NEWSCRAWL_REQUIRE_COMPILED: the build must work."""
    if not os.environ.get("NEWSCRAWL_REQUIRE_COMPILED"):
        pytest.skip("NEWSCRAWL_REQUIRE_COMPILED not set: the pure-Python pass is allowed")
    assert compiled.BUILT
    assert tree_passes() is not treepass_py


def test_use_compiled_switches_every_pass():
    try:
        compiled.use_compiled(False)
        assert tree_passes() is treepass_py
        compiled.use_compiled(True)
        assert (tree_passes() is treepass_py) is not compiled.BUILT
    finally:
        compiled.use_compiled(True)
    assert tree_passes(compiled=False) is treepass_py


def test_pure_block_counts_on_a_small_tree():
    # html > body > (div > p, a): kinds 1 text div, 2 paragraph, 4 link
    kinds, parent = bytes([0, 0, 1, 2, 4]), [-1, 0, 1, 2, 1]
    counts = treepass_py.block_counts(kinds, parent, [0, 0, 30, 40, 10], [False] * 5)
    assert counts == BlockCounts([80, 80, 70, 40, 10], [10, 10, 0, 0, 10], [70, 70, 70, 40, 0])
    junk_link = treepass_py.block_counts(kinds, parent, [0, 0, 30, 40, 10],
                                         [False, False, False, False, True])
    assert junk_link.text[0] == 70 and junk_link.links[0] == 0


def test_python_statistics_on_a_small_page():
    doc = Document("<html><body><div><p>" + "word " * 40 + "</p><a href='/'>a link</a>"
                   "</div></body></html>", "https://example.com/")
    stats = TextStats(doc.elements, compiled=False)
    p = doc.root.find(".//p")
    div = p.getparent()
    assert stats.text[p] == len(("word " * 40).strip())
    assert stats.links[div] == len("a link")
    assert stats.main is div and stats.main_prose == stats.text[p]
    assert stats.inside(p, div) and not stats.inside(div, p)


@needs_compiled
def test_unicode_whitespace_comments_and_tails_match():
    doc = Document(TRICKY, "https://example.com/")
    python, compiled = _both(doc.elements)
    _assert_equal(python, compiled)
    _assert_scan_equal(doc.elements)
    _assert_hits_equal(doc.elements)
    assert python.short_texts, "short texts were found"
    assert len(python.paragraphs) >= 3, "paragraphs were found"


@needs_compiled
def test_many_text_nodes_in_one_run_match():
    # CDATA sections split one run of text into many nodes (the compiled pass's slow path).
    chunks = "".join(f"<![CDATA[ part{i} ]]> " for i in range(40))
    root = etree.fromstring(f"<div><p> {chunks}\u3000</p><p>a<![CDATA[\u00a0]]>b</p></div>")
    elements = list(root.iter(etree.Element))
    _assert_equal(*_both(elements))


@needs_compiled
def test_fixture_pages_match():
    pages = sorted(FIXTURES.glob("**/*.html"))
    assert pages
    for path in pages:
        doc = Document(path.read_bytes(), "https://example.com/")
        _assert_equal(*_both(doc.elements))
        _assert_scan_equal(doc.elements)
        _assert_hits_equal(doc.elements)


@needs_compiled
def test_corpus_pages_match(corpus_dir: Path):
    for case in load_cases(corpus_dir)[::4]:
        doc = Document(read_page(corpus_dir, case), "https://example.com/")
        _assert_equal(*_both(doc.elements))
        _assert_scan_equal(doc.elements)
        _assert_hits_equal(doc.elements)


@needs_compiled
def test_attribute_hits_fold_case_and_non_ascii_values():
    html = ('<div><p class="Post-AUTHOR">a</p><p data-x="x BY-L\u0131NE">b</p>'
            '<p id="zażółć-polecane">c</p><p class="x" data-role="AUTHOR">d</p>'
            '<p title="nothing here">e</p><p class="">f</p>'
            '<p data-k="Kontributor \u212aelvin">g</p><p data-t="autHOR\u0130">h</p></div>')
    root = etree.fromstring(html, etree.HTMLParser())
    elements = list(root.iter(etree.Element))
    tags = [el.text for el in elements]
    every = attribute_hits(elements, (), _NEEDLES, _FOLD)
    assert [tags[i] for i in every] == ["a", "b", "c", "d", "h"]
    assert [tags[i] for i in attribute_hits(elements, ("class", "id"), _NEEDLES)] == ["a", "c"]
    _assert_hits_equal(elements)


def test_tag_index_matches_tree_walks():
    for path in sorted(FIXTURES.glob("pages/*/*.html")):
        doc = Document(path.read_bytes(), "https://example.com/")
        for tags in (("h1",), ("script",), ("meta",), ("h1", "h2"), ("p", "li", "nosuch")):
            assert doc.tagged(*tags) == list(doc.root.iter(*tags)), (path.name, tags)
        assert doc.everywhere("meta") == doc.root.xpath("//meta")


def test_a_loader_stub_without_the_passes_falls_back():
    """A zipped egg (scrapyd) imports a stub under the extension's name with no functions."""
    code = ("import sys, types\n"
            "sys.modules['newscrawl.extract._treepass'] = types.ModuleType('stub')\n"
            "from newscrawl.extract import compiled, treepass_py\n"
            "assert not compiled.BUILT and compiled.tree_passes() is treepass_py\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


@needs_compiled
def test_text_hits_read_text_and_tails_across_text_nodes():
    # CDATA splits a run of text into several nodes; lxml joins them for `.text` / `.tail`
    html = ("<div><p>ab<![CDATA[cd]]>ef</p><b>x</b>tail <i>wo</i>rd<![CDATA[spl]]>it"
            "<span>Zażółć gęślą</span><em>jaźń</em><u>x</u></div>")
    root = etree.fromstring(html, etree.XMLParser(strip_cdata=False))
    elements = list(root.iter(etree.Element))
    assert root[0].xpath("count(text())") == 3, "the CDATA section stays a node of its own"
    tags = [el.tag for el in elements]
    for word, found in (("bcde", ["p"]), ("tail", ["b"]), ("rdsplit", ["i"]),
                        ("żółć", ["span"]), ("jaźń", ["em"]), ("x", ["u", "b"]), ("q", []),
                        ("\ud800", [])):
        for native in (True, False):
            hits = text_hits_backwards(elements, word, compiled=native)
            assert [tags[i] for i in hits] == found
    for native in (True, False):
        with pytest.raises(ValueError):
            list(text_hits_backwards(elements, "", compiled=native))
        assert tree_passes(native).last_text_hit(elements, b"x", 3) == 2  # before the <i>
        assert tree_passes(native).last_text_hit(elements, b"x", 2) == -1


@needs_compiled
def test_attribute_hits_one_byte_needles_and_needles_at_the_end():
    html = ('<div><p class="ends-with-q">a</p><p id="Q">b</p><p class="nothing">c</p>'
            '<p class="pre-AUTHOR">d</p><p data-x="żq">e</p></div>')
    root = etree.fromstring(html, etree.HTMLParser())
    elements = list(root.iter(etree.Element))
    tags = [el.text for el in elements]
    for needles, found in ((("q",), ["a", "b", "e"]), (("author",), ["d"]),
                           (("or", "h"), ["a", "c", "d"])):
        for native in (True, False):
            hits = attribute_hits(elements, (), needles, compiled=native)
            assert [tags[i] for i in hits] == found, (needles, native)
    assert elements_with(elements, ("data-x",)) == elements_with(elements, ("data-x",),
                                                                 compiled=False)


@needs_compiled
def test_byte_count_counts_like_bytes_count():
    for data in (b"", b"<", b"a<b<<c" * 700, bytes(range(256)) * 300, b"<" * 256, b"<" * 255):
        for byte in (0x3C, 0, 0xFF):
            expected = data.count(bytes([byte]))
            assert tree_passes().byte_count(data, byte) == expected
            assert treepass_py.byte_count(data, byte) == expected


@needs_compiled
def test_is_utf8_accepts_what_the_utf8_codec_accepts():
    # the pure twin asks the codec itself
    samples = [bytes((a, b)) for a in range(256) for b in range(256)]
    tails = (b"", b"\x80", b"\xbf\x80")
    samples += [bytes((a, b, c)) + tail for a in range(0xE0, 0x100) for b in range(0x70, 0xD0)
                for c in (0x7F, 0x80, 0x9F, 0xA0, 0xBF, 0xC0) for tail in tails]
    pieces = [b"a", b"abcdefgh", b"\xc3\xa9", b"\xe2\x82\xac", b"\xf0\x9f\x98\x80", b"\x80",
              b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe0\x80\xaf", b"\xff", b"\x00"]
    rng = random.Random(5)
    samples += [b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
                for _ in range(20000)]
    for data in samples:
        assert tree_passes().is_utf8(data) is treepass_py.is_utf8(data), data
