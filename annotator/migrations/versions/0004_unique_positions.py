"""unique document positions within a dataset

Concurrent imports on PostgreSQL could give two documents one position (D4), and paging by
position then skipped documents. Existing duplicates are renumbered (order kept: position,
then id) before the unique index replaces the plain one.

Revision ID: 0004
Revises: 0003a
Create Date: 2026-12-01 11:20:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    duplicated = conn.execute(sa.text(
        "SELECT DISTINCT dataset_id FROM documents GROUP BY dataset_id, position HAVING count(*) > 1"
    )).scalars().all()
    for dataset_id in duplicated:
        ids = conn.execute(sa.text(
            "SELECT id FROM documents WHERE dataset_id = :d ORDER BY position, id"
        ), {"d": dataset_id}).scalars().all()
        conn.execute(sa.text("UPDATE documents SET position = :p WHERE id = :i"),
                     [{"p": p, "i": i} for p, i in enumerate(ids)])
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index('ix_documents_dataset_position')
        batch_op.create_index('uq_documents_dataset_position', ['dataset_id', 'position'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index('uq_documents_dataset_position')
        batch_op.create_index('ix_documents_dataset_position', ['dataset_id', 'position'], unique=False)
