"""Label a statement once, apply it to its copies: the same quote in other outlets' articles.

``annotator.speakers.canonical`` aligns near-duplicate quotes of one speaker across documents; this applies an
annotator's decision on one of them (accept / reject, kind, stance) to every aligned copy, each copy
stored as a decision of its own (event ``apply-aligned``), so undo works per document as usual, and
``undo_aligned`` takes one all-copies decision back in every document at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Mapping

from annotator.annotate.edits import aligned_copy
from annotator.errors import UserError
from annotator.scheme import Quote, Stance
from annotator.speakers.canonical import AlignedStatement, SpeakerQuote

if TYPE_CHECKING:  # a type only: the UI imports this module and must not load SQLAlchemy
    from annotator.db.repo import Repository


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

    Each copy is its own decision (and transaction). Returns doc_id -> "applied", "not found" (the copy
    is no longer in that annotator's version) or "not saved: why" (it would overlap another kept quote,
    nothing but quotation marks would be left, or the database refused): one failing copy does not stop
    the others, and the caller sees exactly which were stored.
    """
    outcome: dict[str, str] = {}
    for sq in statement.quotes:
        try:
            outcome[sq.doc_id] = _apply_one(repo, dataset, annotator, sq, status, kind, stance)
        except UserError as exc:  # SaveError included: shown per copy, never dropped
            outcome[sq.doc_id] = f"not saved: {exc}"
    return outcome


def _apply_one(repo: Repository, dataset: str, annotator: str, sq: SpeakerQuote, status: str | None,
               kind: str | None, stance: Stance | None) -> str:
    state = repo.open_version(repo.document_id(dataset, sq.doc_id), annotator)
    quote = _find(state.quotes, sq)
    if quote is None:
        return "not found"
    repo.update_item(state.version_id, "quotes", quote.id, aligned_copy(status, kind, stance), "apply-aligned")
    return "applied"


def undo_aligned(repo: Repository, dataset: str, annotator: str, doc_ids: Iterable[str]) -> Mapping[str, str]:
    """Undo one all-copies decision: in each document, the annotator's last decision if it is still that
    copy's ``apply-aligned`` (a later decision there is never undone in its place). Returns doc_id ->
    "undone" or "not undone: why"."""
    outcome: dict[str, str] = {}
    for doc_id in doc_ids:
        try:
            version = repo.open_version(repo.document_id(dataset, doc_id), annotator)
            events = repo.events(version.version_id)
            if not events or events[-1]["action"] != "apply-aligned":
                outcome[doc_id] = "not undone: changed since in that article (undo it there with u)"
                continue
            repo.undo(version.version_id)
            outcome[doc_id] = "undone"
        except UserError as exc:
            outcome[doc_id] = f"not undone: {exc}"
    return outcome
