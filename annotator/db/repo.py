"""The storage API: plain arguments in, frozen dataclasses out; no ORM object escapes.

Every public method is one unit of work (one transaction). Writers use ``db.writes``
(IMMEDIATE transactions on SQLite, ``FOR UPDATE`` row locks on PostgreSQL), so read-modify-write
of a version is safe across processes: two processes editing one version apply their changes
one after the other to the latest state, and both are in the event log (last write wins per item).
"""

from __future__ import annotations

import hashlib
import pickle
import tempfile
import threading
from collections import Counter, OrderedDict
from dataclasses import replace
from datetime import datetime
from itertools import groupby
from typing import IO, Any, Callable, Iterable, Iterator, Mapping, NamedTuple, Sequence

from sqlalchemy import (ColumnElement, Connection, CursorResult, Row, Table, and_, bindparam, case, delete, func,
                        insert, select, text, update)
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from annotator.db.bulk import bulk_insert, bulk_update
from annotator.db.engine import WRITE_OPTION, Database, _short
from annotator.db.version_rows import batch_payloads, batch_rows
from annotator.assignment import plan_assignment
from annotator.db.models import (
    Annotator,
    Assignment,
    Dataset,
    Document,
    Event,
    ModelRun,
    SpeakerAlias,
    Suggestion,
    Version,
    VersionItem,
    packed_word_bounds,
    title_of,
    utcnow,
)
from annotator.db.token_store import pack_tokens, token_count, unpack_tokens
from annotator.errors import DatabaseError, NotFoundError, SaveError, UserError
from annotator.scheme import (
    DEFAULT_STANCE_TARGETS,
    DOC_STATUSES,
    Annotation,
    claim_from_dict,
    item_to_payload,
    items_from_payload,
    items_to_payload,
    quote_from_dict,
)
from annotator.records import IDLE_CAP_SECONDS
from annotator.records import (
    MODEL,
    AnnotatorProgress,
    AssignResult,
    DatasetInfo,
    DatasetStats,
    DocumentInfo,
    DocumentVersion,
    Edit,
    ExportedVersion,
    ImportRecord,
    ImportResult,
    Item,
    TokenOffsets,
    VersionRows,
    carry_lookups,
)

NAME_MAX = 200
#: Longest speaker name a correction stores (speaker_aliases.variant/canonical).
SPEAKER_NAME_MAX = 300


def check_name(name: str, what: str, limit: int = NAME_MAX) -> str:
    """Dataset and annotator names: non-empty, no NUL, at most NAME_MAX characters (the same on every backend)."""
    if not name.strip():
        raise UserError(f"{what} name is empty")
    if "\x00" in name:
        raise UserError(f"{what} name contains a NUL character (\\u0000), which databases cannot store")
    if len(name) > limit:
        raise UserError(f"{what} name is longer than {limit} characters")
    return name


def work_seconds(times: Sequence[datetime], idle_cap: float = IDLE_CAP_SECONDS) -> float:
    """Time worked, from ordered event times: the gaps between them, each capped at ``idle_cap``."""
    return sum(min(max((b - a).total_seconds(), 0.0), idle_cap) for a, b in zip(times, times[1:]))


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _stored_offsets(stored: Any) -> TokenOffsets | None:
    """A document's stored tokenization, None when there is none or when it is neither stored form (written
    by something else than annotator): readers then tokenize the text themselves, as for a new document."""
    try:
        return unpack_tokens(stored)
    except ValueError:
        return None


def _doc_info(d: Document | Row[Any]) -> DocumentInfo:
    return DocumentInfo(
        id=d.id,
        ext_id=d.ext_id,
        position=d.position,
        text=d.text,
        meta=dict(d.meta or {}),
        tokens=_stored_offsets(d.tokens),
    )


def _after(last: tuple[int, int]) -> ColumnElement[bool]:
    """Keyset paging within one dataset after the document ``last`` (position, id): every document exactly
    once, in order. A position is unique in its dataset (``uq_documents_dataset_position``), so the position
    alone pages, as a range the index seeks to; the id (the order's tie-break) is never needed. (The form
    ``position > p OR (position = p AND id > i)`` made SQLite walk the index from the dataset's first
    document on every page: quadratic, 0.7 s of CPU to page through 50,000 documents instead of 0.2.)"""
    return Document.position > last[0]


def _dataset_info(ds: Dataset) -> DatasetInfo:
    return DatasetInfo(ds.id, ds.name, tuple(ds.stance_targets or ()), ds.created_at)


#: Versions a Repository keeps decoded (``Repository._recent``).
RECENT_VERSIONS = 8


#: A write transaction's first statement: it takes the version's row lock and bumps its revision, and what
#: it returns (the revision before this change) says whether ``Repository._recent`` holds the version as
#: stored; a status change is the only other write to the row. So a decision is three statements (this,
#: its item, its event): one round trip fewer than a locking read and an update.
_BUMP = (update(Version).where(Version.id == bindparam("b_id"))
         .values(revision=Version.revision + 1, updated_at=bindparam("b_now")).returning(Version.revision))
_SET_STATUS = update(Version).where(Version.id == bindparam("b_id")).values(status=bindparam("b_status"))
#: What a decision's events store (``bulk_insert``); a column an event does not name is NULL.
_EVENT_COLUMNS = ("version_id", "action", "item_id", "before", "after", "ref_event_id", "undoable", "created_at")
#: A version with its document and annotator, when it is not in ``Repository._recent``.
_VERSION_ROW = (
    select(Version.status, Version.revision, Annotator.name.label("annotator"), Document.id, Document.ext_id,
           Document.position, Document.text, Document.meta, Document.tokens)
    .join(Document, Document.id == Version.document_id).join(Annotator, Annotator.id == Version.annotator_id)
    .where(Version.id == bindparam("b_id"))
)


#: Distance between the positions of consecutive items of a layer (``VersionItem.position``): an added item
#: takes a free position between its neighbours; only when there is none is the layer renumbered.
POSITION_STEP = 1 << 32
LAYERS = ("quotes", "claims")
#: One stored item: its position in its layer and its stored shape (``scheme.item_to_payload``).
_Row = tuple[int, dict[str, Any]]
#: A version's items by layer, in the version's order.
_Rows = dict[str, list[_Row]]


def _check_layer(layer: str) -> None:
    if layer not in LAYERS:
        raise ValueError(f"unknown item layer {layer!r}")


def _row_item_id(layer: str, item: Mapping[str, Any], index: int) -> str:
    """The id the item is known by (``quote_from_dict``/``claim_from_dict`` name an item without one)."""
    return str(item.get("id") or f"{layer[0]}{index + 1}")


def _payload(rows: Mapping[str, list[_Row]]) -> dict[str, list[Any]]:
    """The version's items as one payload (``scheme.items_from_payload``; the "import" event's shape)."""
    return {layer: [item for _, item in rows.get(layer, ())] for layer in LAYERS}


def _new_rows(payload: Mapping[str, Sequence[Mapping[str, Any]]]) -> _Rows:
    return {layer: [(i * POSITION_STEP, dict(item)) for i, item in enumerate(payload.get(layer) or ())]
            for layer in LAYERS}


def _row_dicts(version_id: int, rows: Mapping[str, list[_Row]]) -> list[dict[str, Any]]:
    """``version_items`` rows to insert for a version's items."""
    return [{"version_id": version_id, "layer": layer, "item_id": _row_item_id(layer, item, i), "position": position,
             "payload": item}
            for layer in LAYERS for i, (position, item) in enumerate(rows.get(layer, ()))]


def _between(before: int | None, after: int | None) -> int | None:
    """A free position between two neighbours' (None: no neighbour on that side), or None if there is none."""
    if before is None:
        return 0 if after is None else after - POSITION_STEP
    if after is None:
        return before + POSITION_STEP
    return (before + after) // 2 if after - before >= 2 else None


class _ItemWrites:
    """The ``version_items`` changes of one transaction, in order; runs of one kind go as one statement
    (updates and inserts: ``annotator.db.bulk``) or one executemany."""

    _WHERE = and_(VersionItem.version_id == bindparam("b_version"), VersionItem.layer == bindparam("b_layer"))
    _AT = VersionItem.position == bindparam("b_position")
    STATEMENTS: dict[str, Any] = {
        "delete": delete(VersionItem).where(_WHERE, _AT),
        "clear": delete(VersionItem).where(_WHERE),
    }
    #: An update's row key (with the version) and what it sets; what an insert names.
    KEY, SET = ("layer", "position"), ("item_id", "payload")
    COLUMNS = ("version_id", "layer", "item_id", "position", "payload")

    def __init__(self, version_id: int):
        self.version_id = version_id
        self.ops: list[tuple[str, dict[str, Any]]] = []

    def update(self, layer: str, position: int, item: dict[str, Any], index: int) -> None:
        self.ops.append(("update", {"layer": layer, "position": position, "item_id": _row_item_id(layer, item, index),
                                    "payload": item}))

    def delete(self, layer: str, position: int) -> None:
        self.ops.append(("delete", {"b_version": self.version_id, "b_layer": layer, "b_position": position}))

    def insert(self, layer: str, position: int, item: dict[str, Any], index: int) -> None:
        self.ops.append(("insert", {"version_id": self.version_id, "layer": layer, "position": position,
                                    "item_id": _row_item_id(layer, item, index), "payload": item}))

    def rewrite(self, layer: str, rows: list[_Row]) -> None:
        self.ops.append(("clear", {"b_version": self.version_id, "b_layer": layer}))
        for i, (position, item) in enumerate(rows):
            self.insert(layer, position, item, i)

    def flush(self, conn: Connection) -> None:
        table = _core(VersionItem)
        for kind, ops in groupby(self.ops, key=lambda op: op[0]):
            params = [p for _, p in ops]
            if kind == "update":
                bulk_update(conn.dialect, table, "version_id", self.KEY, self.SET).run(conn, self.version_id, params)
            elif kind == "insert":
                bulk_insert(conn.dialect, table, self.COLUMNS).write(conn, params)
            else:
                conn.execute(self.STATEMENTS[kind], params)
        self.ops = []


def _change(rows: list[_Row], layer: str, i: int | None, new: dict[str, Any] | None,
            writes: _ItemWrites) -> tuple[list[_Row], list[int] | None]:
    """Replace (or remove with None) the item at index ``i``, or add ``new`` (``i`` None), recording the row
    changes in ``writes``. An added item goes where a stable sort by (start, end) puts it (the version's
    order for added items). Returns the new rows and, when an item was added, the new order as indices
    into the old rows plus the new item (the last index)."""
    rows = list(rows)
    if i is not None:
        position = rows[i][0]
        if new is None:
            del rows[i]
            writes.delete(layer, position)
        else:
            rows[i] = (position, new)
            writes.update(layer, position, new, i)
        return rows, None
    if new is None:
        return rows, None
    keys = [(item["start"], item["end"]) for _, item in rows] + [(new["start"], new["end"])]
    order = sorted(range(len(keys)), key=keys.__getitem__)
    n = len(rows)
    k = order.index(n)
    if order[:k] + order[k + 1:] == list(range(n)):  # the others keep their order: one row to add
        free = _between(rows[k - 1][0] if k else None, rows[k][0] if k < n else None)
        if free is not None:
            rows.insert(k, (free, new))
            writes.insert(layer, free, new, k)
            return rows, order
    items = [item for _, item in rows] + [new]
    rows = [(j * POSITION_STEP, items[o]) for j, o in enumerate(order)]
    writes.rewrite(layer, rows)
    return rows, order


def _with_item(state: DocumentVersion, rows: _Rows, layer: str, i: int | None, item: Item | None,
               writes: _ItemWrites) -> tuple[DocumentVersion, dict[str, Any] | None, dict[str, Any] | None]:
    """The version with its item at index ``i`` of ``layer`` replaced or removed (None), or ``item`` added
    (``i`` None), and the same change made to ``rows`` (the caller's own copy: its layer lists are replaced,
    never changed in place) and recorded in ``writes``; returns the new version and the item's old and new
    stored states."""
    _check_layer(layer)
    items: list[Any] = list(state.items(layer))
    before = None if i is None else dict(rows[layer][i][1])
    after = None if item is None else item_to_payload(item)
    rows[layer], order = _change(rows[layer], layer, i, after, writes)
    old = None if i is None else items[i]
    if i is not None:
        if item is None:
            del items[i]
        else:
            items[i] = item
    elif item is not None and order is not None:
        items.append(item)
        items = [items[k] for k in order]
    new = replace(state, quotes=tuple(items)) if layer == "quotes" else replace(state, claims=tuple(items))
    if old is not None and item is not None and item.id == old.id:  # ids stay where they were
        carry_lookups(state, new, layer, same_spans=(item.start, item.end) == (old.start, old.end))
    return new, before, after


def _put_item(rows: _Rows, layer: str, item_id: str, item: Mapping[str, Any] | None,
              writes: _ItemWrites) -> dict[str, Any] | None:
    """Replace (or add, or with None remove) one stored item (undo and redo, which restore stored item
    states) in ``rows`` (the caller's copy) and ``writes``; returns the old item."""
    _check_layer(layer)
    stored = rows.setdefault(layer, [])
    i = next((k for k, (_, existing) in enumerate(stored) if existing.get("id") == item_id), None)
    before = None if i is None else dict(stored[i][1])
    rows[layer], _ = _change(stored, layer, i, None if item is None else dict(item), writes)
    return before


def _read_items(conn: Connection, version_ids: Sequence[int]) -> dict[int, _Rows]:
    """The stored items of these versions, in each layer's order."""
    out: dict[int, _Rows] = {v: {layer: [] for layer in LAYERS} for v in version_ids}
    ids = list(version_ids)
    for start in range(0, len(ids), IMPORT_BATCH):
        for version_id, layer, position, item in conn.execute(
            select(VersionItem.version_id, VersionItem.layer, VersionItem.position, VersionItem.payload)
            .where(VersionItem.version_id.in_(ids[start:start + IMPORT_BATCH]))
            .order_by(VersionItem.version_id, VersionItem.layer, VersionItem.position)
        ):
            out[version_id].setdefault(layer, []).append((position, item))
    return out


#: Records per query and bulk insert in an import's final transaction.
IMPORT_BATCH = 500


def _core(model: type) -> Table:
    """A model's table, for bulk inserts as Core statements (the ORM's bulk path costs more than the
    database at import rates)."""
    table = getattr(model, "__table__")
    assert isinstance(table, Table)
    return table


def _fill_word_bounds(conn: Connection, doc_ids: Iterable[int]) -> None:
    """Store the word bounds of those of ``doc_ids`` that have none (a plain import leaves them out: only a
    document with a version is ever compared by agreement, so a document gets them with its first version)."""
    missing = conn.execute(select(Document.id, Document.text).where(
        Document.id.in_(set(doc_ids)), Document.word_bounds.is_(None))).all()
    if missing:
        conn.execute(update(Document).where(Document.id == bindparam("doc_id")).values(
            word_bounds=bindparam("bounds")), [{"doc_id": d, "bounds": packed_word_bounds(t)} for d, t in missing])


_VERSION_COLUMNS = ("document_id", "annotator_id", "status", "revision", "created_at", "updated_at")
#: An import adding this many documents and versions or more is followed by ANALYZE on PostgreSQL.
ANALYZE_AFTER_ROWS = 1000
_DOCUMENT_COLUMNS = ("dataset_id", "ext_id", "position", "text", "text_hash", "title", "word_bounds", "meta",
                     "created_at")


class _Staged(NamedTuple):
    """One import record as staged: what storing it needs, as plain values (pickled as a plain tuple: the
    record's dataclasses cost more to pickle and unpickle than the rest of storing them)."""

    text_hash: str
    ext_id: str | None
    text: str
    meta: Mapping[str, Any]
    source: str
    line: int | None
    #: The version to add: (annotator as given, status, stored items); None for a document alone.
    version: tuple[Any, str, dict[str, Any]] | None

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}" if self.line else self.source

    @classmethod
    def of(cls, rec: ImportRecord) -> "_Staged":
        ann = rec.annotation
        version = None
        if ann is not None and ann.annotator is not None:
            version = (ann.annotator, ann.status if ann.status in DOC_STATUSES else "done",
                       items_to_payload(ann.quotes, ann.claims))
        return cls(text_hash(rec.text), rec.ext_id, rec.text, dict(rec.meta), rec.source, rec.line, version)


class _StagedRecords:
    """Import records read and validated ahead of the write transaction, kept in a temporary file.

    Why a file: a large import must not hold its records in memory, and must not read its input
    while holding the database's write lock.
    """

    def __init__(self, records: Iterable[ImportRecord]):
        self._records = records
        self._file: IO[bytes] | None = None

    #: Records per pickled chunk: one ``pickle.dump`` per record cost as much as storing a plain record.
    CHUNK = 256

    def __enter__(self) -> "_StagedRecords":
        self._file = tempfile.TemporaryFile(prefix="annotator-import-")
        chunk: list[tuple[Any, ...]] = []
        for rec in self._records:
            chunk.append(tuple(_Staged.of(rec)))
            if len(chunk) == self.CHUNK:
                pickle.dump(chunk, self._file, protocol=pickle.HIGHEST_PROTOCOL)
                chunk = []
        if chunk:
            pickle.dump(chunk, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._file is not None:
            self._file.close()

    def batches(self, size: int) -> Iterator[list[_Staged]]:
        assert self._file is not None
        self._file.seek(0)
        batch: list[_Staged] = []
        while True:
            try:
                chunk = pickle.load(self._file)
            except EOFError:
                break
            batch.extend(map(_Staged._make, chunk))
            while len(batch) >= size:
                yield batch[:size]
                batch = batch[size:]
        if batch:
            yield batch


class _LostConnection(Exception):
    """A write transaction's first statement found its pooled connection dead (a server restart, a dropped
    link): nothing of the transaction reached the server, so running it again on a new connection is safe."""

    def __init__(self, cause: DBAPIError) -> None:
        super().__init__(str(cause))
        self.cause = cause


def _once_more_on_a_lost_connection(what: str, transaction: Callable[[], DocumentVersion]) -> DocumentVersion:
    """Run a decision's transaction; once more when its connection was lost before it began (the pool has
    replaced it by then), so a decision right after a server restart is stored, not refused. Database
    errors become SaveError ("<what> not saved: ...")."""
    try:
        try:
            return transaction()
        except _LostConnection:
            return transaction()
    except _LostConnection as lost:
        raise SaveError(f"{what} not saved: {_short(lost.cause)}") from lost.cause
    except (OperationalError, DBAPIError) as exc:
        raise SaveError(f"{what} not saved: {_short(exc)}") from exc


def _decided(state: DocumentVersion, stored: _Rows, edits: Sequence[tuple[str, str, Edit]], action: str,
             status: str | None) -> tuple[DocumentVersion, _Rows, _ItemWrites, str, list[dict[str, Any]]]:
    """The decisions ``edits`` made on ``state`` (its items as stored: ``stored``, not changed): the new
    version (its status and revision still the old ones), its items, the row writes, the new status and the
    events to log, one per item (and one for a status change)."""
    version_id = state.version_id
    rows = dict(stored)
    writes = _ItemWrites(version_id)
    events: list[dict[str, Any]] = []
    for layer, item_id, edit in edits:
        _check_layer(layer)
        i = state.index_of(layer, item_id)
        item = edit(state, None if i is None else state.items(layer)[i])
        state, before, after = _with_item(state, rows, layer, i, item, writes)
        events.append({"version_id": version_id, "action": action, "item_id": f"{layer}:{item_id}",
                       "before": before, "after": after, "undoable": True, "created_at": utcnow()})
    new_status = state.status
    if status is not None:
        events.append({"version_id": version_id, "action": "status", "item_id": None,
                       "before": {"status": state.status}, "after": {"status": status},
                       "undoable": False, "created_at": utcnow()})
        new_status = status
    elif state.status == "new":
        new_status = "in_progress"
    return state, rows, writes, new_status, events


class Repository:
    """Storage operations on one open database."""

    def __init__(self, db: Database):
        self.db = db
        #: The last versions read or written, decoded, with their items as stored, by version id. A
        #: decision checks the row's revision (under its lock) and reuses them when it is unchanged, so
        #: its cost does not grow with the document (its text, tokens and every other item).
        self._recent: OrderedDict[int, tuple[DocumentVersion, _Rows]] = OrderedDict()
        self._recent_lock = threading.Lock()
        #: Write transactions on a bare connection (a decision needs no ORM session).
        self._writer = db.engine.execution_options(**{WRITE_OPTION: True})

    def close(self) -> None:
        """Release the database connections (the engine's pool)."""
        self.db.dispose()

    def __enter__(self) -> "Repository":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- helpers --------------------------------------------------------------------------

    def _dataset(self, s: Session, name: str) -> Dataset:
        ds = s.scalar(select(Dataset).where(Dataset.name == name))
        if ds is None:
            known = s.scalars(select(Dataset.name).order_by(Dataset.name)).all()
            hint = f" (datasets: {', '.join(known)})" if known else " (no datasets yet: run `annotator import`)"
            raise NotFoundError(f"no dataset named {name!r}{hint}")
        return ds

    def _annotator(self, s: Session, name: str, create: bool = True) -> Annotator:
        ann = s.scalar(select(Annotator).where(Annotator.name == name))
        if ann is None:
            if not create:
                raise NotFoundError(f"no annotator named {name!r}")
            ann = Annotator(name=check_name(name, "annotator"))
            try:
                with s.begin_nested():  # another process may create the same annotator right now
                    s.add(ann)
                    s.flush()
            except IntegrityError:
                ann = s.scalar(select(Annotator).where(Annotator.name == name))
                assert ann is not None
        return ann

    def _locked_dataset_for_import(self, s: Session, name: str) -> tuple[int, bool]:
        """The dataset's id, created if new (insert-or-get: a concurrent import may create it too),
        its row locked until commit so concurrent imports into it take positions one after the other
        (PostgreSQL; SQLite's IMMEDIATE transaction already serializes writers)."""
        ds_id = s.scalar(select(Dataset.id).where(Dataset.name == name))
        created = False
        if ds_id is None:
            ds = Dataset(name=check_name(name, "dataset"), stance_targets=list(DEFAULT_STANCE_TARGETS))
            try:
                with s.begin_nested():
                    s.add(ds)
                    s.flush()
                created = True
            except IntegrityError:
                pass  # another process created it first: use theirs
        ds_id = s.scalar(select(Dataset.id).where(Dataset.name == name).with_for_update(key_share=True))
        assert ds_id is not None
        return ds_id, created

    # -- datasets ---------------------------------------------------------------------------

    def list_datasets(self) -> list[DatasetInfo]:
        with self.db.sessions() as s:
            return [_dataset_info(d) for d in s.scalars(select(Dataset).order_by(Dataset.name))]

    def get_dataset(self, name: str) -> DatasetInfo:
        with self.db.sessions() as s:
            return _dataset_info(self._dataset(s, name))

    def set_stance_targets(self, dataset: str, targets: Sequence[str]) -> DatasetInfo:
        with self.db.writes.begin() as s:
            ds = self._dataset(s, dataset)
            ds.stance_targets = list(dict.fromkeys(t.strip() for t in targets if t.strip()))
            s.flush()
            return _dataset_info(ds)

    # -- import -----------------------------------------------------------------------------

    def import_records(self, dataset: str, records: Iterable[ImportRecord]) -> ImportResult:
        """Add documents (and annotators' versions) in ONE transaction: all or nothing.

        A text already in the dataset (same hash) is reported as a duplicate and skipped; a
        gold line for an already imported text still adds that annotator's version.

        Reading and validating ``records`` (the long part of a big import) happens first, into a
        temporary staging file, without any lock; only then one short write transaction stores them
        with bulk inserts. So annotators keep saving decisions during a long import instead of
        failing on SQLite's busy timeout, and memory stays bounded.
        """
        with _StagedRecords(records) as staged:
            try:
                with self.db.writes.begin() as s:
                    result = self._store_staged(s, dataset, staged)
            except (OperationalError, DBAPIError) as exc:
                raise DatabaseError(f"import failed, nothing was stored: {_short(exc)}") from exc
        if result.added + result.versions >= ANALYZE_AFTER_ROWS:
            self._analyze_imported()
        return result

    def _analyze_imported(self) -> None:
        """PostgreSQL plans from table statistics, which a bulk load leaves missing or stale until autovacuum's
        ANALYZE gets to the tables: agreement's reads right after a 5,000-document import were planned as a
        sequential scan of version_items per batch. So the tables an import writes are analyzed after it
        (sampled: well under a second). SQLite's plans for these queries need no statistics."""
        with self.db.engine.connect() as conn:
            if conn.dialect.name != "postgresql":
                return
            try:
                conn.execute(text("ANALYZE documents, versions, version_items, events"))
                conn.commit()
            except DBAPIError:  # the import is stored; without statistics only its first reads are slower
                conn.rollback()

    def _store_staged(self, s: Session, dataset: str, staged: "_StagedRecords") -> ImportResult:
        added = versions = 0
        duplicates: list[str] = []
        ds_id, created = self._locked_dataset_for_import(s, dataset)
        targets: list[str] = list(s.scalar(select(Dataset.stance_targets).where(Dataset.id == ds_id)) or ())
        n_targets = len(targets)
        position = int(s.scalar(select(func.coalesce(func.max(Document.position), -1)).where(
            Document.dataset_id == ds_id)) or 0) + 1
        #: text hash -> (document id, external id) of every text seen: in the dataset or added now.
        by_hash: dict[str, tuple[int | None, str]] = {}
        added_ids: set[str] = set()
        bounded: set[str] = set()  #: text hashes of the documents this import added with their word bounds
        annotator_ids: dict[str, int] = {}
        documents = bulk_insert(s.connection().dialect, _core(Document), _DOCUMENT_COLUMNS)
        for batch in staged.batches(IMPORT_BATCH):
            # a dataset this transaction created holds only what it added: nothing to look up
            unseen = set() if created else {rec.text_hash for rec in batch if rec.text_hash not in by_hash}
            if unseen:
                by_hash.update((h, (doc_id, ext_id)) for doc_id, ext_id, h in s.execute(
                    select(Document.id, Document.ext_id, Document.text_hash)
                    .where(Document.dataset_id == ds_id, Document.text_hash.in_(unseen))
                ))
            wanted = {rec.ext_id or rec.text_hash[:16] for rec in batch if rec.text_hash not in by_hash}
            taken = set(s.scalars(select(Document.ext_id).where(
                Document.dataset_id == ds_id, Document.ext_id.in_(wanted)))) if wanted and not created else set()
            rows: list[dict[str, Any]] = []
            now = documents.value("created_at", utcnow())
            gold: list[_Staged] = []
            for rec in batch:
                h = rec.text_hash
                found = by_hash.get(h)
                if found is not None and rec.version is None:
                    duplicates.append(f"{rec.where} (same text as {found[1]!r})")
                    continue
                if found is None:
                    ext_id = rec.ext_id or h[:16]
                    if ext_id in taken or ext_id in added_ids:
                        raise UserError(f"{rec.where}: id {ext_id!r} is already used by another text in {dataset!r}")
                    added_ids.add(ext_id)
                    rows.append({"dataset_id": ds_id, "ext_id": ext_id, "position": position, "text": rec.text,
                                 "text_hash": h, "title": title_of(rec.text),
                                 # with its first version (plain texts: not until they get one, _fill_word_bounds)
                                 "word_bounds": documents.value("word_bounds", None if rec.version is None
                                                                else packed_word_bounds(rec.text)),
                                 "meta": documents.value("meta", rec.meta), "created_at": now})
                    position += 1
                    by_hash[h] = (None, ext_id)
                    if rec.version is not None:
                        bounded.add(h)
                if rec.version is not None:
                    self._check_stance_targets(rec, dataset, targets, extend=created)
                    gold.append(rec)
            if rows:
                documents.run(s.connection(), rows)
                added += len(rows)
            if gold:
                versions += self._store_versions(s, ds_id, gold, by_hash, annotator_ids, duplicates, bounded)
            s.flush()
            s.expunge_all()
        if len(targets) != n_targets:
            s.execute(update(Dataset).where(Dataset.id == ds_id).values(stance_targets=targets))
        return ImportResult(added=added, duplicates=tuple(duplicates), versions=versions)

    def _store_versions(self, s: Session, ds_id: int, gold: list[_Staged],
                        by_hash: dict[str, tuple[int | None, str]], annotator_ids: dict[str, int],
                        duplicates: list[str], bounded: set[str]) -> int:
        """One batch of imported versions with bulk inserts (versions, then their "import" events); a version
        the annotator already has (stored, or earlier in this import) is kept and reported. Returns how many
        were added. ``by_hash`` gets the ids of documents added by this import (None until a version needs it).
        Documents without their word bounds (not in ``bounded``) get them."""
        unknown = {rec.text_hash for rec in gold if by_hash[rec.text_hash][0] is None}
        if unknown:
            for h, new_id in s.execute(select(Document.text_hash, Document.id).where(
                    Document.dataset_id == ds_id, Document.text_hash.in_(unknown))):
                by_hash[h] = (new_id, by_hash[h][1])
        wanted: list[tuple[int, int, str, _Staged]] = []
        for rec in gold:
            assert rec.version is not None
            name = str(rec.version[0])
            if name not in annotator_ids:
                annotator_ids[name] = self._annotator(s, name).id
            doc_id, ext_id = by_hash[rec.text_hash]
            assert doc_id is not None
            wanted.append((doc_id, annotator_ids[name], ext_id, rec))
        doc_ids = {w[0] for w in wanted}
        ann_ids = {w[1] for w in wanted}
        taken = {(d, a) for d, a in s.execute(select(Version.document_id, Version.annotator_id).where(
            Version.document_id.in_(doc_ids), Version.annotator_id.in_(ann_ids)))}
        rows: list[dict[str, Any]] = []
        payloads: list[dict[str, Any]] = []
        for doc_id, ann_id, ext_id, rec in wanted:
            assert rec.version is not None
            annotator, status, payload = rec.version
            if (doc_id, ann_id) in taken:
                duplicates.append(
                    f"{rec.where} ({annotator!r} already has a version of {ext_id!r}; kept the stored one)")
                continue
            taken.add((doc_id, ann_id))
            now = utcnow()
            rows.append({"document_id": doc_id, "annotator_id": ann_id, "status": status, "revision": 1,
                         "created_at": now, "updated_at": now})
            payloads.append(payload)
        if not rows:
            return 0
        conn = s.connection()
        bulk_insert(conn.dialect, _core(Version), _VERSION_COLUMNS).write(conn, rows)
        unbounded = {doc_id for doc_id, _, _, rec in wanted if rec.text_hash not in bounded}
        if unbounded:  # stored before, or by this import as a plain text
            _fill_word_bounds(conn, unbounded)
        ids = {(d, a): v for v, d, a in conn.execute(select(Version.id, Version.document_id, Version.annotator_id).where(
            Version.document_id.in_({r["document_id"] for r in rows}),
            Version.annotator_id.in_({r["annotator_id"] for r in rows})))}
        version_ids = [ids[(r["document_id"], r["annotator_id"])] for r in rows]
        items = [row for v, payload in zip(version_ids, payloads) for row in _row_dicts(v, _new_rows(payload))]
        bulk_insert(conn.dialect, _core(VersionItem), _ItemWrites.COLUMNS).write(conn, items)
        event_rows = bulk_insert(conn.dialect, _core(Event), ("version_id", "action", "item_id", "before", "after",
                                                              "undoable", "created_at"))
        before, undoable = event_rows.value("before", None), event_rows.value("undoable", False)
        event_rows.run(conn, [
            {"version_id": v, "action": "import", "item_id": None, "before": before,
             "after": event_rows.value("after", {"status": r["status"], **payload}), "undoable": undoable,
             "created_at": event_rows.value("created_at", r["created_at"])}
            for v, r, payload in zip(version_ids, rows, payloads)
        ])
        return len(rows)

    @staticmethod
    def _check_stance_targets(rec: _Staged, dataset: str, targets: list[str], extend: bool) -> None:
        """Stances are toward the dataset's targets (docs/contract.md section 1). The chosen tolerance: the import
        that creates a dataset adds the targets its gold uses to the defaults (there is no earlier moment
        to name them); into an existing dataset, an unknown target is refused."""
        assert rec.version is not None
        for i, quote in enumerate(rec.version[2]["quotes"]):
            stance = quote.get("stance")
            if stance is None or stance["target"] in targets:
                continue
            if extend:
                targets.append(stance["target"])
                continue
            raise UserError(
                f"{rec.where}: quotes[{i}].stance.target: {stance['target']!r} is not a stance target of "
                f"{dataset!r} (targets: {', '.join(targets) or 'none'}; add it with `annotator targets add`)"
            )

    def _put_version(
        self, s: Session, doc_id: int, ann: Annotation, action: str = "import", overwrite: bool = True
    ) -> Version | None:
        """Store a whole version. An existing one is replaced only with ``overwrite`` (else: None).

        The event keeps the replaced state in ``before``, so the log can tell what an import or an
        adjudication overwrote.
        """
        annotator = self._annotator(s, str(ann.annotator))
        version = s.scalar(
            select(Version).where(Version.document_id == doc_id, Version.annotator_id == annotator.id).with_for_update()
        )
        payload = items_to_payload(ann.quotes, ann.claims)
        status = ann.status if ann.status in DOC_STATUSES else "done"
        before = None
        if version is None:
            version = Version(document_id=doc_id, annotator_id=annotator.id, status=status, revision=1)
            s.add(version)
            s.flush()
            _fill_word_bounds(s.connection(), [doc_id])
        elif not overwrite:
            return None
        else:
            before = {"status": version.status, **_payload(_read_items(s.connection(), [version.id])[version.id])}
            s.execute(delete(VersionItem).where(VersionItem.version_id == version.id))
            version.status = status
            version.revision += 1
            version.updated_at = utcnow()
        items = _row_dicts(version.id, _new_rows(payload))
        if items:
            s.execute(insert(VersionItem), items)
        s.add(Event(version_id=version.id, action=action, before=before, after={"status": status, **payload},
                    undoable=False))
        return version

    # -- documents --------------------------------------------------------------------------

    def document_ids(self, dataset: str) -> list[int]:
        with self.db.sessions() as s:
            ds = self._dataset(s, dataset)
            return list(s.scalars(select(Document.id).where(Document.dataset_id == ds.id).order_by(Document.position)))

    def document_names(self, dataset: str) -> dict[int, str]:
        """Database id -> external id of every document, in order (no texts loaded)."""
        with self.db.sessions() as s:
            ds = self._dataset(s, dataset)
            rows = s.execute(
                select(Document.id, Document.ext_id).where(Document.dataset_id == ds.id).order_by(Document.position)
            )
            return {doc_id: ext_id for doc_id, ext_id in rows}

    def document_titles(self, dataset: str) -> dict[int, tuple[str, str]]:
        """Database id -> (external id, title: the first words of its text) of every document, in order.

        One query that an index covers (``ix_documents_dataset_titles``): no text is read, so the document
        list of 100,000 documents loads in tens of milliseconds.
        """
        with self.db.sessions() as s:
            ds = self._dataset(s, dataset)
            rows = s.connection().execute(select(Document.id, Document.ext_id, Document.title)  # Core rows: faster
                                          .where(Document.dataset_id == ds.id).order_by(Document.position))
            return {doc_id: (ext_id, title) for doc_id, ext_id, title in rows}

    def document_id(self, dataset: str, ext_id: str) -> int:
        """The database id of the document with this external id."""
        with self.db.sessions() as s:
            ds = self._dataset(s, dataset)
            doc_id = s.scalar(select(Document.id).where(Document.dataset_id == ds.id, Document.ext_id == ext_id))
            if doc_id is None:
                raise NotFoundError(f"no document {ext_id!r} in dataset {dataset!r}")
            return doc_id

    def documents(self, dataset: str, ids: Sequence[int] | None = None) -> list[DocumentInfo]:
        with self.db.sessions() as s:
            ds = self._dataset(s, dataset)
            q = select(Document).where(Document.dataset_id == ds.id)
            if ids is not None:
                q = q.where(Document.id.in_(list(ids)))
            return [_doc_info(d) for d in s.scalars(q.order_by(Document.position))]

    def iter_documents(self, dataset: str, batch_size: int = 500) -> Iterator[DocumentInfo]:
        """Stream documents in order, ``batch_size`` rows per query (bounded memory)."""
        with self.db.sessions() as s:
            ds_id = self._dataset(s, dataset).id
        last: tuple[int, int] = (-1, -1)
        while True:
            with self.db.sessions() as s:
                rows = list(s.scalars(
                    select(Document).where(Document.dataset_id == ds_id, _after(last))
                    .order_by(Document.position, Document.id).limit(batch_size)
                ))
                batch = [_doc_info(d) for d in rows]
            if not batch:
                return
            yield from batch
            last = (batch[-1].position, batch[-1].id)

    def count_documents(self, dataset: str) -> int:
        with self.db.sessions() as s:
            ds = self._dataset(s, dataset)
            return s.scalar(select(func.count()).select_from(Document).where(Document.dataset_id == ds.id)) or 0

    # -- model runs -------------------------------------------------------------------------

    def documents_to_preannotate(self, dataset: str, force: bool = False) -> list[int]:
        """Ids of documents without suggestions from any model run (all with ``force``)."""
        with self.db.sessions() as s:
            ds = self._dataset(s, dataset)
            q = select(Document.id).where(Document.dataset_id == ds.id)
            if not force:
                q = q.where(~select(Suggestion.id).where(Suggestion.document_id == Document.id).exists())
            return list(s.scalars(q.order_by(Document.position)))

    def start_model_run(self, dataset: str, model_name: str, model_version: str, config: Mapping[str, Any]) -> int:
        with self.db.writes.begin() as s:
            ds = self._dataset(s, dataset)
            run = ModelRun(dataset_id=ds.id, model_name=model_name, model_version=model_version, config=dict(config))
            s.add(run)
            s.flush()
            return run.id

    def add_suggestions(self, run_id: int, items: Iterable[tuple[int, Annotation, Sequence[Sequence[int]] | None]]) -> int:
        """Store one batch of suggestions (and the tokenization, with the Prodigy tokens JSON it gives:
        ``io.prodigy.tokens_blob``) in one transaction."""
        from annotator.io.prodigy import tokens_blob

        n = 0
        with self.db.writes.begin() as s:
            for doc_id, ann, tokens in items:
                s.add(Suggestion(run_id=run_id, document_id=doc_id, payload=items_to_payload(ann.quotes, ann.claims)))
                if tokens is not None:
                    doc = s.get(Document, doc_id)
                    if doc is not None:
                        offsets = TokenOffsets.of(tokens)
                        doc.tokens = pack_tokens(offsets)
                        doc.prodigy_tokens = tokens_blob(doc.text, offsets)
                n += 1
        return n

    def _latest_suggestion(self, s: Session, doc_id: int) -> Suggestion | None:
        return s.scalar(
            select(Suggestion).where(Suggestion.document_id == doc_id).order_by(Suggestion.run_id.desc()).limit(1)
        )

    def suggestions(self, dataset: str) -> Iterator[Annotation]:
        """The latest model suggestions for each document, as annotator ``model``."""
        for doc in self.iter_documents(dataset):
            with self.db.sessions() as s:
                sug = self._latest_suggestion(s, doc.id)
            if sug is None:
                continue
            quotes, claims = items_from_payload(sug.payload)
            yield Annotation(doc.ext_id, doc.text, MODEL, "done", doc.meta, quotes, claims)

    # -- versions and decisions -------------------------------------------------------------

    def _state(self, s: Session, version: Version, doc: Document, annotator: str,
               rows: _Rows | None = None) -> DocumentVersion:
        """The version as a record (``rows``: its items, read when not given), remembered in ``_recent``."""
        if rows is None:
            rows = _read_items(s.connection(), [version.id])[version.id]
        return self._record(version.id, _doc_info(doc), annotator, version.status, version.revision, rows)

    def _record(self, version_id: int, doc: DocumentInfo, annotator: str, status: str, revision: int,
                rows: _Rows) -> DocumentVersion:
        quotes, claims = items_from_payload(_payload(rows))
        state = DocumentVersion(version_id=version_id, document=doc, annotator=annotator, status=status,
                                revision=revision, quotes=quotes, claims=claims)
        self._remember(state, rows)
        return state

    def _remember(self, state: DocumentVersion, rows: _Rows) -> None:
        """Keep a version decoded for the next decision on it (see ``_recent``)."""
        with self._recent_lock:
            self._recent[state.version_id] = (state, rows)  # never changed in place: callers copy first
            self._recent.move_to_end(state.version_id)
            while len(self._recent) > RECENT_VERSIONS:
                self._recent.popitem(last=False)

    def _recall(self, version_id: int, revision: int) -> tuple[DocumentVersion, _Rows] | None:
        with self._recent_lock:
            hit = self._recent.get(version_id)
        return hit if hit is not None and hit[0].revision == revision else None

    def open_version(self, document_id: int, annotator: str, blind: bool = False) -> DocumentVersion:
        """The annotator's version of a document, created from the latest suggestions if new.

        ``blind``: a new version starts empty (no model suggestions: the annotator adds everything), and
        its "open" event records that it was blind (``blind_versions``). An existing version stays as it is.
        Two processes opening the same new version at once: one creates it, the other's insert
        violates the unique constraint and it retries, finding the version the first one made.
        """
        try:
            return self._open_version(document_id, annotator, blind)
        except IntegrityError:
            return self._open_version(document_id, annotator, blind)

    def blind_versions(self, dataset: str) -> dict[str, set[str]]:
        """Annotator -> ext ids of the documents whose version they started blind (``open_version``)."""
        with self.db.sessions() as s:
            ds = self._dataset(s, dataset)
            rows = s.execute(
                select(Annotator.name, Document.ext_id, Event.after)
                .join(Version, Version.id == Event.version_id)
                .join(Document, Document.id == Version.document_id)
                .join(Annotator, Annotator.id == Version.annotator_id)
                .where(Document.dataset_id == ds.id, Event.action == "open")
            )
            out: dict[str, set[str]] = {}
            for name, ext_id, after in rows:
                if isinstance(after, dict) and after.get("blind") is True:
                    out.setdefault(name, set()).add(ext_id)
            return out

    def _open_version(self, document_id: int, annotator: str, blind: bool = False) -> DocumentVersion:
        with self.db.writes.begin() as s:
            doc = s.get(Document, document_id)
            if doc is None:
                raise NotFoundError(f"no document with id {document_id}")
            ann = self._annotator(s, annotator)
            version = s.scalar(select(Version).where(Version.document_id == doc.id, Version.annotator_id == ann.id))
            rows = None
            if version is None:
                sug = None if blind else self._latest_suggestion(s, doc.id)
                payload = items_to_payload(*items_from_payload(sug.payload)) if sug else {"quotes": [], "claims": []}
                for layer in LAYERS:
                    for item in payload[layer]:
                        item["status"] = "suggested"
                version = Version(
                    # "new" until the first decision (update_items makes it "in_progress"): looking is not work
                    document_id=doc.id, annotator_id=ann.id, status="new", revision=0,
                    source_run_id=sug.run_id if sug else None,
                )
                s.add(version)
                s.flush()
                _fill_word_bounds(s.connection(), [doc.id])  # its first version
                rows = _new_rows(payload)
                items = _row_dicts(version.id, rows)
                if items:
                    s.execute(insert(VersionItem), items)
                s.add(Event(version_id=version.id, action="open", undoable=False,
                            after={"blind": True} if blind else None))
            return self._state(s, version, doc, annotator, rows)

    def get_version(self, version_id: int) -> DocumentVersion:
        with self.db.sessions() as s:
            return self._load_state(s, version_id)

    def _load_state(self, s: Session, version_id: int) -> DocumentVersion:
        return self._decoded(s, version_id, lock=False)[0]

    def _decoded(self, s: Session, version_id: int, lock: bool) -> tuple[DocumentVersion, _Rows]:
        """The version (with its items as stored), from ``_recent`` when its revision is unchanged:
        a decision then reads one small column instead of the whole document and its items."""
        q = select(Version.revision).where(Version.id == version_id)
        revision = s.connection().scalar(q.with_for_update() if lock else q)  # Core: no ORM bookkeeping
        if revision is None:
            raise NotFoundError(f"no version with id {version_id}")
        hit = self._recall(version_id, revision)
        if hit is not None:
            return hit
        version = s.get(Version, version_id)
        assert version is not None
        doc = s.get(Document, version.document_id)
        annotator = s.get(Annotator, version.annotator_id)
        assert doc is not None and annotator is not None
        self._state(s, version, doc, annotator.name)
        hit = self._recall(version_id, revision)
        assert hit is not None
        return hit

    @staticmethod
    def _first(conn: Connection, statement: Any, params: Any) -> CursorResult[Any]:
        """A write transaction's first statement (driver SQL when ``statement`` is text). A connection it
        finds dead raises ``_LostConnection``: the transaction never reached its COMMIT, so nothing of it is
        stored, and it may run once more."""
        try:
            if isinstance(statement, str):
                return conn.exec_driver_sql(statement, params)
            return conn.execute(statement, params)
        except DBAPIError as exc:
            if exc.connection_invalidated:
                raise _LostConnection(exc) from exc
            raise

    def _bumped(self, conn: Connection, version_id: int) -> tuple[DocumentVersion, _Rows]:
        """In a write transaction: lock the version's row and bump its revision (``_BUMP``); the version as it
        was before (from ``_recent`` when it is unchanged since), with its items as stored."""
        revision = self._first(conn, _BUMP, {"b_id": version_id, "b_now": utcnow()}).scalar()
        if revision is None:
            raise NotFoundError(f"no version with id {version_id}")
        hit = self._recall(version_id, revision - 1)
        if hit is not None:
            return hit
        row = conn.execute(_VERSION_ROW, {"b_id": version_id}).one()
        self._record(version_id, _doc_info(row), row.annotator, row.status, revision - 1,
                     _read_items(conn, [version_id])[version_id])
        hit = self._recall(version_id, revision - 1)
        assert hit is not None
        return hit

    def _locked_version(self, s: Session, version_id: int) -> Version:
        version = s.scalar(select(Version).where(Version.id == version_id).with_for_update())
        if version is None:
            raise NotFoundError(f"no version with id {version_id}")
        return version

    def update_item(self, version_id: int, layer: str, item_id: str, edit: Edit, action: str) -> DocumentVersion:
        """One decision: read-modify-write of one item, in one transaction.

        Locks the version's row, applies the pure ``edit`` to the latest stored state of the item (None when
        it does not exist yet), writes the new state (None removes the item) and its event, and commits
        before returning the new version. An edit that raises (UserError) stores nothing.
        """
        return self.update_items(version_id, [(layer, item_id, edit)], action)

    def save_item(
        self, version_id: int, layer: str, item_id: str, item: Mapping[str, Any] | None, action: str
    ) -> DocumentVersion:
        """Store a given state of one item (in its stored shape; None removes it): ``update_item`` with an
        edit that ignores what is stored (scripts, tests, tools that compute the item themselves)."""
        new = None if item is None else (quote_from_dict if layer == "quotes" else claim_from_dict)(item, 0)
        return self.update_item(version_id, layer, item_id, lambda _version, _old: new, action)

    def update_items(
        self, version_id: int, edits: Sequence[tuple[str, str, Edit]], action: str, status: str | None = None
    ) -> DocumentVersion:
        """Several decisions in ONE transaction (``enter``, ``A``): all are stored or none, each item its own
        logged (undoable) event. With ``status`` the version's status changes in the same transaction."""
        if status is not None and status not in DOC_STATUSES:
            raise UserError(f"unknown document status {status!r}")
        return _once_more_on_a_lost_connection("decision" if edits else "status",
                                               lambda: self._update_items(version_id, edits, action, status))

    def _update_items(self, version_id: int, edits: Sequence[tuple[str, str, Edit]], action: str,
                      status: str | None) -> DocumentVersion:
        with self._writer.begin() as conn:
            if conn.dialect.name == "postgresql":
                done = self._in_one_statement(conn, version_id, edits, action, status)
                if done is not None:
                    return done
            state, stored = self._bumped(conn, version_id)
            return self._write(conn, *_decided(state, stored, edits, action, status))

    def _in_one_statement(self, conn: Connection, version_id: int, edits: Sequence[tuple[str, str, Edit]],
                          action: str, status: str | None) -> DocumentVersion | None:
        """PostgreSQL: the decisions made on the version as this repository last saw it (``_recent``) and
        stored by ONE statement, which bumps the revision only if it is still that one and writes the items
        and events only if it did: one round trip instead of three (BEGIN and COMMIT remain). None when it
        cannot (not remembered, changed since, an edit that adds or removes items, an edit that raises): the
        caller then goes the locked way (``_bumped``), which decides again on the stored version."""
        with self._recent_lock:
            hit = self._recent.get(version_id)
        if hit is None:
            return None
        try:
            state, rows, writes, new_status, events = _decided(*hit, edits, action, status)
        except Exception:  # maybe decided on a version changed since: the locked way raises it if it holds
            return None
        if any(kind != "update" for kind, _ in writes.ops):
            return None
        dialect = conn.dialect
        params: list[Any] = [utcnow()]
        set_status = ""
        if new_status != state.status:
            set_status = ", status = %b::VARCHAR"
            params.append(new_status)
        params += [version_id, state.revision]
        parts = [f"bump AS (UPDATE versions SET revision = revision + 1, updated_at = %b::TIMESTAMP WITH TIME ZONE"
                 f"{set_status} WHERE id = %b::INTEGER AND revision = %b::INTEGER RETURNING id)"]
        if writes.ops:
            items = bulk_update(dialect, _core(VersionItem), "version_id", _ItemWrites.KEY, _ItemWrites.SET)
            parts.append(f"items AS ({items.guarded('bump')})")
            params += items.arrays([p for _, p in writes.ops])
        if events:
            logged = bulk_insert(dialect, _core(Event), _EVENT_COLUMNS)
            parts.append(f"logged AS ({logged.guarded('bump')})")
            params += logged.processed(events)
        if not self._first(conn, "WITH " + ", ".join(parts) + " SELECT count(*) FROM bump", tuple(params)).scalar():
            return None  # changed by someone else since (or gone): nothing was written
        return self._stored(state, rows, new_status)

    def _write(self, conn: Connection, state: DocumentVersion, rows: _Rows, writes: _ItemWrites, status: str,
               events: list[dict[str, Any]]) -> DocumentVersion:
        """Store a version's changed items, new status and its events, inside the caller's transaction, which
        began with ``_bumped`` (the revision and time of change are written)."""
        if status != state.status:
            conn.execute(_SET_STATUS, {"b_id": state.version_id, "b_status": status})
        writes.flush(conn)
        logged = bulk_insert(conn.dialect, _core(Event), _EVENT_COLUMNS)
        logged.write(conn, events)
        return self._stored(state, rows, status)

    def _stored(self, state: DocumentVersion, rows: _Rows, status: str) -> DocumentVersion:
        """The version once its changes (``state``, ``rows``) and new status are written: one revision on."""
        new = carry_lookups(state, replace(state, status=status, revision=state.revision + 1))
        self._remember(new, rows)
        return new

    def set_status(self, version_id: int, status: str) -> DocumentVersion:
        return self.update_items(version_id, [], "status", status)

    def history(self, version_id: int) -> tuple[bool, bool]:
        """(can undo, can redo): replays the version's event log, so it is read only when asked for."""
        with self.db.sessions() as s:
            undo, redo = self._stacks(s, version_id)
            return bool(undo), bool(redo)

    def _stacks(self, s: Session, version_id: int) -> tuple[list[Event], list[Event]]:
        """Undo and redo stacks, replayed from the event log (so they survive restarts)."""
        events = list(s.scalars(
            select(Event).where(Event.version_id == version_id, Event.undoable.is_(True)).order_by(Event.id)
        ))
        undo: list[Event] = []
        redo: list[Event] = []
        for e in events:
            if e.action == "undo":
                if undo and undo[-1].id == e.ref_event_id:
                    redo.append(undo.pop())
            elif e.action == "redo":
                if redo and redo[-1].id == e.ref_event_id:
                    undo.append(redo.pop())
            else:
                undo.append(e)
                redo.clear()
        return undo, redo

    def _undo_redo(self, version_id: int, which: str) -> DocumentVersion:
        return _once_more_on_a_lost_connection(which, lambda: self._undo_redo_once(version_id, which))

    def _undo_redo_once(self, version_id: int, which: str) -> DocumentVersion:
        with self.db.writes.begin() as s:
            state, stored = self._bumped(s.connection(), version_id)
            undo, redo = self._stacks(s, version_id)
            stack = undo if which == "undo" else redo
            if not stack:
                s.rollback()  # nothing to take back: the revision stays
                return state
            target = stack[-1]
            layer, _, item_id = (target.item_id or "").partition(":")
            new_item = target.before if which == "undo" else target.after
            rows = dict(stored)
            writes = _ItemWrites(version_id)
            current = _put_item(rows, layer, item_id, new_item, writes)
            quotes, claims = items_from_payload(_payload(rows))
            state = replace(state, quotes=quotes, claims=claims)
            return self._write(s.connection(), state, rows, writes, state.status, [{
                "version_id": version_id, "action": which, "item_id": target.item_id, "before": current,
                "after": new_item, "ref_event_id": target.id, "undoable": True, "created_at": utcnow()}])

    def undo(self, version_id: int) -> DocumentVersion:
        return self._undo_redo(version_id, "undo")

    def redo(self, version_id: int) -> DocumentVersion:
        return self._undo_redo(version_id, "redo")

    def time_spent(self, version_id: int, idle_cap: float = IDLE_CAP_SECONDS) -> float:
        """Seconds of work on a version, from its event log: the gaps between consecutive events,
        each capped at ``idle_cap`` (a coffee break is not annotation time)."""
        with self.db.sessions() as s:
            times = list(s.scalars(select(Event.created_at).where(Event.version_id == version_id).order_by(Event.id)))
        return work_seconds(times, idle_cap)

    def events(self, version_id: int) -> list[dict[str, Any]]:
        with self.db.sessions() as s:
            return [
                {"id": e.id, "action": e.action, "item_id": e.item_id, "before": e.before, "after": e.after,
                 "ref_event_id": e.ref_event_id, "created_at": e.created_at}
                for e in s.scalars(select(Event).where(Event.version_id == version_id).order_by(Event.id))
            ]

    def put_version(self, dataset: str, ann: Annotation, action: str = "adjudicate") -> None:
        """Store a whole version (adjudication result, import) for an existing document."""
        with self.db.writes.begin() as s:
            ds = self._dataset(s, dataset)
            doc = s.scalar(select(Document).where(Document.dataset_id == ds.id, Document.ext_id == ann.doc_id))
            if doc is None:
                raise NotFoundError(f"no document {ann.doc_id!r} in dataset {dataset!r}")
            self._put_version(s, doc.id, ann, action)

    # -- navigation and progress ------------------------------------------------------------

    def annotator_statuses(self, dataset: str, annotator: str) -> dict[int, str]:
        """Document id -> this annotator's status ('new' where they have no version yet), for the
        documents assigned to them, or every document when the dataset has no assignment."""
        with self.db.sessions() as s:
            ds = self._dataset(s, dataset)
            ann = s.scalar(select(Annotator).where(Annotator.name == annotator))
            q = select(Document.id).where(Document.dataset_id == ds.id).order_by(Document.position)
            if s.scalar(select(Assignment.id).where(Assignment.dataset_id == ds.id).limit(1)) is not None:
                mine = select(Assignment.document_id).where(
                    Assignment.dataset_id == ds.id, Assignment.annotator_id == (ann.id if ann is not None else -1)
                )
                q = q.where(Document.id.in_(mine))
            ids = list(s.scalars(q))
            statuses = dict.fromkeys(ids, "new")
            if ann is not None:
                rows = s.execute(
                    select(Version.document_id, Version.status).join(Document, Document.id == Version.document_id)
                    .where(Document.dataset_id == ds.id, Version.annotator_id == ann.id)
                )
                statuses.update({doc_id: status for doc_id, status in rows if doc_id in statuses})
            return statuses

    def next_document(self, dataset: str, annotator: str, after: int | None = None) -> int | None:
        """The first document (after ``after``, wrapping) this annotator has not finished."""
        statuses = self.annotator_statuses(dataset, annotator)
        ids = list(statuses)
        if after in statuses:
            i = ids.index(after)
            ids = ids[i + 1:] + ids[: i + 1]
        for doc_id in ids:
            if statuses[doc_id] in ("new", "in_progress"):
                return doc_id
        return None

    def versions(
        self, dataset: str, annotator: str | None = None, status: str | None = "done", batch_size: int = 200
    ) -> Iterator[Annotation]:
        """Stored versions as Annotations, in document order then annotator name.

        ``status=None`` yields every version; rejected items are kept in the Annotation
        (with their status) so callers decide; ``Annotation.to_dict`` drops them.
        """
        for ev in self.export_versions(dataset, annotator, status, batch_size=batch_size, with_tokens=False):
            yield ev.annotation

    def export_versions(
        self, dataset: str, annotator: str | None = None, status: str | None = "done", batch_size: int = 500,
        with_tokens: bool = True, with_prodigy_tokens: bool = False,
    ) -> Iterator["ExportedVersion"]:
        """Stored versions in document order then annotator name, with what exporters need besides the
        Annotation: the stored tokenization (and with ``with_prodigy_tokens`` its Prodigy tokens JSON) and the
        version's last change. Selects columns, not ORM objects (exports stream many documents)."""
        with self.db.sessions() as s:
            ds_id = self._dataset(s, dataset).id
            if annotator is not None and s.scalar(select(Annotator.id).where(Annotator.name == annotator)) is None:
                raise NotFoundError(f"no annotator named {annotator!r} in this database")
        cols = [Document.position, Document.ext_id, Document.text, Document.meta,
                Version.id.label("version_id"), Version.status, Version.updated_at, Annotator.name]
        if with_tokens:
            cols.append(Document.tokens)
        if with_prodigy_tokens:
            cols.append(Document.prodigy_tokens)
        last: tuple[int, int] = (-1, -1)
        while True:
            with self.db.sessions() as s:
                ids = s.execute(
                    select(Document.id, Document.position).where(Document.dataset_id == ds_id, _after(last))
                    .order_by(Document.position, Document.id).limit(batch_size)
                ).all()
                if not ids:
                    return
                last = (ids[-1].position, ids[-1].id)
                q = (
                    select(*cols)
                    .join(Version, Version.document_id == Document.id)
                    .join(Annotator, Annotator.id == Version.annotator_id)
                    .where(Document.id.in_([row.id for row in ids]))
                )
                if annotator is not None:
                    q = q.where(Annotator.name == annotator)
                if status is not None:
                    q = q.where(Version.status == status)
                rows = s.execute(q.order_by(Document.position, Annotator.name)).all()
                items = batch_payloads(s.connection(), [row.version_id for row in rows])
            for row in rows:
                yield ExportedVersion(
                    row.ext_id, row.text, row.name, row.status, dict(row.meta or {}), items[row.version_id],
                    _stored_offsets(row.tokens) if with_tokens else None,
                    row.updated_at,
                    row.prodigy_tokens if with_prodigy_tokens else None,
                )

    def version_rows(self, dataset: str, annotator: str | None = None, status: str | None = "done",
                     batch_size: int = 500) -> Iterator[VersionRows]:
        """The dataset's documents in dataset order, ``batch_size`` at a time, each batch with its versions
        (of ``status``; ``None``: all) and their items as plain rows (``annotator.db.version_rows``): what
        agreement reads, in memory bounded by one batch, without an Annotation per version."""
        with self.db.sessions() as s:
            ds_id = self._dataset(s, dataset).id
            annotator_id = None
            if annotator is not None:
                annotator_id = s.scalar(select(Annotator.id).where(Annotator.name == annotator))
                if annotator_id is None:
                    raise NotFoundError(f"no annotator named {annotator!r} in this database")
        last: tuple[int, int] = (-1, -1)
        while True:
            with self.db.sessions() as s:
                docs = s.execute(
                    select(Document.id, Document.ext_id, Document.word_bounds,
                           case((Document.word_bounds.is_(None), Document.text)), Document.position)
                    .where(Document.dataset_id == ds_id, _after(last))
                    .order_by(Document.position, Document.id).limit(batch_size)
                ).all()
                if not docs:
                    return
                last = (docs[-1].position, docs[-1].id)
                batch = batch_rows(s.connection(), [(d[0], d[1], d[2], d[3]) for d in docs], annotator_id, status)
            yield batch

    def annotators(self, dataset: str, status: str | None = None) -> list[str]:
        """Annotators with versions in the dataset (only versions of ``status`` when given), by name."""
        with self.db.sessions() as s:
            ds = self._dataset(s, dataset)
            query = (select(Annotator.name).join(Version, Version.annotator_id == Annotator.id)
                     .join(Document, Document.id == Version.document_id).where(Document.dataset_id == ds.id))
            if status is not None:
                query = query.where(Version.status == status)
            return list(s.scalars(query.distinct().order_by(Annotator.name)))

    def stats(self, dataset: str) -> DatasetStats:
        with self.db.sessions() as s:
            ds = self._dataset(s, dataset)
            n_docs, n_chars = s.execute(
                select(func.count(Document.id), func.coalesce(func.sum(func.length(Document.text)), 0))
                .where(Document.dataset_id == ds.id)
            ).one()
            # counted in SQL: decoding every stored tokenization took 1 GB and 4.7 s at 10k documents
            count = token_count(Document.tokens, s.get_bind().dialect.name)
            tokenized, n_tokens = s.execute(
                select(func.count(), func.coalesce(func.sum(count), 0))
                .where(Document.dataset_id == ds.id, Document.tokens.is_not(None), count.is_not(None))
            ).one()
            tokenized, n_tokens = int(tokenized), int(n_tokens)
            preannotated = s.scalar(
                select(func.count(func.distinct(Suggestion.document_id))).join(Document, Document.id == Suggestion.document_id)
                .where(Document.dataset_id == ds.id)
            ) or 0
            runs = s.scalar(select(func.count()).select_from(ModelRun).where(ModelRun.dataset_id == ds.id)) or 0
            rows = s.execute(
                select(Annotator.name, Version.status).join(Version, Version.annotator_id == Annotator.id)
                .join(Document, Document.id == Version.document_id).where(Document.dataset_id == ds.id)
            ).all()
            per: dict[str, Counter[str]] = {}
            for name, status in rows:
                per.setdefault(name, Counter())[status] += 1
            times = s.execute(
                select(Annotator.name, Event.version_id, Event.created_at)
                .join(Version, Version.id == Event.version_id).join(Annotator, Annotator.id == Version.annotator_id)
                .join(Document, Document.id == Version.document_id).where(Document.dataset_id == ds.id)
                .order_by(Event.version_id, Event.id)
            ).all()
            by_version: dict[int, tuple[str, list[datetime]]] = {}
            for name, vid, at in times:
                by_version.setdefault(vid, (name, []))[1].append(at)
            seconds: dict[str, float] = {}
            for name, stamps in by_version.values():
                seconds[name] = seconds.get(name, 0.0) + work_seconds(stamps)
            assigned: Counter[str] = Counter()
            assigned_done: Counter[str] = Counter()
            done_version = (
                select(Version.id).where(Version.document_id == Assignment.document_id,
                                         Version.annotator_id == Assignment.annotator_id, Version.status == "done")
                .exists()
            )  # fmt: skip
            for name, is_done in s.execute(
                select(Annotator.name, done_version).join(Assignment, Assignment.annotator_id == Annotator.id)
                .where(Assignment.dataset_id == ds.id)
            ):
                assigned[name] += 1
                assigned_done[name] += bool(is_done)
                per.setdefault(name, Counter())
            has_assignment = bool(assigned)
            progress = tuple(
                AnnotatorProgress(name, c["done"], c["in_progress"] + c["new"], c["flagged"], c["skipped"],
                                  seconds.get(name, 0), assigned[name] if has_assignment else None,
                                  assigned_done[name] if has_assignment else None)
                for name, c in sorted(per.items())
            )
            return DatasetStats(
                name=ds.name, documents=n_docs, characters=int(n_chars),
                tokens=n_tokens if tokenized else None, tokenized_documents=tokenized,
                preannotated_documents=preannotated, model_runs=runs, annotators=progress,
            )

    # -- assignments ---------------------------------------------------------------------------

    def assign(self, dataset: str, annotators: Sequence[str], overlap: int, seed: int = 0) -> "AssignResult":
        """Give every document ``overlap`` annotators (see :mod:`annotator.assignment`); only what
        is missing is added. One transaction; concurrent assigns of a dataset run one after the other."""
        with self.db.writes.begin() as s:
            ds = self._dataset(s, dataset)
            s.execute(select(Dataset.id).where(Dataset.id == ds.id).with_for_update())  # PostgreSQL: one at a time
            docs = s.execute(
                select(Document.id, Document.ext_id).where(Document.dataset_id == ds.id).order_by(Document.position)
            ).all()
            existing: dict[str, set[str]] = {}
            ext = {doc_id: ext_id for doc_id, ext_id in docs}
            for doc_id, name in s.execute(
                select(Assignment.document_id, Annotator.name).join(Annotator, Annotator.id == Assignment.annotator_id)
                .where(Assignment.dataset_id == ds.id)
            ):
                existing.setdefault(ext[doc_id], set()).add(name)
            plan = plan_assignment([e for _, e in docs], annotators, existing, overlap, seed)
            ids = {e: doc_id for doc_id, e in docs}
            people = {n: self._annotator(s, n).id for n in dict.fromkeys(annotators)}
            added: Counter[str] = Counter()
            for doc_ext, names in plan.items():
                for name in names:
                    s.add(Assignment(dataset_id=ds.id, document_id=ids[doc_ext], annotator_id=people[name]))
                    added[name] += 1
            for known in existing.values():
                for name in known:
                    added[name] += 0
        totals = {name: len(docs_) for name, docs_ in self.assignments(dataset).items()}
        return AssignResult(len(docs), overlap, tuple((n, added[n], totals.get(n, 0)) for n in sorted(totals)))

    def assignments(self, dataset: str) -> dict[str, list[str]]:
        """Annotator name -> external ids of the documents assigned to them, in dataset order
        (empty: the dataset has no assignment, everyone sees every document)."""
        with self.db.sessions() as s:
            ds = self._dataset(s, dataset)
            rows = s.execute(
                select(Annotator.name, Document.ext_id).join(Assignment, Assignment.annotator_id == Annotator.id)
                .join(Document, Document.id == Assignment.document_id)
                .where(Assignment.dataset_id == ds.id).order_by(Annotator.name, Document.position)
            )
            out: dict[str, list[str]] = {}
            for name, ext_id in rows:
                out.setdefault(name, []).append(ext_id)
            return out

    # -- cross-document speaker corrections ---------------------------------------------------

    def speaker_corrections(self, dataset: str) -> dict[str, str]:
        """variant -> canonical name, as corrected by users (``canonical == variant``: keep apart)."""
        with self.db.sessions() as s:
            ds = self._dataset(s, dataset)
            rows = s.execute(select(SpeakerAlias.variant, SpeakerAlias.canonical).where(SpeakerAlias.dataset_id == ds.id))
            return {variant: canonical for variant, canonical in rows}

    def set_speaker_correction(self, dataset: str, variant: str, canonical: str | None) -> None:
        """Store (or with ``None`` remove) one correction.

        Names are non-empty, without NUL, at most SPEAKER_NAME_MAX characters (the same on every
        backend); a merge that would close a cycle (A into B while B already leads to A) is refused,
        since it would silently undo both.
        """
        for what, name in (("variant", variant), ("canonical", canonical)):
            if name is not None:
                check_name(name, what, SPEAKER_NAME_MAX)
        with self.db.writes.begin() as s:
            ds = self._dataset(s, dataset)
            if canonical is not None and canonical != variant:
                current = {v: c for v, c in s.execute(
                    select(SpeakerAlias.variant, SpeakerAlias.canonical).where(SpeakerAlias.dataset_id == ds.id))}
                current.pop(variant, None)
                path = [canonical]
                while path[-1] in current and current[path[-1]] != path[-1] and current[path[-1]] not in path:
                    path.append(current[path[-1]])
                if variant in path:
                    chain = " -> ".join(repr(n) for n in path)
                    raise UserError(
                        f"merging {variant!r} into {canonical!r} would make a cycle ({chain}); "
                        f"`speakers reset` one of them first"
                    )
            row = s.scalar(select(SpeakerAlias).where(SpeakerAlias.dataset_id == ds.id, SpeakerAlias.variant == variant))
            if canonical is None:
                if row is not None:
                    s.delete(row)
            elif row is None:
                s.add(SpeakerAlias(dataset_id=ds.id, variant=variant, canonical=canonical))
            else:
                row.canonical = canonical
