"""A quote's kind from its quotation marks (docs/contract.md section 1), shared by the brat import and the model.

NYT-style ``''…''`` (two apostrophes) count as quotation marks; single marks and apostrophes do not (``don’t``,
``Clintons’`` are too common to tell apart).
"""

from __future__ import annotations

import re

from annotator.scheme import trim_span

#: Quotation marks that open or close a quotation (apostrophes and single marks are too ambiguous).
_MARK = re.compile(r"''|``|[\"“”„‟«»]")
_OPENING = re.compile(r"(''|``|[\"“„‟«])")
_CLOSING = re.compile(r"(''|[\"”‟»])[.,;:!?]*$")


def quote_kind(text: str, start: int, end: int) -> str:
    """``direct``, ``mixed`` or ``indirect`` from the quotation marks in ``text[start:end]``."""
    piece = text[start:end].strip()
    marks = _MARK.findall(piece)
    if not marks:
        return "indirect"
    if _OPENING.match(piece) and (len(marks) == 1 or (len(marks) == 2 and _CLOSING.search(piece))):
        return "direct"
    return "mixed"


def mark_count(text: str, start: int, end: int) -> int:
    """How many quotation marks ``text[start:end]`` holds (an odd count: one is paired outside it)."""
    return len(_MARK.findall(text, start, end))


def inside_marks(text: str, start: int, end: int) -> tuple[int, int]:
    """A direct quote's span without its quotation marks (punctuation after the closing mark stays out)."""
    start, end = trim_span(text, start, end)
    opening = _OPENING.match(text, start, end)
    if opening:
        start = opening.end()
    closing = _CLOSING.search(text, start, end)
    if closing:
        end = closing.start()
    return trim_span(text, start, end)
