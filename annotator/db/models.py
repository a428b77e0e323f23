"""SQLAlchemy 2.0 models: the only place that knows table layouts.

Suggestions (per model run) and human decisions (per annotator version) are kept apart.
A version's current state is its status (``versions``) and its items (quotes, claims with their
statuses), one row each (``version_items``), so a decision reads and writes one item whatever the
document's size; every change is also appended to ``events`` in the same transaction, which gives
undo/redo across restarts, an audit trail and time-per-document.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Computed,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    column,
)
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


#: Characters of a text kept as the document's title (migration 0006 fills it for older databases).
TITLE_CHARS = 80


def title_of(text: str) -> str:
    """A document's title: the first ``TITLE_CHARS`` characters of its text, whitespace runs (newlines too)
    made one space. Stored at import, so the document list never reads the texts."""
    return " ".join(text[:TITLE_CHARS].split())


def packed_word_bounds(text: str) -> bytes:
    """``text``'s packed word bounds (``annotator.word_bounds``), importing numpy only when one is packed:
    the storage layer is loaded by commands that never pack any."""
    from annotator.word_bounds import pack_word_bounds

    return pack_word_bounds(text)


def _word_bounds_of_text(context: DefaultExecutionContext) -> bytes:
    """``Document.word_bounds`` of a row inserted without them: packed from the row's text."""
    return packed_word_bounds(context.get_current_parameters()["text"])


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Dataset(Base):
    __tablename__ = "datasets"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    stance_targets: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    documents: Mapped[list["Document"]] = relationship(back_populates="dataset", cascade="all, delete-orphan")


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("dataset_id", "text_hash", name="uq_documents_dataset_hash"),
        UniqueConstraint("dataset_id", "ext_id", name="uq_documents_dataset_ext_id"),
        #: Unique: concurrent imports get distinct positions, and paging by position misses nothing.
        Index("uq_documents_dataset_position", "dataset_id", "position", unique=True),
        #: Covers the document list (id, external id, title in order): read without touching the texts.
        Index("ix_documents_dataset_titles", "dataset_id", "position", "ext_id", "title"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    ext_id: Mapped[str] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    text_hash: Mapped[str] = mapped_column(String(64))
    #: The first words of the text on one line (``title_of``): what the document list shows and searches.
    title: Mapped[str] = mapped_column(String(TITLE_CHARS), default="", server_default="")
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: [[start, end], ...] character offsets of the stored tokenization (None until parsed).
    #: The tokenization (``annotator.db.token_store``: packed, or the list form older databases hold).
    tokens: Mapped[dict[str, Any] | list[Any] | None] = mapped_column(JSON, nullable=True, default=None)
    #: The text's whitespace tokens and length, packed (``annotator.word_bounds``): what agreement's token
    #: statistics read instead of the text. Written with the document's first version (an import of plain
    #: texts leaves them NULL: packing them would cost it a sixth more CPU; any other insert gets them from
    #: the default); migration 0008 fills them for older databases. Readers pack a NULL from the text.
    #: Deferred, as ``prodigy_tokens``: loading a Document for anything else does not read them.
    word_bounds: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, default=_word_bounds_of_text,
                                                      deferred=True)
    #: The Prodigy ``tokens`` JSON of the stored tokenization, compressed (``annotator.io.prodigy.tokens_blob``):
    #: written with ``tokens``, read only by ``export prodigy`` (in the tokens JSON it cost every other reader).
    #: NULL: not tokenized, or offsets that do not fit the text; migration 0010 fills it for older databases.
    prodigy_tokens: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, default=None, deferred=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    dataset: Mapped[Dataset] = relationship(back_populates="documents")


class Annotator(Base):
    __tablename__ = "annotators"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ModelRun(Base):
    __tablename__ = "model_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"), index=True)
    model_name: Mapped[str] = mapped_column(String(200))
    model_version: Mapped[str] = mapped_column(String(100))
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Suggestion(Base):
    """The model's items for one document in one run (gold-JSONL item payload)."""

    __tablename__ = "suggestions"
    __table_args__ = (UniqueConstraint("run_id", "document_id", name="uq_suggestions_run_document"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("model_runs.id", ondelete="CASCADE"))
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Version(Base):
    """One annotator's version of one document: its status (its items are ``VersionItem`` rows)."""

    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("document_id", "annotator_id", name="uq_versions_document_annotator"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="in_progress")
    #: Incremented on every change; used for optimistic concurrency between processes.
    revision: Mapped[int] = mapped_column(Integer, default=0)
    source_run_id: Mapped[int | None] = mapped_column(ForeignKey("model_runs.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


_PAYLOAD = column("payload", JSON)


def _from_payload(*path: str, as_type: type[Integer] | type[Boolean] | type[Text] = Text) -> Computed:
    """A column the database computes from the item's payload whenever the row is written (a STORED
    generated column: it cannot disagree with the payload, and no write path names it). Rendered per
    dialect by SQLAlchemy's JSON operators: ``json_extract`` on SQLite, ``->>`` / ``#>>`` on PostgreSQL."""
    field = _PAYLOAD[path if len(path) > 1 else path[0]]
    value = (field.as_integer() if as_type is Integer else field.as_boolean() if as_type is Boolean
             else field.as_string())
    return Computed(value, persisted=True)


class VersionItem(Base):
    """One item (quote or claim) of a version, in its stored shape (``scheme.item_to_payload``).

    ``position`` orders a layer's items (the version's order); positions are spaced (``repo.POSITION_STEP``)
    so an added item takes a free position between its neighbours instead of renumbering the others.

    The payload's fields that dataset statistics compare (agreement) are also columns computed by the
    database from it (migration 0007): read without parsing each item's JSON, which was most of the reading
    of a 50,000-document agreement. NULL where the payload has no such field (or null): a quote has no
    ``checkworthy``, a claim no ``kind``, an item without a cue no ``cue_start``.
    """

    __tablename__ = "version_items"
    __table_args__ = (
        Index("uq_version_items_version_layer_position", "version_id", "layer", "position", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    #: "quotes" or "claims".
    layer: Mapped[str] = mapped_column(String(10))
    item_id: Mapped[str] = mapped_column(String(50))
    position: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str | None] = mapped_column(Text, _from_payload("status"))
    span_start: Mapped[int | None] = mapped_column(Integer, _from_payload("start", as_type=Integer))
    span_end: Mapped[int | None] = mapped_column(Integer, _from_payload("end", as_type=Integer))
    kind: Mapped[str | None] = mapped_column(Text, _from_payload("kind"))
    cue_start: Mapped[int | None] = mapped_column(Integer, _from_payload("cue", "start", as_type=Integer))
    cue_end: Mapped[int | None] = mapped_column(Integer, _from_payload("cue", "end", as_type=Integer))
    speaker_start: Mapped[int | None] = mapped_column(Integer, _from_payload("speaker", "start", as_type=Integer))
    speaker_end: Mapped[int | None] = mapped_column(Integer, _from_payload("speaker", "end", as_type=Integer))
    speaker_name: Mapped[str | None] = mapped_column(Text, _from_payload("speaker", "name"))
    stance_label: Mapped[str | None] = mapped_column(Text, _from_payload("stance", "label"))
    stance_target: Mapped[str | None] = mapped_column(Text, _from_payload("stance", "target"))
    checkworthy: Mapped[bool | None] = mapped_column(Boolean, _from_payload("checkworthy", as_type=Boolean))


class Event(Base):
    """Append-only decision log. ``before``/``after`` are item payloads (None for add/remove)."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_version_id_id", "version_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(30))
    item_id: Mapped[str | None] = mapped_column(String(50), nullable=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    #: For undo/redo events: the id of the event undone or redone.
    ref_event_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: False for events that only record time or navigation (not undoable).
    undoable: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SpeakerAlias(Base):
    """A user's correction of the cross-document speaker merge: ``variant`` is ``canonical``.

    ``canonical == variant`` keeps a name apart from automatic merges (a split).
    """

    __tablename__ = "speaker_aliases"
    __table_args__ = (UniqueConstraint("dataset_id", "variant", name="uq_speaker_aliases_dataset_variant"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    variant: Mapped[str] = mapped_column(String(300))
    canonical: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Assignment(Base):
    """A document given to an annotator by ``annotator assign`` (a dataset with none: everyone sees all)."""

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("document_id", "annotator_id", name="uq_assignments_document_annotator"),
        Index("ix_assignments_dataset_annotator", "dataset_id", "annotator_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
