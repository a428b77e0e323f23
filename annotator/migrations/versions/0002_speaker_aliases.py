"""speaker aliases

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 07:31:36.723397
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('speaker_aliases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dataset_id', sa.Integer(), nullable=False),
    sa.Column('variant', sa.String(length=300), nullable=False),
    sa.Column('canonical', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dataset_id'], ['datasets.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('dataset_id', 'variant', name='uq_speaker_aliases_dataset_variant')
    )


def downgrade() -> None:
    op.drop_table('speaker_aliases')
