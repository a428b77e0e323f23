"""In which order an annotator sees documents: as imported, or the ones the model is least sure of first.

Every model suggestion carries a score (the attribution CRF's probability that a quote's tokens are
content; the check-worthiness classifier's probability for a claim; see ``annotator.nlp``). A document's
*certainty* is the score of its least sure suggestion: uncertainty sampling, as Prodigy's ``ner.teach`` and
INCEpTION's recommenders present the examples the model would learn most from. Documents without a scored
suggestion (no suggestions, or only rule-made ones) come after every scored one, in import order.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from annotator.errors import UserError
from annotator.scheme import Annotation

ORDERS = ("as-imported", "uncertain")


def certainty(suggestions: Annotation) -> float | None:
    """The lowest score among a document's suggestions (None when none has a score)."""
    scores = [q.score for q in suggestions.quotes if q.score is not None]
    scores += [c.score for c in suggestions.claims if c.score is not None]
    return min(scores) if scores else None


def ordered(doc_ids: Sequence[int], order: str, suggestions: Mapping[int, Annotation]) -> list[int]:
    """``doc_ids`` (in import order) in the requested ``order``; ``suggestions`` by document id."""
    if order not in ORDERS:
        raise UserError(f"unknown order {order!r}: expected one of {', '.join(ORDERS)}")
    if order == "as-imported":
        return list(doc_ids)
    keys = {d: certainty(suggestions[d]) if d in suggestions else None for d in doc_ids}
    position = {d: i for i, d in enumerate(doc_ids)}
    return sorted(doc_ids, key=lambda d: (keys[d] is None, keys[d] or 0.0, position[d]))

