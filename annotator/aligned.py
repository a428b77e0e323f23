"""Label a statement once, apply it to its copies: the same quote in other outlets' articles.

``annotator.speakers`` aligns near-duplicate quotes of one speaker across documents; this applies an
annotator's decision on one of them (accept / reject, kind, stance) to every aligned copy, each copy
stored as a decision of its own (event ``apply-aligned``), so undo works per document as usual.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping

from annotator.db.repo import Repository
from annotator.scheme import Quote, Stance
from annotator.speakers import AlignedStatement, SpeakerQuote


def _find(quotes: tuple[Quote, ...], target: SpeakerQuote) -> Quote | None:
    for q in quotes:
        if q.id == target.quote_id and q.text == target.text:
            return q
    best = [q for q in quotes if q.text == target.text]
    return best[0] if best else None


def apply_to_aligned(
    repo: Repository,
    dataset: str,
    annotator: str,
    statement: AlignedStatement,
    status: str | None = None,
    kind: str | None = None,
    stance: Stance | None = None,
) -> Mapping[str, str]:
    """Apply the decision to every quote of ``statement`` in the annotator's versions.

    Returns doc_id -> "applied" / "not found" (the copy is no longer in that annotator's version).
    """
    outcome: dict[str, str] = {}
    for sq in statement.quotes:
        state = repo.open_version(repo.document_id(dataset, sq.doc_id), annotator)
        quote = _find(state.quotes, sq)
        if quote is None:
            outcome[sq.doc_id] = "not found"
            continue
        changed = replace(
            quote,
            # A suggestion someone labelled is accepted; an item already decided keeps its status.
            status=status or ("accepted" if quote.status == "suggested" else quote.status),
            kind=kind or quote.kind,
            stance=stance if stance is not None else quote.stance,
        )
        repo.save_item(state.version_id, "quotes", quote.id, {**changed.to_dict(), "status": changed.status},
                       "apply-aligned")
        outcome[sq.doc_id] = "applied"
    return outcome
