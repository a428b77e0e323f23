"""version items: one row per item instead of one JSON payload per version

A version's items were one JSON document (``versions.payload``), so every decision re-serialized
and rewrote all of them (1.7 MB on a 1 MB article). Each item becomes a ``version_items`` row, in
the payload's order (positions spaced by POSITION_STEP); the downgrade rebuilds the payloads.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 17:00:00
"""
from __future__ import annotations

from typing import Any

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

#: Distance between the positions of consecutive items (the same as ``annotator.db.repo.POSITION_STEP``).
POSITION_STEP = 1 << 32
LAYERS = ('quotes', 'claims')
#: Versions moved per query.
BATCH = 500

versions = sa.table('versions', sa.column('id', sa.Integer()), sa.column('payload', sa.JSON()))
items = sa.table(
    'version_items', sa.column('version_id', sa.Integer()), sa.column('layer', sa.String()),
    sa.column('item_id', sa.String()), sa.column('position', sa.BigInteger()), sa.column('payload', sa.JSON()),
)


def _item_id(layer: str, item: dict[str, Any], index: int) -> str:
    """The id the application gives the item (``scheme.quote_from_dict``/``claim_from_dict``)."""
    return str(item.get('id') or f"{layer[0]}{index + 1}")


def upgrade() -> None:
    op.create_table('version_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('layer', sa.String(length=10), nullable=False),
    sa.Column('item_id', sa.String(length=50), nullable=False),
    sa.Column('position', sa.BigInteger(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['versions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('uq_version_items_version_layer_position', 'version_items',
                    ['version_id', 'layer', 'position'], unique=True)
    conn = op.get_bind()
    last = -1
    while True:
        rows = conn.execute(
            sa.select(versions.c.id, versions.c.payload).where(versions.c.id > last)
            .order_by(versions.c.id).limit(BATCH)
        ).all()
        if not rows:
            break
        last = rows[-1].id
        moved = [
            {'version_id': row.id, 'layer': layer, 'item_id': _item_id(layer, item, i),
             'position': i * POSITION_STEP, 'payload': item}
            for row in rows
            for layer in LAYERS
            for i, item in enumerate((row.payload or {}).get(layer) or ())
        ]
        if moved:
            conn.execute(items.insert(), moved)
    # native DROP COLUMN (SQLite >= 3.35): a batch rebuild of ``versions`` would drop the table, and with
    # foreign keys on that deletes every event and item through ON DELETE CASCADE
    op.drop_column('versions', 'payload')


def downgrade() -> None:
    op.add_column('versions', sa.Column('payload', sa.JSON(), nullable=False,
                                        server_default='{"quotes": [], "claims": []}'))
    conn = op.get_bind()
    last = -1
    while True:
        ids = conn.execute(
            sa.select(versions.c.id).where(versions.c.id > last).order_by(versions.c.id).limit(BATCH)
        ).scalars().all()
        if not ids:
            break
        last = ids[-1]
        payloads: dict[int, dict[str, list[Any]]] = {i: {layer: [] for layer in LAYERS} for i in ids}
        for version_id, layer, payload in conn.execute(
            sa.select(items.c.version_id, items.c.layer, items.c.payload).where(items.c.version_id.in_(ids))
            .order_by(items.c.version_id, items.c.layer, items.c.position)
        ):
            payloads[version_id].setdefault(layer, []).append(payload)
        conn.execute(
            versions.update().where(versions.c.id == sa.bindparam('v_id')).values(payload=sa.bindparam('v_payload')),
            [{'v_id': i, 'v_payload': p} for i, p in payloads.items()],
        )
    if conn.dialect.name == 'postgresql':
        op.alter_column('versions', 'payload', server_default=None)
    op.drop_index('uq_version_items_version_layer_position', table_name='version_items')
    op.drop_table('version_items')
