"""documents: the Prodigy tokens JSON of the stored tokenization, in a column of its own

``export prodigy`` built a dict per token for every task (a third of its time). A document now stores, when its
tokenization is stored, the Prodigy ``tokens`` array it gives as compressed JSON (``prodigy_tokens``, made by
``annotator.io.prodigy.tokens_blob``), which the export splices into each task. This adds the column, fills it
for the tokenizations stored before (in batches), and removes the ``"derived"`` key the first version of 0009
put into the tokens JSON. A plain nullable column: SQLite adds it without rebuilding the table.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 02:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from annotator.db.token_store import unpack_tokens
from annotator.io.prodigy import tokens_blob

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

BATCH = 500
_DERIVED = 'derived'


def _blob(text: str, stored: object) -> bytes | None:
    try:
        offsets = unpack_tokens(stored)
    except ValueError:  # not a tokenization the exports read either
        return None
    return None if offsets is None else tokens_blob(text, offsets)


def upgrade() -> None:
    op.add_column('documents', sa.Column('prodigy_tokens', sa.LargeBinary(), nullable=True))
    conn = op.get_bind()
    docs = sa.table('documents', sa.column('id', sa.Integer()), sa.column('text', sa.Text()),
                    sa.column('tokens', sa.JSON()), sa.column('prodigy_tokens', sa.LargeBinary())).c
    table = docs.id.table
    blobs = sa.update(table).where(docs.id == sa.bindparam('doc_id')).values(prodigy_tokens=sa.bindparam('blob'))
    tokens = sa.update(table).where(docs.id == sa.bindparam('doc_id')).values(tokens=sa.bindparam('value'))
    last = -1
    while True:
        rows = conn.execute(sa.select(docs.id, docs.text, docs.tokens).where(docs.id > last, docs.tokens.is_not(None))
                            .order_by(docs.id).limit(BATCH)).all()
        if not rows:
            break
        filled = [{'doc_id': doc_id, 'blob': blob} for doc_id, text, stored in rows
                  if (blob := _blob(text or '', stored)) is not None]
        if filled:
            conn.execute(blobs, filled)
        stripped = [{'doc_id': doc_id, 'value': {k: v for k, v in stored.items() if k != _DERIVED}}
                    for doc_id, _, stored in rows if isinstance(stored, dict) and _DERIVED in stored]
        if stripped:
            conn.execute(tokens, stripped)
        last = rows[-1][0]


def downgrade() -> None:
    op.drop_column('documents', 'prodigy_tokens')
