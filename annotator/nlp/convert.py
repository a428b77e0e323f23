"""From a processed spaCy ``Doc`` to an ``Annotation`` (docs/contract.md section 1), and its token offsets (rebuilt by ``annotator.io.tokens.doc_from_tokens``)."""

from __future__ import annotations

from typing import Any, Mapping

from spacy.tokens import Doc

from annotator.nlp.common import ATTRIBUTIONS_EXT, CLAIM_SPEAKERS_EXT, CLAIMS_KEY, doc_text
from annotator.scheme import Annotation, Claim, Quote, SpeakerMention, Span, Stance

MODEL_ANNOTATOR = "model"
SUGGESTED = "suggested"


def _span(text: str, start: int, end: int) -> Span:
    return Span(start, end, text[start:end])


def doc_to_annotation(doc: Doc, doc_id: str, meta: Mapping[str, Any] | None = None) -> Annotation:
    """The model's version of the document: annotator ``"model"``, status ``"done"``, items ``"suggested"``.

    Quotes are numbered ``q1..`` and claims ``c1..`` in text order.
    """
    text = doc_text(doc)
    records = doc._.get(ATTRIBUTIONS_EXT) if doc.has_extension(ATTRIBUTIONS_EXT) else None
    quotes = []
    for i, r in enumerate(sorted(records or [], key=lambda r: (r["start"], r["end"]))):
        cue = _span(text, *r["cue"]) if r.get("cue") else None
        speaker = None
        if r.get("speaker"):
            s, e = r["speaker"]
            speaker = SpeakerMention(s, e, text[s:e], r.get("name") or text[s:e])
        stance = Stance(*r["stance"]) if r.get("stance") else None
        quotes.append(Quote(f"q{i + 1}", r["start"], r["end"], text[r["start"] : r["end"]], r["kind"], cue, speaker,
                            stance, status=SUGGESTED, score=r.get("score")))
    claim_rows = doc._.get(CLAIM_SPEAKERS_EXT) if doc.has_extension(CLAIM_SPEAKERS_EXT) else None
    if claim_rows is None and CLAIMS_KEY in doc.spans:
        claim_rows = [[s.start_char, s.end_char, None] for s in doc.spans[CLAIMS_KEY]]
    claims = [  # rows are [start, end, speaker] or, from the learned component, [..., checkworthy, score]
        Claim(f"c{i + 1}", s, e, text[s:e], bool(rest[0]) if rest else True, name, status=SUGGESTED,
              score=float(rest[1]) if len(rest) > 1 else None)
        for i, (s, e, name, *rest) in enumerate(sorted(claim_rows or [], key=lambda c: (c[0], c[1])))
    ]
    return Annotation(doc_id, text, MODEL_ANNOTATOR, "done", dict(meta or {}), tuple(quotes), tuple(claims))


def doc_tokens(doc: Doc) -> list[list[int]]:
    """``[[start, end], ...]``: character offsets of every token (whitespace tokens included)."""
    return [[t.idx, t.idx + len(t.text)] for t in doc]
