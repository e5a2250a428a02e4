# cython: language_level=3, boundscheck=False, wraparound=False
"""Compiled passes over every element, reading the libxml2 nodes behind lxml's elements.

`treepass_py.py` is this module's pure-Python twin: the same functions in the same order, with
the same arguments and results (`TextStatsResult`, `ScanResult`, `BlockCounts`, defined there);
`tests/test_treepass.py` holds them equal. Only `newscrawl.extract.compiled` imports this
module. Tag sets are passed in by the callers, so each tag list lives in one place.
"""

from cpython.unicode cimport PyUnicode_DecodeUTF8
from libc.stdlib cimport free, malloc
from cpython.ref cimport PyObject
from libc.string cimport memcpy, memset, strcmp, strlen, strstr

from lxml.includes cimport tree
from lxml.includes.etreepublic cimport _Element, import_lxml__etree

from newscrawl.extract.treepass_py import BlockCounts, ScanResult, TextStatsResult

import_lxml__etree()


cdef tuple _tag_info(dict cache, const char* name, tuple sets):
    """(tag, bit k set when the tag is in sets[k]), cached by the name's interned pointer."""
    key = <size_t> name
    info = cache.get(key)
    if info is None:
        tag = PyUnicode_DecodeUTF8(name, strlen(name), NULL) if name != NULL else ""
        mask = 0
        for k, members in enumerate(sets):
            if tag in members:
                mask |= 1 << k
        info = (tag, mask)
        cache[key] = info
    return <tuple> info


cdef struct TagCache:
    # (tag, mask) by the element name's interned pointer, open addressing: a page uses a few
    # dozen tags, so a lookup is a pointer comparison or two (`_tag_info`'s dict fills it)
    int count
    const char* name[256]
    long mask[256]
    PyObject* tag[256]  # owned by the `_tag_info` cache dict


cdef inline size_t _tag_slot(TagCache* tags, const char* name) noexcept nogil:
    cdef size_t h = ((<size_t> name) >> 4) & 255
    while tags.name[h] != NULL and tags.name[h] != name:
        h = (h + 1) & 255
    return h


cdef long* _longs(Py_ssize_t n) except NULL:
    cdef long* out = <long*> malloc(max(n, 1) * sizeof(long))
    if out == NULL:
        raise MemoryError()
    return out


cdef inline bint _space_at(const unsigned char* s) noexcept nogil:
    """Python's `str.isspace` for the code point whose UTF-8 encoding starts at `s`.

    Multi-byte tests stop at the first byte that differs, so a truncated sequence is never
    read past its terminating NUL.
    """
    cdef unsigned char b = s[0]
    if b < 0x80:
        return b == 0x20 or 0x09 <= b <= 0x0d or 0x1c <= b <= 0x1f
    if b == 0xc2:  # U+0085, U+00A0
        return s[1] == 0x85 or s[1] == 0xa0
    if b == 0xe1:  # U+1680
        return s[1] == 0x9a and s[2] == 0x80
    if b == 0xe2:  # U+2000-200A, U+2028, U+2029, U+202F, U+205F
        if s[1] == 0x80:
            return 0x80 <= s[2] <= 0x8a or s[2] == 0xa8 or s[2] == 0xa9 or s[2] == 0xaf
        return s[1] == 0x81 and s[2] == 0x9f
    if b == 0xe3:  # U+3000
        return s[1] == 0x80 and s[2] == 0x80
    return False


cdef inline tree.xmlNode* _text_or_skip(tree.xmlNode* node) noexcept nogil:
    """The text node at `node` (XInclude markers skipped), else NULL: lxml's text grouping."""
    while node != NULL:
        if node.type == tree.XML_TEXT_NODE or node.type == tree.XML_CDATA_SECTION_NODE:
            return node
        if node.type == tree.XML_XINCLUDE_START or node.type == tree.XML_XINCLUDE_END:
            node = node.next
        else:
            return NULL
    return NULL


cdef struct TextRun:
    long total      # code points of the run (`len(text)`)
    long stripped   # code points once surrounding whitespace is stripped (`len(text.strip())`)
    bint present    # any non-empty text at all


cdef inline long _points(const unsigned char* s, size_t n) noexcept nogil:
    """Code points in `n` bytes of UTF-8 (a loop the compiler vectorises)."""
    cdef long count = 0
    cdef size_t k
    for k in range(n):
        count += (s[k] & 0xc0) != 0x80
    return count


cdef inline size_t _space_width(unsigned char b) noexcept nogil:
    return 1 if b < 0x80 else (2 if b < 0xe0 else 3)


cdef TextRun _measure(tree.xmlNode* node) noexcept nogil:
    """Length and stripped length of the text lxml reads as `.text`/`.tail` starting at `node`.

    Only the whitespace at either end is decoded; the middle is counted, not read.
    """
    cdef TextRun run
    cdef tree.xmlNode* nodes[16]
    cdef size_t sizes[16]
    cdef int count = 0, m
    cdef long total = 0, lead = 0, trail = 0
    cdef size_t k, j, size
    cdef bint seen = False
    cdef const unsigned char* s
    run.total = run.stripped = 0
    run.present = False
    node = _text_or_skip(node)
    while node != NULL:
        if count == 16:
            return _measure_bytewise(nodes[0])
        s = <const unsigned char*> node.content
        size = strlen(<const char*> s) if s != NULL else 0
        nodes[count], sizes[count] = node, size
        count += 1
        total += _points(s, size)
        node = _text_or_skip(node.next)
    run.total = total
    run.present = total > 0
    if total == 0:
        return run
    for m in range(count):  # leading whitespace, across nodes
        s, size, k = <const unsigned char*> nodes[m].content, sizes[m], 0
        while k < size and _space_at(s + k):
            lead += 1
            k += _space_width(s[k])
        if k < size:
            seen = True
            break
    if not seen:
        return run  # all whitespace: stripped length 0
    for m in range(count - 1, -1, -1):  # trailing whitespace, backwards
        s, k = <const unsigned char*> nodes[m].content, sizes[m]
        while k > 0:
            j = k - 1
            while j > 0 and (s[j] & 0xc0) == 0x80:
                j -= 1
            if not _space_at(s + j):
                break
            trail += 1
            k = j
        if k > 0:
            break
    run.stripped = total - lead - trail
    return run


cdef TextRun _measure_bytewise(tree.xmlNode* node) noexcept nogil:
    """`_measure` for runs of many text nodes: one decoding pass over every byte."""
    cdef TextRun run
    cdef long total = 0, lead = 0, trail = 0
    cdef bint seen = False
    cdef const unsigned char* s
    run.total = run.stripped = 0
    run.present = False
    while node != NULL:
        s = <const unsigned char*> node.content
        if s != NULL:
            while s[0] != 0:
                if (s[0] & 0xc0) != 0x80:  # the first byte of a code point
                    total += 1
                    if _space_at(s):
                        if not seen:
                            lead += 1
                        else:
                            trail += 1
                    else:
                        seen = True
                        trail = 0
                s += 1
        node = _text_or_skip(node.next)
    run.total = total
    run.present = total > 0
    run.stripped = total - lead - trail if seen else 0
    return run


def text_stats(list elements, long prose_min, long short_text, tuple tag_sets):
    """Per-element text statistics from one bottom-up pass. `tag_sets`: the hidden, paragraph
    and text-div tag sets."""
    cdef Py_ssize_t n = len(elements)
    cdef Py_ssize_t i, j
    cdef long *c_text = NULL
    cdef long *c_links = NULL
    cdef long *c_prose = NULL
    cdef long *c_units = NULL
    cdef long *c_end = NULL
    cdef long *c_unit = NULL
    cdef long *c_held = NULL
    cdef long *c_held_key = NULL
    cdef tree.xmlNode* node
    cdef tree.xmlNode* child
    cdef _Element el
    cdef TextRun run
    cdef long direct, t, lk, pr, un, unit, last, mask
    cdef list direct_list = [0] * n
    cdef list shorts = []
    cdef dict pos = {}
    cdef dict cache = {}
    cdef TagCache known
    cdef size_t slot
    cdef list paragraphs = []
    cdef list tags = [None] * n
    cdef dict by_tag = {}
    cdef long best = -1, best_held = 0, best_key = -1
    sets = (tag_sets[0], tag_sets[1], tag_sets[2], frozenset(("a",)))
    known.count = 0
    memset(known.name, 0, sizeof(known.name))
    try:
        c_text, c_links, c_prose, c_units = _longs(n), _longs(n), _longs(n), _longs(n)
        c_end, c_unit, c_held, c_held_key = _longs(n), _longs(n), _longs(n), _longs(n)
        for i in range(n - 1, -1, -1):
            el = elements[i]
            node = el._c_node
            last = i + 1
            run = _measure(node.children)
            direct = run.stripped
            if direct and run.total < short_text:
                shorts.append((el, el.text))
            t = lk = pr = un = 0
            c_held[i] = 0
            c_held_key[i] = -1
            j = i + 1
            child = node.children
            while child != NULL:
                if child.type == tree.XML_ELEMENT_NODE:
                    run = _measure(child.next)
                    if run.present and run.stripped:
                        direct += run.stripped
                        if run.total < short_text:
                            shorts.append((el, elements[j].tail))
                    t += c_text[j]
                    lk += c_links[j]
                    pr += c_prose[j]
                    un += c_units[j]
                    if c_unit[j]:
                        c_held[i] += c_unit[j]
                        c_held_key[i] = j  # the last one: the pure-Python pass met it first
                    last = c_end[j]
                    j = c_end[j]
                elif (child.type == tree.XML_COMMENT_NODE or child.type == tree.XML_PI_NODE
                      or child.type == tree.XML_ENTITY_REF_NODE):
                    direct += _measure(child.next).stripped
                child = child.next
            c_end[i] = last
            direct_list[i] = direct
            slot = _tag_slot(&known, <const char*> node.name) if node.name != NULL else 0
            if node.name != NULL and known.name[slot] != NULL:
                tags[i] = <object> known.tag[slot]
                mask = known.mask[slot]
            else:
                info = _tag_info(cache, <const char*> node.name, sets)
                tags[i] = info[0]
                mask = info[1]
                if node.name != NULL and known.count < 192:  # a quarter of the slots stay free
                    known.name[slot] = <const char*> node.name
                    known.tag[slot] = <PyObject*> info[0]
                    known.mask[slot] = mask
                    known.count += 1
            c_unit[i] = 0
            if mask & 1:  # hidden
                c_text[i] = c_links[i] = c_prose[i] = c_units[i] = 0
                continue
            t += direct
            unit = 0
            if mask & 8:  # a link
                lk, pr, un = t, 0, 0
            elif mask & 2:  # a paragraph tag
                if t - lk >= prose_min and lk < t * 0.5 and t - lk > pr:
                    unit = pr = t - lk
                    un = 1
            elif direct >= prose_min and mask & 4:  # a div-like tag with text of its own
                unit = direct
                pr, un = pr + direct, un + 1
            c_unit[i] = unit
            c_text[i], c_links[i], c_prose[i], c_units[i] = t, lk, pr, un
        # The element whose own paragraphs hold the most text; on a tie, the one the
        # reverse pass met first (the pure-Python pass keeps dict insertion order).
        for i in range(n):
            if c_held[i] > best_held or (c_held[i] == best_held and c_held[i] > 0
                                         and c_held_key[i] > best_key):
                best, best_held, best_key = i, c_held[i], c_held_key[i]
        for i in range(n):
            el = elements[i]
            pos[el] = i
            same = by_tag.get(tags[i])
            if same is None:
                by_tag[tags[i]] = [el]
            else:
                (<list> same).append(el)
        for i in range(n - 1, -1, -1):
            if c_unit[i]:
                paragraphs.append(elements[i])
        main = elements[best] if best >= 0 else None
        return TextStatsResult(
            pos, [c_end[i] for i in range(n)], [c_text[i] for i in range(n)],
            [c_links[i] for i in range(n)], [c_prose[i] for i in range(n)],
            [c_units[i] for i in range(n)], paragraphs, main, best_held, direct_list, shorts,
            tags, by_tag)
    finally:
        free(c_text); free(c_links); free(c_prose); free(c_units)
        free(c_end); free(c_unit); free(c_held); free(c_held_key)


cdef enum:
    ATTR_CLASS_OR_ID = 1
    ATTR_ITEMPROP = 2
    ATTR_FLAG = 4  # hidden, aria-hidden, role or style: visibility and role tests apply


cdef int _attributes(tree.xmlNode* node) noexcept nogil:
    """Which of the attributes the block scan reads the element has (ATTR_*); -1: none at all."""
    cdef tree.xmlAttr* attr = node.properties
    cdef int found = 0
    cdef const char* name
    if attr == NULL:
        return -1
    while attr != NULL:
        name = <const char*> attr.name
        if strcmp(name, "class") == 0 or strcmp(name, "id") == 0:
            found |= ATTR_CLASS_OR_ID
        elif strcmp(name, "itemprop") == 0:
            found |= ATTR_ITEMPROP
        elif (strcmp(name, "hidden") == 0 or strcmp(name, "aria-hidden") == 0
              or strcmp(name, "role") == 0 or strcmp(name, "style") == 0):
            found |= ATTR_FLAG
        attr = attr.next
    return found


def scan(list elements, list tags, list ends, tuple tag_sets, junk_flags):
    """The block scan's page-wide facts. `tag_sets`: junk, weak, text-div, paragraph tags and
    {"a"}; `junk_flags(el)` -> (hidden, by role) for elements with a visibility or role attribute.
    """
    cdef Py_ssize_t n = len(elements)
    cdef Py_ssize_t i, j, stop
    cdef _Element el
    cdef int attrs
    cdef long mask
    cdef dict masks = {}
    cdef list parent = [-1] * n
    cdef list strict = [False] * n
    cdef list with_roles = [False] * n
    cdef list classed = []
    cdef list itemprops = []
    cdef bytearray kinds = bytearray(n)
    for i in range(n):
        stop = ends[i]
        j = i + 1
        while j < stop:
            parent[j] = i
            j = ends[j]
        el = elements[i]
        tag = tags[i]
        known = masks.get(tag)
        if known is None:
            mask = 0
            for k, members in enumerate(tag_sets):
                if tag in members:
                    mask |= 1 << k
            masks[tag] = mask
        else:
            mask = <long> known
        kinds[i] = mask >> 2
        if mask & 1:
            strict[i] = with_roles[i] = True
        attrs = _attributes(el._c_node)
        if attrs < 0:
            if mask & 2:
                classed.append(i)
            continue
        if not mask & 1 and attrs & ATTR_FLAG:
            hidden, role = junk_flags(el)
            strict[i] = hidden
            with_roles[i] = hidden or role
        if attrs & ATTR_CLASS_OR_ID or mask & 2:
            classed.append(i)
        if attrs & ATTR_ITEMPROP:
            itemprops.append(el)
    return ScanResult(parent, strict, with_roles, classed, itemprops, bytes(kinds))


def block_counts(bytes kinds, list parent, list direct, list roots):
    """Bottom-up text, link text and paragraph text, junk roots left out of their ancestors.
    `kinds` bits: 1 text div, 2 paragraph tag, 4 link."""
    cdef Py_ssize_t n = len(kinds)
    cdef Py_ssize_t i, p
    cdef const unsigned char* kind = kinds
    cdef long *text = NULL
    cdef long *links = NULL
    cdef long *paras = NULL
    cdef long t, lk, pr, d
    try:
        text, links, paras = _longs(n), _longs(n), _longs(n)
        for i in range(n):
            text[i] = direct[i]
            links[i] = paras[i] = 0
        for i in range(n - 1, -1, -1):
            t, lk, pr = text[i], links[i], paras[i]
            d = direct[i]
            if d >= 25 and kind[i] & 1:
                pr += d  # text written straight into a div, without paragraph markup
            if kind[i] & 4:
                lk = t
            if kind[i] & 2 and t >= 25 and lk < t * 0.5:
                pr = max(pr, t - lk)  # nested text blocks are counted once
            links[i], paras[i] = lk, pr
            p = parent[i]
            if p >= 0 and not roots[i]:
                text[p] += t
                links[p] += lk
                paras[p] += pr
        return BlockCounts([text[i] for i in range(n)], [links[i] for i in range(n)],
                           [paras[i] for i in range(n)])
    finally:
        free(text); free(links); free(paras)


cdef struct Needles:
    int count
    const unsigned char* text[64]
    size_t size[64]
    # at[j][b], bit k: needle k has the (lower-case) byte b at position j, or is shorter than
    # j + 1 bytes; the needles that may start at a position are those of its next three bytes
    unsigned long long at[3][256]


cdef inline unsigned char _lower(unsigned char b) noexcept nogil:
    return b + 32 if 65 <= b <= 90 else b


cdef int _ascii_hit(const unsigned char* value, size_t length, Needles* needles) noexcept nogil:
    """-1 when `value` holds a non-ASCII byte, else 1 when its ASCII-lower-cased text contains
    a needle and 0 when not: one pass, a needle tried only where its first three bytes occur.

    `value` is NUL-terminated: the byte after the last is read (as no needle's byte).
    """
    cdef size_t k, m, i
    cdef int w
    cdef unsigned long long bits
    cdef const unsigned char* needle
    for k in range(length):
        if value[k] >= 0x80:
            return -1
    for k in range(length):
        bits = needles.at[0][_lower(value[k])] & needles.at[1][_lower(value[k + 1])]
        if bits and k + 2 <= length:  # value[k + 2] is at most the terminating NUL
            bits &= needles.at[2][_lower(value[k + 2])]
        w = 0
        while bits:
            if bits & 1:
                needle = needles.text[w]
                m = needles.size[w]
                if k + m <= length:
                    i = 0
                    while i < m and _lower(value[k + i]) == needle[i]:
                        i += 1
                    if i == m:
                        return 1
            bits >>= 1
            w += 1
    return 0


cdef struct Names:
    int count
    const char* name[32]


cdef int _names(tuple names, Names* out) except -1:
    """Fill `out` with the C strings of `names` (bytes, which the caller keeps alive)."""
    if len(names) > 32:
        raise ValueError("at most 32 attribute names")
    out.count = len(names)
    for k in range(out.count):
        out.name[k] = <const char*> (<bytes> names[k])
    return 0


cdef inline bint _named(const char* name, Names* names) noexcept nogil:
    cdef int k
    for k in range(names.count):
        if strcmp(name, names.name[k]) == 0:
            return True
    return False


def attribute_hits(list elements, tuple names, tuple needles, fallback):
    """Positions of the elements whose `names` attributes (every attribute when `names` is
    empty) hold a needle once lower-cased; non-ASCII values are decided by `fallback(value)`.

    `needles`: at most 64 lower-case ASCII bytes strings; values split over several nodes also
    go to `fallback`.
    """
    cdef Py_ssize_t n = len(elements)
    cdef Py_ssize_t i
    cdef int k, found
    cdef _Element el
    cdef tree.xmlAttr* attr
    cdef tree.xmlNode* text
    cdef const unsigned char* value
    cdef size_t length
    cdef bint hit
    cdef list out = []
    cdef Needles table
    cdef Names wanted
    _names(names, &wanted)
    if len(needles) > 64:
        raise ValueError("at most 64 needles")
    table.count = len(needles)
    for j in range(3):
        for k in range(256):
            table.at[j][k] = 0
    for k in range(table.count):
        needle = <bytes> needles[k]
        if not needle:
            raise ValueError("empty needle")
        table.text[k] = <const unsigned char*> needle
        table.size[k] = len(needle)
        for j in range(3):
            for byte in ((needle[j],) if j < len(needle) else range(256)):
                table.at[j][byte] |= (<unsigned long long> 1) << k
    for i in range(n):
        el = elements[i]
        attr = el._c_node.properties
        hit = False
        while attr != NULL and not hit:
            if wanted.count and not _named(<const char*> attr.name, &wanted):
                attr = attr.next
                continue
            text = attr.children
            if text == NULL or text.type != tree.XML_TEXT_NODE or text.next != NULL:
                hit = text != NULL and bool(
                    fallback(el.get(PyUnicode_DecodeUTF8(
                        <const char*> attr.name, strlen(<const char*> attr.name), NULL))
                        or ""))
                attr = attr.next
                continue
            value = <const unsigned char*> text.content
            length = strlen(<const char*> value)
            found = _ascii_hit(value, length, &table)
            if found < 0:
                hit = bool(fallback(PyUnicode_DecodeUTF8(<const char*> value, length, NULL)))
            else:
                hit = found == 1
            attr = attr.next
        if hit:
            out.append(i)
    return out


def elements_with(list elements, tuple names):
    """Positions of the elements carrying any of the attributes `names` (bytes)."""
    cdef Py_ssize_t i
    cdef _Element el
    cdef tree.xmlAttr* attr
    cdef list out = []
    cdef Names wanted
    _names(names, &wanted)
    for i in range(len(elements)):
        el = elements[i]
        attr = el._c_node.properties
        while attr != NULL:
            if _named(<const char*> attr.name, &wanted):
                out.append(i)
                break
            attr = attr.next
    return out


cdef bint _run_holds(tree.xmlNode* node, const char* needle, bytes word):
    """True when the text lxml reads as `.text`/`.tail` starting at `node` contains `needle`."""
    node = _text_or_skip(node)
    if node == NULL:
        return False
    if _text_or_skip(node.next) == NULL:  # one text node, as nearly always
        return node.content != NULL and strstr(<const char*> node.content, needle) != NULL
    joined = bytearray()
    while node != NULL:
        if node.content != NULL:
            joined += <bytes> (<const char*> node.content)
        node = _text_or_skip(node.next)
    return word in joined


def last_text_hit(list elements, bytes needle, Py_ssize_t before):
    """The last position before `before` whose element's text (`.text`) or tail (`.tail`)
    contains `needle` (UTF-8, not empty), or -1: a search backwards that stops at the first hit.
    """
    cdef Py_ssize_t i
    cdef _Element el
    if not needle:
        raise ValueError("empty needle")
    if b"\0" in needle:
        return -1  # libxml2's text never holds a NUL
    cdef const char* c_needle = needle
    for i in range(min(before, len(elements)) - 1, -1, -1):
        el = elements[i]
        if (_run_holds(el._c_node.children, c_needle, needle)
                or _run_holds(el._c_node.next, c_needle, needle)):
            return i
    return -1


def byte_count(bytes data, unsigned char byte):
    """How many times `byte` occurs in `data` (`data.count`, in blocks of 255 bytes counted in
    one-byte sums, a loop the compiler vectorises)."""
    cdef const unsigned char* s = data
    cdef Py_ssize_t j, k = 0, stop, n = len(data)
    cdef size_t count = 0
    cdef unsigned char block
    while k < n:
        stop = k + 255 if n - k > 255 else n
        block = 0
        for j in range(k, stop):
            block += s[j] == byte
        count += block
        k = stop
    return count


def is_utf8(bytes data):
    """Whether `data` is well-formed UTF-8, as `data.decode("utf-8")` accepts it (shortest
    forms, no surrogates, nothing past U+10FFFF), eight ASCII bytes at a time."""
    cdef const unsigned char* s = data
    cdef Py_ssize_t i = 0, j, need, n = len(data)
    cdef unsigned char b, lo, hi
    cdef unsigned long long word
    while i < n:
        if i + 8 <= n:
            memcpy(&word, s + i, 8)
            if not word & 0x8080808080808080ULL:
                i += 8
                continue
        b = s[i]
        if b < 0x80:
            i += 1
            continue
        # continuation bytes after the lead byte, and the range its first one must lie in
        if 0xC2 <= b <= 0xDF:
            need, lo, hi = 1, 0x80, 0xBF
        elif b == 0xE0:
            need, lo, hi = 2, 0xA0, 0xBF  # no overlong form
        elif b == 0xED:
            need, lo, hi = 2, 0x80, 0x9F  # no surrogate
        elif 0xE1 <= b <= 0xEF:
            need, lo, hi = 2, 0x80, 0xBF
        elif b == 0xF0:
            need, lo, hi = 3, 0x90, 0xBF  # no overlong form
        elif b == 0xF4:
            need, lo, hi = 3, 0x80, 0x8F  # nothing past U+10FFFF
        elif 0xF1 <= b <= 0xF3:
            need, lo, hi = 3, 0x80, 0xBF
        else:
            return False
        if i + need >= n or not lo <= s[i + 1] <= hi:
            return False
        for j in range(i + 2, i + need + 1):
            if s[j] & 0xC0 != 0x80:
                return False
        i += need + 1
    return True
