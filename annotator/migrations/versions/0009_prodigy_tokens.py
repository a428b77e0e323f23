"""documents: the Prodigy tokens JSON stored with each packed tokenization, for existing databases

``export prodigy`` built a dict per token for every task (a third of its time); the tokenization is now stored
with that array's JSON, zlib-compressed (``annotator.io.prodigy.derived_forms``, under the packed tokens'
``"derived"`` key), and spliced into each task. New tokenizations get it when they are stored; this computes it
for the tokenizations stored before, in batches (a document without one still exports the same bytes, by the
slower way). Data only: the column is the same JSON value with one more key.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 02:10:00
"""
from __future__ import annotations

from typing import Any, Callable

from alembic import op
import sqlalchemy as sa

from annotator.db.token_store import DERIVED, PACKED, unpack_tokens
from annotator.io.prodigy import derived_forms

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

BATCH = 500
_DOCUMENTS = sa.table('documents', sa.column('id', sa.Integer()), sa.column('text', sa.Text()),
                      sa.column('tokens', sa.JSON()))


def _rewrite(change: Callable[[str, dict[str, Any]], dict[str, Any] | None]) -> None:
    """Every packed tokenization through ``change`` (text, stored value -> new value, or None to keep it)."""
    conn = op.get_bind()
    docs = _DOCUMENTS.c
    statement = sa.update(_DOCUMENTS).where(docs.id == sa.bindparam('doc_id')).values(tokens=sa.bindparam('value'))
    last = -1
    while True:
        rows = conn.execute(sa.select(docs.id, docs.text, docs.tokens).where(docs.id > last, docs.tokens.is_not(None))
                            .order_by(docs.id).limit(BATCH)).all()
        if not rows:
            break
        changed = []
        for doc_id, text, stored in rows:
            if isinstance(stored, dict) and PACKED in stored:
                value = change(text or "", stored)
                if value is not None:
                    changed.append({"doc_id": doc_id, "value": value})
        if changed:
            conn.execute(statement, changed)
        last = rows[-1][0]


def _with_derived(text: str, stored: dict[str, Any]) -> dict[str, Any] | None:
    if DERIVED in stored:
        return None
    try:
        offsets = unpack_tokens(stored)
    except ValueError:  # not a tokenization the exports read either
        return None
    derived = derived_forms(text, offsets) if offsets is not None else {}
    return {**stored, DERIVED: derived} if derived else None


def _without_derived(text: str, stored: dict[str, Any]) -> dict[str, Any] | None:
    return {k: v for k, v in stored.items() if k != DERIVED} if DERIVED in stored else None


def upgrade() -> None:
    _rewrite(_with_derived)


def downgrade() -> None:
    _rewrite(_without_derived)
