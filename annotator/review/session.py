"""The review controller: walk documents where annotators disagree, resolve, store a gold version.

Used by the review screen (annotator.tui) and by tests directly; no Textual here. A document's
resolution is stored as the target version (``gold`` by default) when the reviewer finishes it;
documents that already have a done target version are skipped, so a review can be resumed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Sequence

from annotator.review.adjudication import DocumentComparison, Item, compare, merge
from annotator.agreement.documents import disagreement_key, score
from annotator.records import GOLD
from annotator.errors import UserError
from annotator.scheme import Annotation, Quote, trim_span
from annotator.words import move_edge
from annotator.words import words as word_spans

if TYPE_CHECKING:  # a type only: the UI imports this module and must not load SQLAlchemy
    from annotator.db.repo import Repository

#: Document orders: as the dataset lists them, or most disagreement first (``agreement --by-document``).
ORDERS = ("dataset", "disagreement")


@dataclass
class ReviewDocument:
    comparison: DocumentComparison
    #: disagreement index -> chosen item (None: keep nothing); absent: unresolved.
    resolutions: dict[int, Item | None]
    #: disagreement index -> annotator whose item was chosen ("" for none, "edited" after a change).
    chosen_from: dict[int, str]


class ReviewSession:
    """State of one reviewer going through the disagreements of a dataset."""

    def __init__(self, repo: Repository, dataset: str, annotators: Sequence[str], target: str = GOLD,
                 redo: bool = False, order: str = "dataset"):
        names = list(dict.fromkeys(a.strip() for a in annotators if a.strip()))
        if len(names) < 2:
            raise UserError("review needs at least two annotators: --annotators a,b")
        if order not in ORDERS:
            raise UserError(f"unknown order {order!r}; choose one of {', '.join(ORDERS)}")
        if target in names:
            raise UserError(f"the review result {target!r} cannot also be one of the reviewed annotators")
        self.repo, self.dataset, self.annotators, self.target = repo, dataset, tuple(names), target
        known = set(repo.annotators(dataset))
        missing = [n for n in names if n not in known]
        if missing:
            raise UserError(f"no versions by {', '.join(map(repr, missing))} in dataset {dataset!r}")
        done_target = set() if redo else {a.doc_id for a in repo.versions(dataset, annotator=target, status="done")} \
            if target in known else set()
        by_doc: dict[str, dict[str, Annotation]] = {}
        for ann in repo.versions(dataset, status="done"):
            if ann.annotator in names:
                by_doc.setdefault(ann.doc_id, {})[str(ann.annotator)] = ann
        self.skipped_incomplete = sorted(d for d, v in by_doc.items() if len(v) < len(names))
        self.already_reviewed = sorted(d for d, v in by_doc.items() if len(v) == len(names) and d in done_target)
        self.documents: list[ReviewDocument] = []
        self.agreed_documents: list[DocumentComparison] = []
        for doc_id, versions in by_doc.items():
            if len(versions) < len(names) or doc_id in done_target:
                continue
            cmp = compare(versions)
            if cmp.disagreements:
                self.documents.append(ReviewDocument(cmp, {}, {}))
            else:
                self.agreed_documents.append(cmp)
        if target in known:  # a version of the target's own that is not done would be replaced by the review
            unfinished = {a.doc_id for a in repo.versions(dataset, annotator=target, status=None) if a.status != "done"}
            replaced = sorted(unfinished & {c.doc_id for c in (*(d.comparison for d in self.documents),
                                                                *self.agreed_documents)})
            if replaced:
                shown = ", ".join(map(repr, replaced[:3])) + (f" and {len(replaced) - 3} more" if len(replaced) > 3 else "")
                raise UserError(f"{target!r} has unfinished versions of {len(replaced)} document(s) to review ({shown}): "
                                "the review would replace them; store the review under another name (--as NAME)")
        if order == "disagreement":
            self.documents.sort(key=lambda d: disagreement_key(score(d.comparison)))
        self.doc_index = 0
        self.item_index = 0

    # -- navigation -------------------------------------------------------------------------------

    @property
    def current(self) -> ReviewDocument | None:
        return self.documents[self.doc_index] if 0 <= self.doc_index < len(self.documents) else None

    def move(self, delta: int) -> None:
        doc = self.current
        if doc is not None and doc.comparison.disagreements:
            self.item_index = (self.item_index + delta) % len(doc.comparison.disagreements)

    def next_unresolved(self) -> None:
        doc = self.current
        if doc is None:
            return
        n = len(doc.comparison.disagreements)
        for step in range(1, n + 1):
            i = (self.item_index + step) % n
            if i not in doc.resolutions:
                self.item_index = i
                return

    # -- decisions --------------------------------------------------------------------------------

    def take(self, annotator: str | None) -> None:
        """Resolve the selected disagreement with one annotator's item (None: keep nothing)."""
        doc = self._doc()
        d = doc.comparison.disagreements[self.item_index]
        if annotator is not None and annotator not in d.options:
            raise UserError(f"{annotator!r} is not one of the reviewed annotators")
        doc.resolutions[self.item_index] = None if annotator is None else d.options[annotator]
        doc.chosen_from[self.item_index] = annotator or ""

    def nudge(self, edge: str, words: int) -> None:
        """Move the start or end of the chosen item by whole words (``annotator.words``, as in the annotation
        screen; an edit of the resolution)."""
        doc = self._doc()
        item = doc.resolutions.get(self.item_index)
        if item is None:
            raise UserError("choose a version with a span first, then adjust its boundaries")
        text = doc.comparison.text
        direct = isinstance(item, Quote) and item.kind == "direct"
        kind = item.kind if isinstance(item, Quote) else None
        start, end = move_edge(word_spans(text, kind), item.start, item.end, edge, words)
        if direct:  # quotation marks are never part of a direct quote (docs/contract.md section 1)
            start, end = trim_span(text, start, end, marks=True)
        if start >= end or (start, end) == (item.start, item.end):
            return
        doc.resolutions[self.item_index] = replace(item, start=start, end=end, text=text[start:end], status="edited")
        doc.chosen_from[self.item_index] = "edited"

    def resolved_current(self) -> tuple[ReviewDocument, Annotation]:
        """The current document and its adjudicated version; unresolved disagreements are refused."""
        doc = self._doc()
        unresolved = [i for i in range(len(doc.comparison.disagreements)) if i not in doc.resolutions]
        if unresolved:
            raise UserError(f"{len(unresolved)} disagreement(s) left in this document")
        return doc, merge(doc.comparison, doc.resolutions, annotator=self.target)

    def store(self, result: Annotation) -> None:
        """Write an adjudicated version (safe to call from a worker thread: touches no session state)."""
        self.repo.put_version(self.dataset, result, action="adjudicate")

    def stored_count(self) -> int:
        """Documents with a done target version in the dataset: stored by any review session, not only this one."""
        return sum(1 for status in self.repo.annotator_statuses(self.dataset, self.target).values() if status == "done")

    def remove(self, doc: ReviewDocument) -> None:
        """Take a stored document out of the walk (by identity, whatever is selected now)."""
        index = next((i for i, d in enumerate(self.documents) if d is doc), None)
        if index is None:
            return
        self.documents.pop(index)
        if index < self.doc_index or self.doc_index >= len(self.documents):
            self.doc_index = max(min(self.doc_index - (index < self.doc_index), len(self.documents) - 1), 0)
        self.item_index = 0

    def finish_document(self) -> Annotation:
        """Store the resolved current document as the target version and move on."""
        doc, result = self.resolved_current()
        self.store(result)
        self.remove(doc)
        return result

    def accept_agreed_documents(self) -> int:
        """Store documents without any disagreement as target versions (their agreed items)."""
        for cmp in self.agreed_documents:
            self.repo.put_version(self.dataset, merge(cmp, {}, annotator=self.target), action="adjudicate")
        n = len(self.agreed_documents)
        self.agreed_documents = []
        return n

    def _doc(self) -> ReviewDocument:
        doc = self.current
        if doc is None:
            raise UserError("no documents with disagreements left")
        return doc
