"""version items: the fields agreement compares as columns the database computes from the payload

Agreement over 50,000 documents spent ~40 % of its time in SQLite extracting a dozen fields from each
item's JSON payload. They become STORED generated columns (computed from the payload on every write, so
they cannot disagree with it, and no write path names them), filled for existing rows by this upgrade.
SQLite cannot add a STORED column to a table: the table is rebuilt (nothing refers to version_items, so
dropping the old one cascades nowhere). PostgreSQL adds them in one ALTER TABLE (one rewrite).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 22:30:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

_PAYLOAD = sa.column('payload', sa.JSON())
#: (column, payload path, type) as annotator.db.models.VersionItem when this was written.
FIELDS: tuple[tuple[str, tuple[str, ...], type[sa.types.TypeEngine[object]]], ...] = (
    ('status', ('status',), sa.Text), ('span_start', ('start',), sa.Integer), ('span_end', ('end',), sa.Integer),
    ('kind', ('kind',), sa.Text), ('cue_start', ('cue', 'start'), sa.Integer), ('cue_end', ('cue', 'end'), sa.Integer),
    ('speaker_start', ('speaker', 'start'), sa.Integer), ('speaker_end', ('speaker', 'end'), sa.Integer),
    ('speaker_name', ('speaker', 'name'), sa.Text), ('stance_label', ('stance', 'label'), sa.Text),
    ('stance_target', ('stance', 'target'), sa.Text), ('checkworthy', ('checkworthy',), sa.Boolean),
)


def _columns() -> list[sa.Column[object]]:
    out = []
    for name, path, type_ in FIELDS:
        field = _PAYLOAD[path if len(path) > 1 else path[0]]
        value = (field.as_integer() if type_ is sa.Integer else field.as_boolean() if type_ is sa.Boolean
                 else field.as_string())
        out.append(sa.Column(name, type_(), sa.Computed(value, persisted=True), nullable=True))
    return out


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == 'sqlite':
        with op.batch_alter_table('version_items', recreate='always') as batch_op:
            for col in _columns():
                batch_op.add_column(col)
        return
    added = ', '.join(f'ADD COLUMN {sa.schema.CreateColumn(col).compile(dialect=conn.dialect)}' for col in _columns())
    op.execute(f'ALTER TABLE version_items {added}')


def downgrade() -> None:
    with op.batch_alter_table('version_items', recreate='always' if op.get_bind().dialect.name == 'sqlite'
                              else 'auto') as batch_op:
        for name, _, _ in reversed(FIELDS):
            batch_op.drop_column(name)
