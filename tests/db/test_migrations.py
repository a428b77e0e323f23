"""The schema comes from Alembic migrations, and they agree with the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from annotator.db.engine import head_revision, open_database
from annotator.db.models import Base


def test_empty_database_upgrades_to_head_and_matches_models(db_url: str) -> None:
    db = open_database(db_url)
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn)
        assert context.get_current_revision() == head_revision()
        assert compare_metadata(context, Base.metadata) == []
        assert {"datasets", "documents", "versions", "events", "suggestions", "model_runs", "annotators"} <= set(
            inspect(conn).get_table_names()
        )
    db.dispose()


def test_reopening_does_not_migrate_again(db_url: str) -> None:
    open_database(db_url).dispose()
    db = open_database(db_url)
    with db.engine.connect() as conn:
        assert conn.execute(text("select count(*) from alembic_version")).scalar() == 1
    db.dispose()


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(sqlite_url: str) -> None:
    db = open_database(sqlite_url)
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    db.dispose()
