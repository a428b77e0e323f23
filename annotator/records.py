"""The records that cross the storage boundary: what ``Repository`` takes and returns.

Plain frozen dataclasses (no SQLAlchemy), so the UI, readers and exporters can use them without
importing the database layer.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping, Sequence, Union, overload

from annotator.scheme import KEPT_STATUSES, Annotation, Claim, Quote, items_from_payload

if TYPE_CHECKING:
    import numpy
    from numpy.typing import NDArray

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


class TokenOffsets(Sequence[tuple[int, int]]):
    """A stored tokenization: token ``i`` is ``text[starts[i]:ends[i]]``.

    Held as the two integer arrays the storage decodes (``annotator.db.token_store``), so exporters build
    token layouts without a Python object per token (that cost 0.5 ms of a 1 kB document's export); to
    everyone else it is the sequence of ``(start, end)`` pairs it always was."""

    __slots__ = ("starts", "ends")

    def __init__(self, starts: "NDArray[numpy.int64]", ends: "NDArray[numpy.int64]") -> None:
        assert starts.shape == ends.shape and starts.ndim == 1
        self.starts = starts
        self.ends = ends

    @classmethod
    def of(cls, pairs: Sequence[Sequence[int]]) -> "TokenOffsets":
        """``pairs`` as arrays (themselves if they are a ``TokenOffsets``): what a tokenization is turned into
        once, to be packed, checked or laid out from the arrays. Raises TypeError, ValueError or OverflowError
        for pairs that are not two integers each within 64 bits."""
        if isinstance(pairs, TokenOffsets):
            return pairs
        import numpy

        table = numpy.asarray([(int(s), int(e)) for s, e in pairs] or numpy.zeros((0, 2)), dtype=numpy.int64)
        return cls(numpy.ascontiguousarray(table[:, 0]), numpy.ascontiguousarray(table[:, 1]))

    def __len__(self) -> int:
        return int(self.starts.shape[0])

    @overload
    def __getitem__(self, index: int) -> tuple[int, int]: ...
    @overload
    def __getitem__(self, index: slice) -> "TokenOffsets": ...
    def __getitem__(self, index: int | slice) -> "tuple[int, int] | TokenOffsets":
        if isinstance(index, slice):
            return TokenOffsets(self.starts[index], self.ends[index])
        return int(self.starts[index]), int(self.ends[index])

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return zip(self.starts.tolist(), self.ends.tolist())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and list(self) == [tuple(pair) for pair in other]

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"TokenOffsets({list(self)!r})"


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    ext_id: str
    position: int
    text: str
    meta: Mapping[str, Any]
    #: The stored tokenization, None if the document was never tokenized.
    tokens: TokenOffsets | None


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

    # Lookups a decision makes (which item, does a span overlap a kept one) would scan the layer: on a
    # 5,000-item article that is most of a decision's cost. So each layer gets an id map and a start-sorted
    # span index, made on first use and kept in the instance (not a field: ``replace`` never copies them);
    # ``carry_lookups`` hands them to the next version while they still hold.

    def _lookup(self, kind: str, layer: str) -> Any:
        cache: dict[tuple[str, str], Any] = self.__dict__.setdefault("_lookups", {})
        found = cache.get((kind, layer))
        if found is None:
            items = self.items(layer)
            found = cache[(kind, layer)] = _id_map(items) if kind == "ids" else _SpanIndex.of(items)
        return found

    def index_of(self, layer: str, item_id: str) -> int | None:
        """The index of the (first) item ``item_id`` in ``layer``, None if there is none."""
        i: int | None = self._lookup("ids", layer).get(item_id)
        items = self.items(layer)
        if i is not None and (i >= len(items) or items[i].id != item_id):  # never trust a stale map
            i = _id_map(items).get(item_id)
        return i

    def item(self, layer: str, item_id: str) -> Quote | Claim | None:
        """The (first) item ``item_id`` of ``layer``, if there is one."""
        i = self.index_of(layer, item_id)
        return None if i is None else self.items(layer)[i]

    def first_overlap(self, layer: str, item_id: str, start: int, end: int) -> Quote | Claim | None:
        """``scheme.first_overlap`` on a layer (the same answer), looking only at the items that start
        close enough to ``[start, end)`` to overlap it."""
        items = self.items(layer)
        spans: _SpanIndex = self._lookup("spans", layer)
        lo = bisect_left(spans.starts, start - spans.longest)
        hi = bisect_left(spans.starts, end)
        hits = [k for k in spans.order[lo:hi]
                if (other := items[k]).id != item_id and other.status in KEPT_STATUSES
                and other.start < end and start < other.end]
        return items[min(hits)] if hits else None

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


def _id_map(items: Sequence[Quote | Claim]) -> dict[str, int]:
    out: dict[str, int] = {}
    for i, it in enumerate(items):
        out.setdefault(it.id, i)
    return out


@dataclass(frozen=True)
class _SpanIndex:
    """A layer's item indices by start offset, and its longest item: the items that can overlap a span
    start at most ``longest`` before it."""

    starts: list[int]
    order: list[int]
    longest: int

    @classmethod
    def of(cls, items: Sequence[Quote | Claim]) -> "_SpanIndex":
        order = sorted(range(len(items)), key=lambda k: items[k].start)
        return cls([items[k].start for k in order], order, max([0, *(it.end - it.start for it in items)]))


def carry_lookups(old: DocumentVersion, new: DocumentVersion, layer: str | None = None,
                  same_spans: bool = True) -> DocumentVersion:
    """Give ``new`` (returned) ``old``'s lookups (``DocumentVersion.index_of``), for a change that leaves
    every layer but ``layer`` as it was and keeps ``layer``'s ids where they were (and, with
    ``same_spans``, its items' offsets): a status, an item's status or content."""
    cache: dict[tuple[str, str], Any] | None = old.__dict__.get("_lookups")
    if cache is not None:
        new.__dict__["_lookups"] = {key: value for key, value in cache.items()
                                    if key[1] != layer or key[0] == "ids" or same_spans}
    return new


@dataclass(frozen=True)
class ExportedVersion:
    """One stored version as exporters read it (``Repository.export_versions``): the document's fields and
    its items' stored payloads (``scheme.item_to_payload``'s shape, rejected items too). The Annotation is made
    on first use: gold JSONL is written from the payloads (``io.gold.exported_line``), for an object per item
    was most of a jsonl export's time."""

    doc_id: str
    text: str
    annotator: str
    status: str
    meta: dict[str, Any]
    #: Stored item payloads per layer ("quotes", "claims"), in the version's order.
    items: Mapping[str, Sequence[Mapping[str, Any]]]
    #: The document's stored tokenization ([start, end) character offsets), None if never tokenized.
    tokens: TokenOffsets | None
    #: When the version last changed (naive UTC on SQLite).
    updated_at: datetime | None
    #: The document's stored Prodigy tokens JSON, compressed (``io.prodigy.tokens_blob``), when asked for.
    prodigy_tokens: bytes | None = None

    @cached_property
    def annotation(self) -> Annotation:
        quotes, claims = items_from_payload(self.items)
        return Annotation(self.doc_id, self.text, self.annotator, self.status, dict(self.meta), quotes, claims)


#: The payload fields of :class:`VersionRows` items, in order (values as stored; None where absent).
ITEM_FIELDS = ("status", "start", "end", "kind", "cue_start", "cue_end", "speaker_start", "speaker_end",
               "speaker_name", "stance_label", "stance_target", "checkworthy")
#: The columns of :attr:`VersionRows.items`: the item's version, layer and position in the layer, then its fields.
ITEM_COLUMNS = ("version_id", "layer", "position", *ITEM_FIELDS)


@dataclass(frozen=True)
class VersionRows:
    """A batch of documents and their versions' items as plain rows (``Repository.version_rows``): what
    dataset-wide statistics read, without building an ``Annotation`` per version and an object per item
    (agreement over 50,000 documents spent most of its time there)."""

    #: External ids of the batch's documents, in dataset order, and their texts' whitespace tokens and
    #: lengths, packed (``annotator.word_bounds``: stored with each document, so the texts are not read).
    doc_ids: tuple[str, ...]
    word_bounds: tuple[bytes, ...]
    #: Per version: (version id, index of its document in ``doc_ids``, annotator name, status).
    versions: tuple[tuple[int, int, str, str], ...]
    #: The items as columns (``ITEM_COLUMNS``, one sequence each, items in the same, unspecified order);
    #: ``checkworthy`` may be 0/1 instead of False/True.
    items: tuple[Sequence[Any], ...]

    @property
    def n_items(self) -> int:
        return len(self.items[0]) if self.items else 0


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
