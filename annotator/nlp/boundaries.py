"""``annotator_boundaries``: sentence starts from the layout, set before the parser."""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from annotator.nlp.common import _FINAL_PUNCT, BOUNDARIES_FACTORY, _factory, doc_text


#: A line opening with a date stamp ("date 2021-12-02 ...") or a wire dateline ("WASHINGTON (AP) — ...").
_LINE_PREFIX = re.compile(
    r"^[ \t]*(?:(?:date[ \t]+)?\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?"
    r"|[A-Z][A-Z.'-]+(?:[ ,]+[A-Z][A-Za-z.'-]+){0,3}(?:[ \t]*\([^)\n]{1,30}\))?[ \t]*[—–-])[ \t]+(?=\S)",
    re.MULTILINE,
)


def layout_boundaries(text: str) -> list[int]:
    """Character offsets where a sentence must start, whatever the parser thinks: every line start
    (a paragraph, a headline, a sub-heading, a byline, a caption is never glued to the next line), except a
    line that continues a hard-wrapped sentence (the previous line has no final punctuation and this one
    starts in lower case); and the text after a date stamp or wire dateline opening a line."""
    starts = []
    pos = 0
    prev_line = ""  # the line right before (blank if a paragraph break)
    for line in text.split("\n"):
        stripped = line.lstrip()
        if stripped and pos > 0:
            wrapped = prev_line.strip() and prev_line.rstrip()[-1:] not in _FINAL_PUNCT and stripped[:1].islower()
            if not wrapped:
                starts.append(pos + len(line) - len(stripped))
        prev_line = line
        pos += len(line) + 1
    starts += [m.end() for m in _LINE_PREFIX.finditer(text)]
    return sorted(set(starts))


@_factory(BOUNDARIES_FACTORY, assigns=["token.is_sent_start"])
def make_boundaries(nlp: Language, name: str) -> "LayoutBoundaries":
    return LayoutBoundaries()


class LayoutBoundaries:
    """Sets ``is_sent_start`` at ``layout_boundaries``; the parser keeps preset boundaries, so no sentence,
    quote or claim crosses a paragraph break or runs on from a line without final punctuation."""

    def __call__(self, doc: Doc) -> Doc:
        for char in layout_boundaries(doc_text(doc)):
            span = doc.char_span(char, char + 1, alignment_mode="expand")
            if span is not None and span.start > 0 and not doc[span.start].is_space:
                doc[span.start].is_sent_start = True
        return doc
