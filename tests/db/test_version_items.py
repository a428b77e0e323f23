"""A version's items are stored one row each: a decision reads and writes one item whatever the document's
size, and the rows always give back the version as its decisions left it (order included)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import event

from annotator.db.engine import open_database
from annotator.db.repo import POSITION_STEP, Repository
from annotator.errors import SaveError
from annotator.records import DocumentVersion
from annotator.scheme import Annotation, Quote, item_to_payload
from tests.tui.helpers import DATASET, build_repo

TEXT = "word " * 400


def quote(item_id: str, start: int, end: int, status: str = "suggested") -> Quote:
    return Quote(item_id, start, end, TEXT[start:end], "indirect", status=status)


def stored(url: str, version_id: int) -> DocumentVersion:
    """The version as a fresh process reads it (nothing remembered)."""
    with Repository(open_database(url)) as other:
        return other.get_version(version_id)


def test_a_decision_on_a_long_document_writes_one_item_and_its_event(db_url: str) -> None:
    quotes = tuple(quote(f"q{i}", 5 * i, 5 * i + 4) for i in range(300))
    repo = build_repo(db_url, [Annotation("d1", TEXT, "model", "done", {}, quotes, ())])
    state = repo.open_version(repo.document_id(DATASET, "d1"), "ann")
    sent: list[tuple[str, Any]] = []
    event.listen(repo.db.engine, "before_cursor_execute",
                 lambda _c, _cur, statement, parameters, _ctx, _many: sent.append((statement, parameters)))
    new = repo.save_item(state.version_id, "quotes", "q150", item_to_payload(quote("q150", 750, 754, "accepted")),
                         "accept")
    item_writes = [(sql, params) for sql, params in sent if "version_items" in sql]
    assert len(item_writes) == 1 and "UPDATE version_items" in item_writes[0][0]
    # one item (on PostgreSQL in the statement that also logs its event), not the version's 300
    assert len(str(item_writes[0][1])) < (1000 if "postgresql" in db_url else 500)
    assert sum(len(str(params)) for _sql, params in sent) < 2000
    assert new.quotes[150].status == "accepted" and stored(db_url, state.version_id).quotes == new.quotes
    repo.close()


def test_a_decision_is_one_statement_on_postgresql_and_three_on_sqlite(db_url: str) -> None:
    """Fewer round trips: the version's row is locked by the update of its revision (no locking read
    first), then the item's row and the event; a status change adds one. On PostgreSQL the three are one
    statement (``WITH``: the items and the event are written only if the revision was the one the
    repository decided on)."""
    quotes = tuple(quote(f"q{i}", 5 * i, 5 * i + 4) for i in range(10))
    repo = build_repo(db_url, [Annotation("d1", TEXT, "model", "done", {}, quotes, ())])
    version_id = repo.open_version(repo.document_id(DATASET, "d1"), "ann").version_id
    repo.save_item(version_id, "quotes", "q1", item_to_payload(quote("q1", 5, 9, "accepted")), "accept")
    sent: list[str] = []
    event.listen(repo.db.engine, "before_cursor_execute",
                 lambda _c, _cur, statement, _params, _ctx, _many: sent.append(statement.split()[0].upper()))
    before = stored(db_url, version_id)
    new = repo.save_item(version_id, "quotes", "q2", item_to_payload(quote("q2", 10, 14, "rejected")), "reject")
    postgres = "postgresql" in db_url
    assert [s for s in sent if s != "BEGIN"] == (["WITH"] if postgres else ["UPDATE", "UPDATE", "INSERT"])
    assert new.revision == before.revision + 1 and new == stored(db_url, version_id)
    sent.clear()
    done = repo.set_status(version_id, "done")
    # revision, status, its event
    assert [s for s in sent if s != "BEGIN"] == (["WITH"] if postgres else ["UPDATE", "UPDATE", "INSERT"])
    assert done.status == "done" and done == stored(db_url, version_id)
    repo.close()


def test_undo_with_nothing_to_undo_changes_nothing(db_url: str) -> None:
    repo = build_repo(db_url, [Annotation("d1", TEXT, "model", "done", {}, (quote("q1", 0, 4),), ())])
    version_id = repo.open_version(repo.document_id(DATASET, "d1"), "ann").version_id
    before = next(repo.export_versions(DATASET, status=None))
    assert repo.undo(version_id) == stored(db_url, version_id) and repo.redo(version_id).revision == 0
    after = next(repo.export_versions(DATASET, status=None))
    assert after.updated_at == before.updated_at and stored(db_url, version_id).revision == 0
    repo.close()


def test_the_rows_give_back_the_version_after_adds_removals_undo_and_redo(db_url: str) -> None:
    # the suggestions are not in offset order: the version keeps their order, added items go by offset
    quotes = (quote("q1", 100, 104), quote("q2", 0, 4), quote("q3", 200, 204))
    repo = build_repo(db_url, [Annotation("d1", TEXT, "model", "done", {}, quotes, ())])
    version_id = repo.open_version(repo.document_id(DATASET, "d1"), "ann").version_id

    def save(item_id: str, item: Quote | None) -> DocumentVersion:
        new = repo.save_item(version_id, "quotes", item_id, None if item is None else item_to_payload(item), "edit")
        assert stored(db_url, version_id) == new
        return new

    # an item added into an unsorted layer sorts the layer (as a stable sort by offsets always did)
    state = save("n0", quote("n0", 150, 154))
    assert [q.id for q in state.quotes] == ["q2", "q1", "n0", "q3"]
    # more added at one place than the gap between two positions holds: the layer is renumbered
    for i in range(1, 40):
        state = save(f"n{i}", quote(f"n{i}", 150, 154))
    assert [q.id for q in state.quotes] == ["q2", "q1"] + [f"n{i}" for i in range(40)] + ["q3"]
    assert 40 > POSITION_STEP.bit_length() - 1
    state = save("n5", None)
    state = save("q9", quote("q9", 300, 304))
    assert "n5" not in [q.id for q in state.quotes] and state.quotes[-1].id == "q9"
    for step in (repo.undo, repo.undo, repo.redo, repo.undo, repo.undo):
        state = step(version_id)
        assert stored(db_url, version_id) == state
    # n5 back in (its removal undone) after the items with its offsets, as a stable sort puts it; n39 undone
    assert [q.id for q in state.quotes][-3:] == ["n38", "n5", "q3"]
    exported = next(repo.export_versions(DATASET, status=None)).annotation
    assert exported.quotes == state.quotes
    repo.close()


def test_enter_writes_its_items_in_one_statement_and_its_events_in_one(db_url: str) -> None:
    """``enter`` on a 300-item article: the items' updates go as one statement and their 300 events as one
    (SQLite: one executemany each; PostgreSQL: ``unnest`` of one array per column, both parts of the one
    statement that bumps the revision), still one logged decision per item, each undone on its own, most
    recent first."""
    quotes = tuple(quote(f"q{i}", 5 * i, 5 * i + 4) for i in range(300))
    repo = build_repo(db_url, [Annotation("d1", TEXT, "model", "done", {}, quotes, ())])
    version_id = repo.open_version(repo.document_id(DATASET, "d1"), "ann").version_id
    sent: list[str] = []
    event.listen(repo.db.engine, "before_cursor_execute",
                 lambda _c, _cur, statement, _params, _ctx, _many: sent.append(" ".join(statement.split()[:3]).upper()))
    accept = [("quotes", f"q{i}", lambda _v, old: replace(old, status="accepted")) for i in range(300)]
    done = repo.update_items(version_id, accept, "done", status="done")
    assert [s for s in sent if not s.startswith("BEGIN")] == (
        ["WITH BUMP AS"] if "postgresql" in db_url  # all of it in one statement
        else ["UPDATE VERSIONS SET", "UPDATE VERSIONS SET", "UPDATE VERSION_ITEMS SET", "INSERT INTO EVENTS"])
    assert done == stored(db_url, version_id) and {q.status for q in done.quotes} == {"accepted"}
    logged = repo.events(version_id)
    assert [e["action"] for e in logged] == ["open"] + ["done"] * 300 + ["status"]
    assert [e["item_id"] for e in logged[1:301]] == [f"quotes:q{i}" for i in range(300)]
    assert logged[150]["before"] == item_to_payload(quotes[149]) and logged[150]["after"]["status"] == "accepted"
    for i in (299, 298):
        state = repo.undo(version_id)
        assert state.quotes[i].status == "suggested" and state.quotes[i - 1].status == "accepted"
        assert state == stored(db_url, version_id)
    repo.close()


def refuse_event(url: str, item_id: str) -> None:
    """Make the database refuse to log the event of ``item_id`` (a trigger), as a full disk or a lost
    connection would in the middle of a transaction."""
    with Repository(open_database(url)) as repo, repo.db.engine.begin() as conn:
        if "postgresql" in url:
            conn.exec_driver_sql(
                "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql")
            conn.exec_driver_sql(f"CREATE TRIGGER refuse BEFORE INSERT ON events FOR EACH ROW "
                                 f"WHEN (NEW.item_id = '{item_id}') EXECUTE FUNCTION refuse()")
        else:
            conn.exec_driver_sql(f"CREATE TRIGGER refuse BEFORE INSERT ON events WHEN NEW.item_id = '{item_id}' "
                                 "BEGIN SELECT RAISE(ABORT, 'refused'); END")


def test_enter_is_all_or_nothing_when_the_database_refuses_one_event(db_url: str) -> None:
    quotes = tuple(quote(f"q{i}", 5 * i, 5 * i + 4) for i in range(20))
    repo = build_repo(db_url, [Annotation("d1", TEXT, "model", "done", {}, quotes, ())])
    version_id = repo.open_version(repo.document_id(DATASET, "d1"), "ann").version_id
    before = stored(db_url, version_id)
    refuse_event(db_url, "quotes:q12")
    accept = [("quotes", f"q{i}", lambda _v, old: replace(old, status="accepted")) for i in range(20)]
    with pytest.raises(SaveError, match="refused"):
        repo.update_items(version_id, accept, "done", status="done")
    assert stored(db_url, version_id) == before and [e["action"] for e in repo.events(version_id)] == ["open"]
    assert repo.get_version(version_id) == before  # what the repository remembers is what is stored
    repo.close()


def test_a_decision_after_another_process_changed_the_version_applies_to_the_stored_one(db_url: str) -> None:
    """This repository remembers the version it last wrote; another process changes it since. The next
    decision here must not be made on the remembered one: (PostgreSQL) the one statement finds the
    revision moved on and writes nothing, then the decision is made on the stored version under its lock."""
    quotes = tuple(quote(f"q{i}", 5 * i, 5 * i + 4) for i in range(5))
    repo = build_repo(db_url, [Annotation("d1", TEXT, "model", "done", {}, quotes, ())])
    version_id = repo.open_version(repo.document_id(DATASET, "d1"), "ann").version_id
    repo.save_item(version_id, "quotes", "q0", item_to_payload(quote("q0", 0, 4, "accepted")), "accept")
    with Repository(open_database(db_url)) as other:  # another process rejects q1 and q2
        other.update_items(version_id, [("quotes", q, lambda _v, old: replace(old, status="rejected"))
                                        for q in ("q1", "q2")], "reject")
    # here: q2 edited on what is stored (rejected), not on what this repository remembers (suggested)
    new = repo.update_item(version_id, "quotes", "q2", lambda _v, old: replace(old, text=old.status), "edit")
    assert [q.status for q in new.quotes] == ["accepted", "rejected", "rejected", "suggested", "suggested"]
    assert new.quotes[2].text == "rejected" and new.revision == 3 and new == stored(db_url, version_id)
    assert [(e["action"], e["item_id"]) for e in repo.events(version_id)] == [
        ("open", None), ("accept", "quotes:q0"), ("reject", "quotes:q1"), ("reject", "quotes:q2"),
        ("edit", "quotes:q2")]
    assert repo.events(version_id)[-1]["before"]["status"] == "rejected"
    repo.close()
