"""Versions' items read in SQL a batch at a time, for statistics over a whole dataset (agreement) and exports.

``Repository.versions`` builds an ``Annotation`` per version and an object per item from each item's
stored JSON: 0.4 ms per version, most of a 50,000-document agreement. Here the database reads the few
fields the statistics use (``records.ITEM_FIELDS``) from ``version_items``' generated columns (computed from
the payload when it is written: no JSON is parsed per item here) and sends each column of a batch's items
as ONE JSON array (``json_group_array`` on SQLite, ``json_agg`` on PostgreSQL), decoded by orjson into a
list: no per-row round trip, no per-item tuple or dictionary. Exports read whole payloads the same way
(``batch_payloads``).
"""

from __future__ import annotations

import json
from operator import itemgetter
from typing import Any, Sequence

import orjson
from sqlalchemy import Connection, text

from annotator.db.models import packed_word_bounds
from annotator.records import ITEM_COLUMNS, VersionRows

#: The ``version_items`` columns of ``records.ITEM_COLUMNS``, in order.
_COLUMNS = ("version_id", "layer", "position", "status", "span_start", "span_end", "kind", "cue_start", "cue_end",
            "speaker_start", "speaker_end", "speaker_name", "stance_label", "stance_target", "checkworthy")
assert len(_COLUMNS) == len(ITEM_COLUMNS)

_FROM = " FROM version_items i WHERE i.version_id {ids}"
#: A list of ids as ONE parameter (``_ids``): an expanding ``IN :ids`` of 1,500 ids made SQLAlchemy render
#: 1,500 placeholders on every batch (a quarter of agreement's reading time at 50,000 documents).
_IN_IDS = {"sqlite": "IN (SELECT value FROM json_each(:ids))", "postgresql": "= ANY(CAST(:ids AS BIGINT[]))"}
_AGGREGATE = {"sqlite": "json_group_array(i.{})", "postgresql": "json_agg(i.{})::text"}
_ITEMS = {dialect: "SELECT " + ", ".join(agg.format(c) for c in _COLUMNS) + _FROM.format(ids=_IN_IDS[dialect])
          for dialect, agg in _AGGREGATE.items()}
_VERSIONS = ("SELECT v.id, v.document_id, a.name, v.status FROM versions v JOIN annotators a ON a.id = v.annotator_id"
             " WHERE ")
#: Whole item payloads, for exports.
_PAYLOADS = {
    # the stored JSON texts joined as they are (json_array(..., json(payload)) parsed and re-wrote each one)
    "sqlite": "SELECT '[' || group_concat('[' || i.version_id || ',\"' || i.layer || '\",' || i.position || ','"
              " || i.payload || ']', ',') || ']'",
    "postgresql": "SELECT '[' || string_agg(json_build_array(i.version_id, i.layer, i.position, i.payload)::text, ',')"
                  " || ']'",
}


def _ids(conn: Connection, ids: Sequence[int]) -> Any:
    """The value of the ``:ids`` parameter of ``_IN_IDS``: a JSON array (SQLite), an array (PostgreSQL)."""
    return json.dumps([int(i) for i in ids]) if conn.dialect.name == "sqlite" else [int(i) for i in ids]


def _decoded(data: str | None) -> list[Any]:
    if not data:  # PostgreSQL's json_agg over no rows is NULL
        return []
    try:
        values: list[Any] = orjson.loads(data)
    except orjson.JSONDecodeError:  # integers beyond 64 bits, lone surrogates: the stdlib reader takes them
        values = json.loads(data)
    return values


def batch_payloads(conn: Connection, version_ids: Sequence[int]) -> dict[int, dict[str, list[Any]]]:
    """The stored item payloads of these versions per layer, in each layer's order: ONE JSON text for the
    batch, read by orjson (a row and a JSON decode per item through SQLAlchemy were a fifth of a jsonl export).
    Items hold no integers orjson would read inexactly (offsets within the text; scores are floats; the schema
    allows nothing else), and what it refuses (lone surrogates, NaN) the stdlib reads (``_decoded``)."""
    out: dict[int, dict[str, list[Any]]] = {v: {"quotes": [], "claims": []} for v in version_ids}
    if not out:
        return out
    data = conn.execute(text(_PAYLOADS[conn.dialect.name] + _FROM.format(ids=_IN_IDS[conn.dialect.name])),
                        {"ids": _ids(conn, list(out))}).scalar()
    rows = _decoded(data)
    rows.sort(key=itemgetter(0, 1, 2))  # the aggregate's order is the database's choice
    for version_id, layer, _, payload in rows:
        out[version_id].setdefault(layer, []).append(payload)
    return out


def batch_rows(conn: Connection, docs: Sequence[tuple[int, str, bytes | None, str | None]], annotator_id: int | None,
               status: str | None) -> VersionRows:
    """The versions (of ``status``, of one annotator when given) of ``docs`` (id, external id, stored word
    bounds, and the text where none are stored) with their items."""
    index = {doc_id: i for i, (doc_id, _, _, _) in enumerate(docs)}
    dialect = conn.dialect.name
    where = [f"v.document_id {_IN_IDS[dialect]}"]
    params: dict[str, Any] = {"ids": _ids(conn, list(index))}
    if annotator_id is not None:
        where.append("v.annotator_id = :annotator_id")
        params["annotator_id"] = annotator_id
    if status is not None:
        where.append("v.status = :status")
        params["status"] = status
    rows = conn.execute(text(_VERSIONS + " AND ".join(where) + " ORDER BY v.id"), params).all()
    versions = tuple((int(v), index[d], str(name), str(st)) for v, d, name, st in rows)
    items: tuple[list[Any], ...] = tuple([] for _ in _COLUMNS)
    if versions:
        row = conn.execute(text(_ITEMS[dialect]), {"ids": _ids(conn, [v[0] for v in versions])}).one()
        items = tuple(_decoded(column) for column in row)
    return VersionRows(tuple(d[1] for d in docs), _word_bounds(conn, docs), versions, items)


def _word_bounds(conn: Connection, docs: Sequence[tuple[int, str, bytes | None, str | None]]) -> tuple[bytes, ...]:
    """The documents' packed word bounds: as stored, or packed from the text for a row written without them
    (its text came with it) or with a value that is no packed form (hand-written, truncated: derived data
    is not trusted over the text, which is read for those rows only)."""
    from annotator.word_bounds import is_packed  # numpy: agreement's dependency, not every reader's

    damaged = [doc_id for doc_id, _, stored, _ in docs if stored is not None and not is_packed(stored)]
    texts: dict[int, str] = {}
    if damaged:
        query = text(f"SELECT id, text FROM documents WHERE id {_IN_IDS[conn.dialect.name]}")
        texts = {int(i): t for i, t in conn.execute(query, {"ids": _ids(conn, damaged)})}
    return tuple(bytes(stored) if stored is not None and doc_id not in texts
                 else packed_word_bounds(texts.get(doc_id, text_) or "") for doc_id, _, stored, text_ in docs)
