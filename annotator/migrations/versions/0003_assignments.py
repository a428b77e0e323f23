"""assignments: documents given to annotators (annotator assign)

Revision ID: 0003a
Revises: 0002
Create Date: 2026-12-01 11:40:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0003a'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dataset_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('annotator_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['annotator_id'], ['annotators.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['dataset_id'], ['datasets.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('document_id', 'annotator_id', name='uq_assignments_document_annotator')
    )
    op.create_index('ix_assignments_dataset_annotator', 'assignments', ['dataset_id', 'annotator_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_assignments_dataset_annotator', table_name='assignments')
    op.drop_table('assignments')
