"""A PostgreSQL connection lost while it waited in the pool (server restart, idle timeout) is noticed and
replaced before use; one used moments ago is not checked (no round trip per transaction)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine
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
def test_a_connection_used_moments_ago_is_not_checked(pg_server: PostgresServer) -> None:
    """The other side of the trade: without the check, the first transaction on a lost connection fails,
    stores nothing and says so; the pool then replaces the connection."""
    url = pg_server.create_database()
    repo = Repository(open_database(url))
    repo.import_records("d", [ImportRecord("a", "Some text.", {}, "t")])
    state = repo.open_version(repo.document_id("d", "a"), "ann")
    _drop_connections(url)
    with pytest.raises(SaveError, match="not saved"):
        repo.set_status(state.version_id, "done")
    assert repo.set_status(state.version_id, "done").status == "done"
    repo.close()
