"""documents: (superseded by 0010) the Prodigy tokens JSON inside the packed tokenization

This revision first stored the Prodigy tokens JSON under a ``"derived"`` key of each packed tokenization. Every
reader of the tokens column then paid for it (DocBin exports 2-4 %, ``stats`` 7-15 %), so 0010 stores it in a
column of its own. Upgrading through here now changes nothing; 0010 removes the key from databases that ran
the first version of this revision, and its downgrade (as this one's) leaves the tokenizations without it.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 02:10:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

BATCH = 500
#: The key the first version of this revision added to packed tokenizations.
DERIVED = 'derived'
DOCUMENTS = sa.table('documents', sa.column('id', sa.Integer()), sa.column('text', sa.Text()),
                     sa.column('tokens', sa.JSON()))


def strip_derived() -> None:
    """Packed tokenizations without the ``"derived"`` key, in batches (only rows that hold it are written)."""
    conn = op.get_bind()
    docs = DOCUMENTS.c
    statement = sa.update(DOCUMENTS).where(docs.id == sa.bindparam('doc_id')).values(tokens=sa.bindparam('value'))
    last = -1
    while True:
        rows = conn.execute(sa.select(docs.id, docs.tokens).where(docs.id > last, docs.tokens.is_not(None))
                            .order_by(docs.id).limit(BATCH)).all()
        if not rows:
            break
        changed = [{'doc_id': doc_id, 'value': {k: v for k, v in stored.items() if k != DERIVED}}
                   for doc_id, stored in rows if isinstance(stored, dict) and DERIVED in stored]
        if changed:
            conn.execute(statement, changed)
        last = rows[-1][0]


def upgrade() -> None:
    pass


def downgrade() -> None:
    strip_derived()
