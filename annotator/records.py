"""The records that cross the storage boundary: what ``Repository`` takes and returns.

Plain frozen dataclasses (no SQLAlchemy), so the UI, readers and exporters can use them without
importing the database layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Mapping, Union

from annotator.scheme import Annotation, Claim, Quote

#: The name under which `annotator review` stores adjudicated versions by default.
GOLD = "gold"
#: The pseudo-annotator of pre-annotation suggestions (as written by `annotator predict`).
MODEL = "model"
#: Longest gap between two actions on a version that still counts as work on it (the event log's time
#: and the time shown while annotating agree: a coffee break is not annotation time).
IDLE_CAP_SECONDS = 300.0

#: One annotation item: a quote (with cue, speaker, stance) or a check-worthy claim.
Item = Union[Quote, Claim]


@dataclass(frozen=True)
class DatasetInfo:
    id: int
    name: str
    stance_targets: tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    ext_id: str
    position: int
    text: str
    meta: Mapping[str, Any]
    tokens: tuple[tuple[int, int], ...] | None


@dataclass(frozen=True)
class ImportRecord:
    """One document to import, with optional versions by annotator (from gold JSONL)."""

    ext_id: str | None
    text: str
    meta: Mapping[str, Any]
    source: str
    line: int | None = None
    annotation: Annotation | None = None


@dataclass(frozen=True)
class ImportResult:
    added: int
    duplicates: tuple[str, ...]
    versions: int


@dataclass(frozen=True)
class DocumentVersion:
    """What the UI shows for one annotator and document."""

    version_id: int
    document: DocumentInfo
    annotator: str
    status: str
    revision: int
    quotes: tuple[Quote, ...]
    claims: tuple[Claim, ...]

    def items(self, layer: str) -> tuple[Quote, ...] | tuple[Claim, ...]:
        """The items of one layer ("quotes" or "claims"), in the version's order."""
        return self.quotes if layer == "quotes" else self.claims

    def annotation(self, dataset: str | None = None) -> Annotation:
        return Annotation(
            doc_id=self.document.ext_id,
            text=self.document.text,
            annotator=self.annotator,
            status=self.status,
            meta=self.document.meta,
            quotes=self.quotes,
            claims=self.claims,
        )


@dataclass(frozen=True)
class ExportedVersion:
    """One stored version as exporters read it (``Repository.export_versions``)."""

    annotation: Annotation
    #: The document's stored tokenization ([start, end) character offsets), None if never tokenized.
    tokens: tuple[tuple[int, int], ...] | None
    #: When the version last changed (naive UTC on SQLite).
    updated_at: datetime | None


@dataclass(frozen=True)
class AnnotatorProgress:
    name: str
    done: int
    in_progress: int
    flagged: int
    skipped: int
    #: Time spent annotating in this dataset, from the event log (idle gaps capped).
    seconds: float = 0.0
    #: Documents assigned to this annotator (None: the dataset has no assignment).
    assigned: int | None = None
    #: Of those, the ones this annotator has done.
    assigned_done: int | None = None


@dataclass(frozen=True)
class AssignResult:
    documents: int  #: documents in the dataset
    overlap: int
    #: per annotator with assignments: (name, documents added now, documents assigned in all)
    annotators: tuple[tuple[str, int, int], ...]


@dataclass(frozen=True)
class DatasetStats:
    name: str
    documents: int
    characters: int
    tokens: int | None
    tokenized_documents: int
    preannotated_documents: int
    model_runs: int
    annotators: tuple[AnnotatorProgress, ...] = field(default_factory=tuple)


#: A pure edit of one item (``annotator.annotate.edits``; applied by ``Repository.update_item``):
#: (latest stored version, the item as stored or None when new) -> the item's new state, or None to remove it.
Edit = Callable[[DocumentVersion, "Item | None"], "Item | None"]
