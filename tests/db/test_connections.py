"""A PostgreSQL connection lost while it waited in the pool (server restart, idle timeout) is noticed and
replaced before use; one used moments ago is not checked (no round trip per transaction): a decision that
finds it dead runs once more on a new one."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Connection, create_engine
from sqlalchemy.pool import NullPool

from annotator.db import engine as engine_module
from annotator.db.engine import open_database
from annotator.db.repo import Repository
from annotator.errors import SaveError
from annotator.records import ImportRecord
from tests.pg import PostgresServer


def _drop_connections(url: str) -> None:
    """What a server restart does to the connections in the pool."""
    admin = create_engine(url, poolclass=NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    admin.dispose()


@pytest.mark.postgres
def test_an_idle_connection_lost_in_the_pool_is_replaced_before_use(
        pg_server: PostgresServer, monkeypatch: pytest.MonkeyPatch) -> None:
    url = pg_server.create_database()
    repo = Repository(open_database(url))
    repo.import_records("d", [ImportRecord("a", "Some text.", {}, "t")])
    state = repo.open_version(repo.document_id("d", "a"), "ann")
    _drop_connections(url)
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 0.0)  # every pooled connection is "idle"
    assert repo.set_status(state.version_id, "done").status == "done"
    assert [d.name for d in repo.list_datasets()] == ["d"]
    repo.close()


@pytest.mark.postgres
def test_a_decision_on_a_connection_lost_moments_ago_is_stored_on_a_new_one(pg_server: PostgresServer) -> None:
    """The other side of the trade: a connection used moments ago is not checked, so the first transaction
    on it finds it dead at its first statement. Nothing reached the server, so the decision runs once more
    on the connection the pool puts in its place: it is stored, once, and the user sees nothing fail."""
    url = pg_server.create_database()
    repo = Repository(open_database(url))
    repo.import_records("d", [ImportRecord("a", "Some text.", {}, "t")])
    state = repo.open_version(repo.document_id("d", "a"), "ann")
    _drop_connections(url)
    assert repo.set_status(state.version_id, "done").status == "done"
    repo.close()
    again = Repository(open_database(url))
    assert again.get_version(state.version_id).status == "done"
    assert [e["action"] for e in again.events(state.version_id)] == ["open", "status"]  # stored once
    again.close()


@pytest.mark.postgres
def test_a_decision_whose_new_connection_is_lost_too_is_not_saved_and_says_so(
        pg_server: PostgresServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once more, not forever: when the second connection dies as well, the decision is refused with the
    database's reason and nothing is stored."""
    url = pg_server.create_database()
    repo = Repository(open_database(url))
    repo.import_records("d", [ImportRecord("a", "Some text.", {}, "t")])
    state = repo.open_version(repo.document_id("d", "a"), "ann")
    first = Repository._first

    def lost_first(conn: Connection, statement: Any, params: Any) -> Any:
        _drop_connections(url)  # this transaction's connection dies before its first statement
        return first(conn, statement, params)

    monkeypatch.setattr(Repository, "_first", staticmethod(lost_first))
    with pytest.raises(SaveError, match="status not saved"):
        repo.set_status(state.version_id, "done")
    monkeypatch.undo()
    assert repo.get_version(state.version_id).status == state.status
    assert repo.set_status(state.version_id, "done").status == "done"
    repo.close()
