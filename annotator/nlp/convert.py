"""From a processed spaCy ``Doc`` to an ``Annotation`` (contract section 1), and token offsets both ways."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from spacy.tokens import Doc
from spacy.vocab import Vocab

from annotator.nlp.components import ATTRIBUTIONS_EXT, CLAIM_SPEAKERS_EXT, CLAIMS_KEY
from annotator.scheme import Annotation, Claim, Quote, SpeakerMention, Span, Stance

MODEL_ANNOTATOR = "model"
SUGGESTED = "suggested"


def _span(text: str, start: int, end: int) -> Span:
    return Span(start, end, text[start:end])


def doc_to_annotation(doc: Doc, doc_id: str, meta: Mapping[str, Any] | None = None) -> Annotation:
    """The model's version of the document: annotator ``"model"``, status ``"done"``, items ``"suggested"``.

    Quotes are numbered ``q1..`` and claims ``c1..`` in text order.
    """
    text = doc.text
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
                            stance, status=SUGGESTED))
    claim_rows = doc._.get(CLAIM_SPEAKERS_EXT) if doc.has_extension(CLAIM_SPEAKERS_EXT) else None
    if claim_rows is None and CLAIMS_KEY in doc.spans:
        claim_rows = [[s.start_char, s.end_char, None] for s in doc.spans[CLAIMS_KEY]]
    claims = [  # rows are [start, end, speaker] or, from the learned component, [..., checkworthy, score]
        Claim(f"c{i + 1}", s, e, text[s:e], bool(rest[0]) if rest else True, name, status=SUGGESTED)
        for i, (s, e, name, *rest) in enumerate(sorted(claim_rows or [], key=lambda c: (c[0], c[1])))
    ]
    ann = Annotation(doc_id, text, MODEL_ANNOTATOR, "done", dict(meta or {}), tuple(quotes), tuple(claims))
    try:  # a trained pipeline (``annotator train``) adds span-categorizer predictions the rules missed
        from annotator.training.combine import has_trained_spans, merge_trained
    except ImportError:  # pragma: no cover - training package absent
        return ann
    return merge_trained(ann, doc) if has_trained_spans(doc) else ann


def doc_tokens(doc: Doc) -> list[list[int]]:
    """``[[start, end], ...]``: character offsets of every token (whitespace tokens included)."""
    return [[t.idx, t.idx + len(t.text)] for t in doc]


def doc_from_tokens(vocab: Vocab, text: str, tokens: Sequence[Sequence[int]]) -> Doc:
    """Rebuild a tokenized ``Doc`` from ``doc_tokens`` output without parsing; ``doc.text == text``.

    Token ``i`` is followed by one space when the next token starts exactly one character later and that
    character is a space; any other gap (or leading text) cannot be expressed by spaCy's ``spaces`` and is
    rejected with ``ValueError``. (The exporters' ``layout_from_offsets`` does the rebuilding; it would
    turn such gaps into whitespace tokens, which ``doc_tokens`` output never needs.)
    """
    from annotator.io.docbin import make_doc
    from annotator.io.writers import layout_from_offsets

    layout = layout_from_offsets(text, tokens)
    if layout is None or len(layout) != len(tokens) or list(zip(layout.starts, layout.ends)) != [
        (int(s), int(e)) for s, e in tokens
    ]:
        raise ValueError("token offsets leave gaps that are not a single space, or do not fit the text")
    return make_doc(vocab, text, layout)
