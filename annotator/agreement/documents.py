"""Documents ranked by disagreement: the list a reviewer works through, worst first.

A document's items are the groups of overlapping quotes and claims across the annotators who did
it (the grouping of the review screen, :func:`annotator.adjudication.compare`); a group is
*disputed* unless every annotator has the same item in it (span and attributes). Disagreement is
the disputed share of the groups (0 when nobody marked anything).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from annotator.review.adjudication import DocumentComparison, compare
from annotator.scheme import Annotation

__all__ = ["DocumentDisagreement", "by_document", "disagreement_key", "ranked", "score"]


@dataclass(frozen=True, slots=True)
class DocumentDisagreement:
    doc_id: str
    annotators: tuple[str, ...]  #: who did the document
    items: int  #: groups of overlapping items
    disputed: int
    disagreement: float  #: disputed / items

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "annotators": list(self.annotators),
            "items": self.items,
            "disputed": self.disputed,
            "disagreement": self.disagreement,
        }


def score(cmp: DocumentComparison) -> DocumentDisagreement:
    items = len(cmp.agreed) + len(cmp.disagreements)
    disputed = len(cmp.disagreements)
    return DocumentDisagreement(cmp.doc_id, cmp.annotators, items, disputed, disputed / items if items else 0.0)


def disagreement_key(d: DocumentDisagreement) -> tuple[float, int, str]:
    """Sort key: highest disagreement first, then most disputed items, then document id."""
    return (-d.disagreement, -d.disputed, d.doc_id)


def by_document(
    versions: Mapping[str, Mapping[str, Annotation]], annotators: Sequence[str] | None = None
) -> list[DocumentDisagreement]:
    """Documents done by at least two of ``annotators`` (default: all), most disagreement first."""
    names = list(versions) if annotators is None else list(dict.fromkeys(annotators))
    docs: dict[str, dict[str, Annotation]] = {}
    for name in names:
        for doc_id, ann in (versions.get(name) or {}).items():
            if ann.status == "done":
                docs.setdefault(str(doc_id), {})[name] = ann
    return ranked(docs.values())


def ranked(documents: Iterable[Mapping[str, Annotation]]) -> list[DocumentDisagreement]:
    """:func:`by_document` from each document's done versions (annotator -> version, in the annotators'
    order), e.g. streamed one document at a time: only the scores are kept."""
    scores = [score(compare(v)) for v in documents if len(v) >= 2 and len({a.text for a in v.values()}) == 1]
    return sorted(scores, key=disagreement_key)
