"""Parse long documents in bounded pieces, so memory stays bounded whatever the document's length.

spaCy's parser needs memory that grows faster than the text (a 5 MB article peaked at 15 GB when
parsed whole). A document longer than ``PIECE_CHARS`` is cut at paragraph breaks (else line breaks,
else sentence ends, else spaces) into consecutive pieces of at most that many characters; the base
pipeline (tokenizer, tagger, parser, NER, a trained span categorizer) parses one piece at a time,
``Doc.from_docs`` joins them without adding whitespace (so the joined text is the original text and
every character offset is the original one), and the rule components that follow the base pipeline
run once on the joined Doc.
Per-token vectors (``doc.tensor``) are dropped after each piece: the rules do not use them.
"""

from __future__ import annotations

import re
from typing import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from annotator.nlp import common as comp
from annotator.nlp.attribution import ATTRIBUTION_FACTORY
from annotator.nlp.checkworthy import CHECKWORTHY_FACTORY
from annotator.nlp.stance_model import STANCE_CLF_FACTORY

#: Longest piece parsed at once (characters); about 0.3 GB of parser memory at most.
PIECE_CHARS = 20_000
_BREAKS = (re.compile(r"\n\s*\n"), re.compile(r"\n"), re.compile(r"[.!?][\"”’»)]*\s+"), re.compile(r"\s+"))


def pieces(text: str, limit: int = PIECE_CHARS) -> list[tuple[int, int]]:
    """Consecutive ``[start, end)`` ranges covering ``text``, each at most ``limit`` characters, cut just
    after the strongest break (blank line, line break, sentence end, space) in the second half of a
    window; a window without any break is cut hard."""
    out: list[tuple[int, int]] = []
    start, n = 0, len(text)
    while n - start > limit:
        window = text[start : start + limit]
        cut = limit
        for pattern in _BREAKS:
            ends = [m.end() for m in pattern.finditer(window, limit // 2)]
            if ends:
                cut = ends[-1]
                break
        out.append((start, start + cut))
        start += cut
    out.append((start, n))
    return out


def _base_and_rules(nlp: Language) -> tuple[list[str], list[str]]:
    """(per-piece components, whole-document components): the rule components after the last component of
    the base pipeline run on the joined Doc; everything before (including ``annotator_boundaries``, which
    sets sentence starts for the parser) runs per piece."""
    ours = {*comp.PIPE_NAMES, ATTRIBUTION_FACTORY, CHECKWORTHY_FACTORY, STANCE_CLF_FACTORY}
    names = list(nlp.pipe_names)
    split = max((i + 1 for i, name in enumerate(names) if name not in ours), default=0)
    return names[:split], names[split:]


def parse_long(nlp: Language, text: str, limit: int = PIECE_CHARS) -> Doc:
    """``nlp(text)`` for a long text, parsed piece by piece (see the module docstring)."""
    base, rules = _base_and_rules(nlp)
    parts = [text[a:b] for a, b in pieces(text, limit)]
    docs = []
    with nlp.select_pipes(enable=base):
        for doc in nlp.pipe(parts, batch_size=1):
            # per-token vectors: not needed by the rules, the bulk of memory (a slice would keep them alive)
            doc.tensor = doc.tensor[:0].copy()
            docs.append(doc)
    doc = Doc.from_docs(docs, ensure_whitespace=False, exclude=["tensor"])  # type: ignore[call-arg]  # stub lacks exclude
    del docs
    for name in rules:
        doc = nlp.get_pipe(name)(doc)
    return doc


def parse_all(nlp: Language, items: Iterable[tuple[str, str]], batch_size: int,
              limit: int | None = None) -> Iterator[tuple[Doc, str]]:
    """``(doc, doc_id)`` in input order: short texts through ``nlp.pipe`` in batches, long ones by pieces."""
    limit = PIECE_CHARS if limit is None else limit
    batch: list[tuple[str, str]] = []
    for text, doc_id in items:
        if len(text) <= limit:
            batch.append((text, doc_id))
            continue
        if batch:
            yield from nlp.pipe(batch, as_tuples=True, batch_size=batch_size)
            batch = []
        yield parse_long(nlp, text, limit), doc_id
    if batch:
        yield from nlp.pipe(batch, as_tuples=True, batch_size=batch_size)
