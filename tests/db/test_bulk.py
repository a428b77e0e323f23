"""Bulk writes as driver SQL (``annotator.db.bulk``: imports, ``enter``) store exactly what SQLAlchemy's own
statements store for the same values: JSON text (integers beyond 64 bits, lone surrogates, JSON null),
times, booleans, NULLs; rows keep the order given; an update given a row twice leaves the last values."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Connection, insert, select, text, update

from annotator.db.bulk import bulk_insert, bulk_update
from annotator.db.models import Event, VersionItem
from annotator.db.repo import _core
from annotator.scheme import Annotation
from tests.tui.helpers import DATASET, build_repo

TRICKY: list[Any] = [{"big": 2**70, "lone": "\ud800", "text": "é — ✓ \"q\" \\", "none": None, "list": [1.5, True]},
                     None, {}, {"id": "q1", "start": 0, "end": 4}]
#: Item payloads: no lone surrogate (PostgreSQL reads the payload for the generated columns and refuses one).
ITEMS: list[Any] = [{**TRICKY[0], "lone": "a surrogate pair: \ud83d\ude00"}, None, {}, TRICKY[3]]
WHEN = datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=timezone.utc)
EVENT_COLUMNS = ("version_id", "action", "item_id", "before", "after", "ref_event_id", "undoable", "created_at")


def as_text(conn: Connection, table: str, columns: str, where: str) -> list[tuple[Any, ...]]:
    """The stored values as the database holds them (JSON as its text)."""
    return [tuple(r) for r in conn.execute(text(f"SELECT {columns} FROM {table} WHERE {where} ORDER BY id"))]


def test_bulk_inserted_events_are_stored_as_sqlalchemy_stores_them(db_url: str) -> None:
    repo = build_repo(db_url, [Annotation("d1", "Some text.", "model", "done", {}, (), ())])
    version_id = repo.open_version(repo.document_id(DATASET, "d1"), "ann").version_id
    rows = [{"version_id": version_id, "action": f"a{i}", "item_id": None if i % 2 else f"quotes:q{i}",
             "before": before, "after": TRICKY[(i + 1) % len(TRICKY)], "ref_event_id": None if i % 2 else i,
             "undoable": bool(i % 2), "created_at": WHEN} for i, before in enumerate(TRICKY)]
    table = _core(Event)
    with repo.db.engine.begin() as conn:
        conn.execute(insert(table), [{**r, "action": "orm:" + r["action"]} for r in rows])
        logged = bulk_insert(conn.dialect, table, EVENT_COLUMNS)
        logged.run(conn, [{c: logged.value(c, r[c]) for c in EVENT_COLUMNS} for r in rows])
        columns = "action, item_id, CAST(before AS TEXT), CAST(after AS TEXT), ref_event_id, undoable, created_at"
        ours = as_text(conn, "events", columns, "action NOT LIKE 'orm:%' AND action != 'open'")
        theirs = as_text(conn, "events", columns, "action LIKE 'orm:%'")
    assert [r[0] for r in ours] == [r["action"] for r in rows]  # in the order given
    assert ours == [(r[0].removeprefix("orm:"), *r[1:]) for r in theirs]
    stored = [e for e in repo.events(version_id) if not e["action"].startswith(("orm:", "open"))]
    assert [(e["before"], e["after"], e["created_at"].replace(tzinfo=None)) for e in stored] == [
        (r["before"], r["after"], WHEN.replace(tzinfo=None)) for r in rows]  # read back as written
    repo.close()


def test_a_bulk_update_sets_what_one_update_after_another_sets(db_url: str) -> None:
    repo = build_repo(db_url, [Annotation("d1", "Some text.", "model", "done", {}, (), ())])
    version_id = repo.open_version(repo.document_id(DATASET, "d1"), "ann").version_id
    table = _core(VersionItem)
    with repo.db.engine.begin() as conn:
        conn.execute(insert(table), [{"version_id": version_id, "layer": layer, "item_id": f"x{i}", "position": i << 32,
                                      "payload": {}} for layer in ("quotes", "claims") for i in range(4)])
        changes = [{"layer": "quotes", "position": 1 << 32, "item_id": "first", "payload": ITEMS[0]},
                   {"layer": "claims", "position": 2 << 32, "item_id": "c2", "payload": None},
                   {"layer": "quotes", "position": 1 << 32, "item_id": "q1", "payload": ITEMS[3]},  # again: this wins
                   {"layer": "quotes", "position": 3 << 32, "item_id": "q3", "payload": ITEMS[0]}]
        bulk_update(conn.dialect, table, "version_id", ("layer", "position"), ("item_id", "payload")).run(
            conn, version_id, changes)
        ours = as_text(conn, "version_items", "layer, position, item_id, CAST(payload AS TEXT)", "true")
        for change in changes:
            conn.execute(update(table).where(table.c.version_id == version_id, table.c.layer == change["layer"],
                                             table.c.position == change["position"])
                         .values(item_id=change["item_id"], payload=change["payload"]))
        theirs = as_text(conn, "version_items", "layer, position, item_id, CAST(payload AS TEXT)", "true")
        assert conn.scalar(select(table.c.item_id).where(table.c.position == 1 << 32, table.c.layer == "quotes")) == "q1"
    assert ours == theirs and [r[2] for r in ours] == ["x0", "q1", "x2", "q3", "x0", "x1", "c2", "x3"]
    repo.close()
