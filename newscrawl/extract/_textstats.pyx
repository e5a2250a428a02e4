# cython: language_level=3, boundscheck=False, wraparound=False
"""Compiled bottom-up text statistics, read from the libxml2 nodes behind lxml's elements.

The same numbers as `aggregate_python` in `textstats.py` (the reference and the fallback), but
the pass over every element creates no Python strings except the short texts it reports.
"""

from libc.stdlib cimport free, malloc
from libc.string cimport strcmp, strlen

from lxml.includes cimport tree
from lxml.includes.etreepublic cimport _Element, import_lxml__etree

import_lxml__etree()

cdef enum:
    KIND_OTHER = 0
    KIND_HIDDEN = 1
    KIND_PARAGRAPH = 2
    KIND_DIV = 3
    KIND_LINK = 4


cdef int _kind(const char* name) noexcept nogil:
    """The role of a tag name in the statistics (see TextStats' tag sets)."""
    if name == NULL:
        return KIND_OTHER
    if strcmp(name, "a") == 0:
        return KIND_LINK
    if (strcmp(name, "p") == 0 or strcmp(name, "li") == 0 or strcmp(name, "td") == 0
            or strcmp(name, "blockquote") == 0 or strcmp(name, "pre") == 0
            or strcmp(name, "dd") == 0):
        return KIND_PARAGRAPH
    if (strcmp(name, "div") == 0 or strcmp(name, "span") == 0
            or strcmp(name, "section") == 0 or strcmp(name, "article") == 0
            or strcmp(name, "main") == 0 or strcmp(name, "font") == 0
            or strcmp(name, "center") == 0):
        return KIND_DIV
    if (strcmp(name, "script") == 0 or strcmp(name, "style") == 0
            or strcmp(name, "noscript") == 0 or strcmp(name, "template") == 0
            or strcmp(name, "head") == 0 or strcmp(name, "title") == 0):
        return KIND_HIDDEN
    return KIND_OTHER


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


def aggregate(list elements, long prose_min, long short_text):
    """`aggregate_python`'s result, computed on the C nodes: (pos, ends, text, links, prose,
    units, paragraphs, main, main_prose, direct, short_texts), lists by document position."""
    cdef Py_ssize_t n = len(elements)
    cdef Py_ssize_t i, j
    cdef long *c_text = <long*> malloc(max(n, 1) * sizeof(long))
    cdef long *c_links = <long*> malloc(max(n, 1) * sizeof(long))
    cdef long *c_prose = <long*> malloc(max(n, 1) * sizeof(long))
    cdef long *c_units = <long*> malloc(max(n, 1) * sizeof(long))
    cdef long *c_end = <long*> malloc(max(n, 1) * sizeof(long))
    cdef long *c_unit = <long*> malloc(max(n, 1) * sizeof(long))
    cdef long *c_held = <long*> malloc(max(n, 1) * sizeof(long))
    cdef long *c_held_key = <long*> malloc(max(n, 1) * sizeof(long))
    cdef tree.xmlNode* node
    cdef tree.xmlNode* child
    cdef _Element el
    cdef TextRun run
    cdef long direct, t, lk, pr, un, unit, last, kind
    cdef list direct_list = [0] * n
    cdef list shorts = []
    cdef dict pos = {}
    cdef list paragraphs = []
    cdef long best = -1, best_held = 0, best_key = -1
    if (c_text == NULL or c_links == NULL or c_prose == NULL or c_units == NULL
            or c_end == NULL or c_unit == NULL or c_held == NULL or c_held_key == NULL):
        free(c_text); free(c_links); free(c_prose); free(c_units)
        free(c_end); free(c_unit); free(c_held); free(c_held_key)
        raise MemoryError()
    try:
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
            kind = _kind(<const char*> node.name)
            c_unit[i] = 0
            if kind == KIND_HIDDEN:
                c_text[i] = c_links[i] = c_prose[i] = c_units[i] = 0
                continue
            t += direct
            unit = 0
            if kind == KIND_LINK:
                lk, pr, un = t, 0, 0
            elif kind == KIND_PARAGRAPH:
                if t - lk >= prose_min and lk < t * 0.5 and t - lk > pr:
                    unit = pr = t - lk
                    un = 1
            elif direct >= prose_min and kind == KIND_DIV:
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
            pos[elements[i]] = i
        for i in range(n - 1, -1, -1):
            if c_unit[i]:
                paragraphs.append(elements[i])
        main = elements[best] if best >= 0 else None
        return (pos, [c_end[i] for i in range(n)], [c_text[i] for i in range(n)],
                [c_links[i] for i in range(n)], [c_prose[i] for i in range(n)],
                [c_units[i] for i in range(n)], paragraphs, main, best_held, direct_list,
                shorts)
    finally:
        free(c_text); free(c_links); free(c_prose); free(c_units)
        free(c_end); free(c_unit); free(c_held); free(c_held_key)
