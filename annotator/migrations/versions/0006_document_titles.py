"""document titles, and an index that covers the document list

The `g` document list of 100,000 documents read every row of the table (3 kB texts, one page each)
to show ids and first words: seconds. Titles (the first 80 characters, whitespace made single spaces)
are stored at import; this fills them for existing documents, in batches, and adds the index that
covers (dataset, position, external id, title).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 17:10:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

TITLE_CHARS = 80  # as annotator.db.models.TITLE_CHARS when this was written
BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title', sa.String(length=TITLE_CHARS), server_default='', nullable=False))
    conn = op.get_bind()
    last = -1
    while True:
        rows = conn.execute(sa.text(
            "SELECT id, substr(text, 1, :n) FROM documents WHERE id > :last ORDER BY id LIMIT :batch"
        ), {"n": TITLE_CHARS, "last": last, "batch": BATCH}).all()
        if not rows:
            break
        conn.execute(sa.text("UPDATE documents SET title = :title WHERE id = :id"),
                     [{"title": " ".join((opening or "").split()), "id": doc_id} for doc_id, opening in rows])
        last = rows[-1][0]
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index('ix_documents_dataset_titles', ['dataset_id', 'position', 'ext_id', 'title'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index('ix_documents_dataset_titles')
        batch_op.drop_column('title')
