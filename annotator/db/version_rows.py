"""Versions' items read as plain rows in SQL, for statistics over a whole dataset (agreement).

``Repository.versions`` builds an ``Annotation`` per version and an object per item from each item's
stored JSON: 0.4 ms per version, most of a 50,000-document agreement. Here the database extracts the few
payload fields the statistics use (``records.ITEM_FIELDS``) and sends a batch's items as ONE JSON text
(``group_concat`` on SQLite, ``string_agg`` on PostgreSQL), decoded by orjson at once: no per-row
round trip and no per-item dictionary.
"""

from __future__ import annotations

import json
from operator import itemgetter
from typing import Any, Sequence

import orjson
from sqlalchemy import Connection, bindparam, select, text

from annotator.db.models import Annotator, Version
from annotator.records import VersionRows

#: The stored payload's JSON paths of ``records.ITEM_FIELDS``, in order.
_PATHS = (("status",), ("start",), ("end",), ("kind",), ("cue", "start"), ("cue", "end"), ("speaker", "start"),
          ("speaker", "end"), ("speaker", "name"), ("stance", "label"), ("stance", "target"), ("checkworthy",))

_SQLITE_FIELDS = "json_extract(i.payload, " + ", ".join("'$." + ".".join(p) + "'" for p in _PATHS) + ")"
_PG_FIELDS = "json_build_array(" + ", ".join("i.payload #> '{" + ",".join(p) + "}'" for p in _PATHS) + ")"
_ITEMS = {
    "sqlite": f"SELECT '[' || group_concat(json_array(i.version_id, i.layer, i.position, {_SQLITE_FIELDS}), ',') || ']'",
    "postgresql": f"SELECT '[' || string_agg(json_build_array(i.version_id, i.layer, i.position, {_PG_FIELDS})::text, ',') || ']'",
}
_FROM = " FROM version_items i WHERE i.version_id IN :ids"
#: Whole item payloads, for exports.
_PAYLOADS = {
    "sqlite": "SELECT '[' || group_concat(json_array(i.version_id, i.layer, i.position, json(i.payload)), ',') || ']'",
    "postgresql": "SELECT '[' || string_agg(json_build_array(i.version_id, i.layer, i.position, i.payload)::text, ',')"
                  " || ']'",
}


def _decoded(data: str | None) -> list[Any]:
    if not data:
        return []
    try:
        rows: list[Any] = orjson.loads(data)
    except orjson.JSONDecodeError:  # integers beyond 64 bits, lone surrogates: the stdlib reader takes them
        rows = json.loads(data)
    return rows


def batch_payloads(conn: Connection, version_ids: Sequence[int]) -> dict[int, dict[str, list[Any]]]:
    """The stored item payloads of these versions per layer, in each layer's order: ONE JSON text for the
    batch, read by orjson (a row and a JSON decode per item through SQLAlchemy were a fifth of a jsonl export).
    Items hold no integers orjson would read inexactly (offsets within the text; scores are floats; the schema
    allows nothing else), and what it refuses (lone surrogates, NaN) the stdlib reads (``_decoded``)."""
    out: dict[int, dict[str, list[Any]]] = {v: {"quotes": [], "claims": []} for v in version_ids}
    if not out:
        return out
    sql = text(_PAYLOADS[conn.dialect.name] + _FROM).bindparams(bindparam("ids", expanding=True))
    data = conn.execute(sql, {"ids": list(out)}).scalar()
    rows = _decoded(data)
    rows.sort(key=itemgetter(0, 1, 2))  # the aggregate's order is the database's choice
    for version_id, layer, _, payload in rows:
        out[version_id].setdefault(layer, []).append(payload)
    return out


def batch_rows(conn: Connection, docs: Sequence[tuple[int, str, str]], annotator_id: int | None,
               status: str | None) -> VersionRows:
    """The versions (of ``status``, of one annotator when given) of ``docs`` (id, external id, text) with
    their items."""
    index = {doc_id: i for i, (doc_id, _, _) in enumerate(docs)}
    q = (select(Version.id, Version.document_id, Annotator.name, Version.status)
         .join(Annotator, Annotator.id == Version.annotator_id)
         .where(Version.document_id.in_(list(index))))
    if annotator_id is not None:
        q = q.where(Version.annotator_id == annotator_id)
    if status is not None:
        q = q.where(Version.status == status)
    versions = tuple((int(v), index[d], str(name), str(st)) for v, d, name, st in conn.execute(q.order_by(Version.id)))
    items: list[Any] = []
    if versions:
        sql = text(_ITEMS[conn.dialect.name] + _FROM).bindparams(bindparam("ids", expanding=True))
        items = _decoded(conn.execute(sql, {"ids": [v[0] for v in versions]}).scalar())
    return VersionRows(tuple(d[1] for d in docs), tuple(d[2] for d in docs), versions, items)
