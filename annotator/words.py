"""Words, clauses and sentences of a document text: the ONE definition every span key uses.

A word is a run of non-space characters without the punctuation at its edges ("said," is the word
"said"; "2021-12-02", "Russia’s" and "U.S" are one word each), so a boundary key moves over what a
reader calls a word, never over a comma or a hyphen. The annotation screen (``[ ] { }`` and select
mode) and the review screen move by these words; sentence and clause ends are plain punctuation rules
(no parser), so the same keys behave the same on every document, tokenized or not.
"""

from __future__ import annotations

import bisect
import re

from annotator.scheme import QUOTE_MARKS

#: Punctuation that is never part of a word at its edges (inner punctuation stays: "don't", "2021-12-02").
EDGE_PUNCTUATION = QUOTE_MARKS + ".,;:!?()[]{}<>…–—-/\\*_|~^"
_RUN = re.compile(r"\S+")
#: A sentence ends after . ! ? or … (and any closing quotation marks or brackets) before a space, or at a line end.
_SENTENCE_END = re.compile(r"[.!?…]+[" + re.escape(QUOTE_MARKS) + r")\]]*(?=\s|$)|\n")
#: A clause also ends before , ; : and dashes.
_CLAUSE_END = re.compile(_SENTENCE_END.pattern + r"|[,;:][" + re.escape(QUOTE_MARKS) + r"]*(?=\s)|\s[–—-]\s")

Edge = str  # "start" | "end"


def words(text: str, kind: str | None = None) -> list[tuple[int, int]]:
    """The words of ``text`` as ``(start, end)`` character ranges, in order.

    For the boundaries of a quote of ``kind``: a direct quote's word ends also take in the punctuation
    between a word and a closing quotation mark (``through_closing_mark``: a direct quote ends inside its
    marks); a mixed or indirect quote's words take in the quotation marks right at their edges (a mixed
    quote may start or end with quoted words, marks included)."""
    out = []
    for m in _RUN.finditer(text):
        a, b = m.start(), m.end()
        while a < b and text[a] in EDGE_PUNCTUATION:
            a += 1
        while b > a and text[b - 1] in EDGE_PUNCTUATION:
            b -= 1
        if a >= b:
            continue
        if kind == "direct":
            b = through_closing_mark(text, b)
        elif kind is not None:
            while a > m.start() and text[a - 1] in QUOTE_MARKS:
                a -= 1
            while b < m.end() and text[b] in QUOTE_MARKS:
                b += 1
        out.append((a, b))
    return out


def move_edge(bounds: list[tuple[int, int]], start: int, end: int, edge: Edge, delta: int) -> tuple[int, int]:
    """``[start, end)`` with its ``edge`` moved ``delta`` words (negative: left) over ``bounds``.

    A start moves to word starts, an end to word ends; at the first/last word it stays where it is.
    """
    if edge not in ("start", "end") or delta == 0:
        raise ValueError(f"bad boundary move {edge!r} {delta}")
    if edge == "start":
        starts = [s for s, _ in bounds]
        if delta > 0:
            i = bisect.bisect_right(starts, start) + delta - 1
            return (starts[min(i, len(starts) - 1)] if starts and starts[-1] > start else start), end
        i = bisect.bisect_left(starts, start) + delta
        return (starts[max(i, 0)] if starts and starts[0] < start else start), end
    ends = [e for _, e in bounds]
    if delta > 0:
        i = bisect.bisect_right(ends, end) + delta - 1
        return start, (ends[min(i, len(ends) - 1)] if ends and ends[-1] > end else end)
    i = bisect.bisect_left(ends, end) + delta
    return start, (ends[max(i, 0)] if ends and ends[0] < end else end)


def sentence_starts(text: str) -> list[int]:
    """Offsets where sentences begin (the first word after each sentence end, and the text's first word)."""
    ws = words(text)
    if not ws:
        return []
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    starts = [ws[0][0]]
    firsts = [s for s, _ in ws]
    for e in ends:
        i = bisect.bisect_left(firsts, e)
        if i < len(firsts) and firsts[i] > starts[-1]:
            starts.append(firsts[i])
    return starts


def end_of(text: str, offset: int, clause: bool = False) -> int:
    """End of the last word before the sentence (or, with ``clause``, clause) end at or after ``offset``."""
    pattern = _CLAUSE_END if clause else _SENTENCE_END
    m = pattern.search(text, offset)
    stop = m.start() if m else len(text)
    before = words(text[offset:stop])
    return offset + before[-1][1] if before else stop


def through_closing_mark(text: str, end: int) -> int:
    """A direct quote's end: the punctuation between a word and the closing quotation mark belongs to
    the quote ("… through politics.”" ends after the period), so an end before it moves over it."""
    stop = end
    while stop < len(text) and text[stop] in EDGE_PUNCTUATION and text[stop] not in QUOTE_MARKS:
        stop += 1
    return stop if stop > end and stop < len(text) and text[stop] in QUOTE_MARKS else end
