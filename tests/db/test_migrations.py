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


def test_an_old_database_upgrades_in_place_keeping_its_data(tmp_path) -> None:
    from alembic import command

    from annotator.db.engine import alembic_config
    from annotator.records import ImportRecord
    from annotator.db.repo import Repository

    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0001")
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("insert into datasets (name, stance_targets, created_at) values ('old', '[]', '2021-12-02')"))
        assert "speaker_aliases" not in inspect(conn).get_table_names()
    engine.dispose()
    repo = Repository(open_database(url))
    assert [d.name for d in repo.list_datasets()] == ["old"]
    repo.import_records("old", [ImportRecord("a", "Text.", {}, "t")])
    repo.set_speaker_correction("old", "Mr X", "Xavier X")
    assert repo.speaker_corrections("old") == {"Mr X": "Xavier X"}
