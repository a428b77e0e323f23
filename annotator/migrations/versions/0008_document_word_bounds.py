"""documents: their whitespace tokens and length, packed, so agreement never reads or tokenizes the texts

Agreement's token statistics tokenized every compared text on every run (reading the texts and a pass over
each character: ~4 s of a 50,000-document report). A document now stores its text's whitespace-token bounds
and length when it is written (``annotator.word_bounds``); this fills them for existing documents, in
batches. A plain nullable column: SQLite adds it without rebuilding the table (which the versions refer
to), and readers pack the bounds from the text where one is NULL.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 01:50:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa

from annotator.word_bounds import pack_word_bounds

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade() -> None:
    op.add_column('documents', sa.Column('word_bounds', sa.LargeBinary(), nullable=True))
    conn = op.get_bind()
    update = sa.table('documents', sa.column('id', sa.Integer()), sa.column('word_bounds', sa.LargeBinary()))
    statement = sa.update(update).where(update.c.id == sa.bindparam('doc_id')).values(
        word_bounds=sa.bindparam('bounds'))
    last = -1
    while True:
        rows = conn.execute(sa.text("SELECT id, text FROM documents WHERE id > :last ORDER BY id LIMIT :batch"),
                            {"last": last, "batch": BATCH}).all()
        if not rows:
            break
        conn.execute(statement, [{"doc_id": doc_id, "bounds": pack_word_bounds(text or "")} for doc_id, text in rows])
        last = rows[-1][0]


def downgrade() -> None:
    op.drop_column('documents', 'word_bounds')  # a plain ALTER TABLE ... DROP COLUMN on both (SQLite >= 3.35)
