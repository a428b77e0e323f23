"""Trained span predictions as annotations, and merged into the rule-based ones.

A pipeline from ``annotator train`` writes ``doc.spans["sc_quotes"]`` and ``["sc_claims"]``. The rules
stay in charge of what they do well (cues, speakers, stance); a trained span is added where the rules
found nothing overlapping it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from annotator.scheme import QUOTE_KINDS, Annotation, Claim, Quote

TRAINED_QUOTES_KEY = "sc_quotes"
TRAINED_CLAIMS_KEY = "sc_claims"


def has_trained_spans(doc: Any) -> bool:
    return TRAINED_QUOTES_KEY in doc.spans or TRAINED_CLAIMS_KEY in doc.spans


def _spans(doc: Any, key: str) -> list[Any]:
    return sorted(doc.spans[key], key=lambda s: (s.start_char, s.end_char)) if key in doc.spans else []


def trained_annotation(doc: Any, doc_id: str = "") -> Annotation:
    """Only what the trained span categorizers predicted (non-overlapping, first come first kept)."""
    return merge_trained(Annotation(doc_id, doc.text, "model", "done"), doc)


def merge_trained(ann: Annotation, doc: Any) -> Annotation:
    """``ann`` plus trained quote/claim spans that overlap none of its items of the same layer."""
    quotes = list(ann.quotes)
    claims = list(ann.claims)

    def free(items: list[Any], start: int, end: int) -> bool:
        return all(end <= it.start or it.end <= start for it in items)

    for span in _spans(doc, TRAINED_QUOTES_KEY):
        if free(quotes, span.start_char, span.end_char):
            kind = span.label_ if span.label_ in QUOTE_KINDS else "indirect"
            quotes.append(Quote("", span.start_char, span.end_char, span.text, kind, status="suggested"))
    for span in _spans(doc, TRAINED_CLAIMS_KEY):
        if free(claims, span.start_char, span.end_char):
            claims.append(Claim("", span.start_char, span.end_char, span.text, status="suggested"))
    return replace(ann, quotes=_with_ids(quotes, "q"), claims=_with_ids(claims, "c"))


def _with_ids(items: list[Any], prefix: str) -> tuple[Any, ...]:
    """Sorted by offset; new items (empty id) get the next free ids."""
    used = {it.id for it in items if it.id}
    counter = len(used)
    out = []
    for it in sorted(items, key=lambda i: (i.start, i.end)):
        if not it.id:
            counter += 1
            while f"{prefix}{counter}" in used:
                counter += 1
            it = replace(it, id=f"{prefix}{counter}")
            used.add(it.id)
        out.append(it)
    return tuple(out)
