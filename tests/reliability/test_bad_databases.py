"""Databases we cannot use are refused with one clear line, never a traceback or damage."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import event, text

from annotator.db.engine import open_database
from annotator.db.repo import ImportRecord, Repository
from annotator.errors import DatabaseError
from tests.conftest import SAMPLE_DIR
from tests.helpers import db_snapshot


def test_a_file_that_is_not_a_database(cli, tmp_path: Path) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_text("these are my notes, not a database\n" * 100)
    result = cli("stats", "--dataset", "x", "--db", f"sqlite:///{bogus}")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {bogus}: cannot use database: file is not a database\n"
    assert bogus.read_text().startswith("these are my notes")


def test_a_database_of_another_application(cli, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    import sqlite3

    with sqlite3.connect(other) as conn:
        conn.execute("create table invoices (id integer)")
    result = cli("import", SAMPLE_DIR, "--dataset", "x", "--db", f"sqlite:///{other}")
    assert result.exit_code == 1
    assert "not an annotator database" in result.stderr


def test_a_database_from_a_newer_annotator_is_refused(cli, db_url: str) -> None:
    db = open_database(db_url)
    with db.engine.begin() as conn:
        conn.execute(text("update alembic_version set version_num = '9999_future'"))
    db.dispose()
    result = cli("import", SAMPLE_DIR, "--dataset", "x", "--db", db_url)
    assert result.exit_code == 1
    assert "database schema 9999_future is newer than this annotator" in result.stderr
    from sqlalchemy import create_engine

    engine = create_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(text("select version_num from alembic_version")).scalar() == "9999_future"
        assert conn.execute(text("select count(*) from documents")).scalar() == 0
    engine.dispose()


def test_a_read_only_database_file(cli, tmp_path: Path) -> None:
    db_file = tmp_path / "ro.db"
    url = f"sqlite:///{db_file}"
    repo = Repository(open_database(url))
    repo.import_records("x", [ImportRecord("a", "Some text.", {}, "t")])
    repo.db.dispose()
    before = db_snapshot(url)
    for leftover in tmp_path.glob("ro.db-*"):
        leftover.unlink()
    # Root ignores file modes, so as root the file is made immutable instead (what a read-only mount does).
    lock = ["chattr", "+i", str(db_file)] if os.geteuid() == 0 else None
    if lock:
        subprocess.run(lock, check=True)
    else:
        os.chmod(db_file, 0o444)
        os.chmod(tmp_path, 0o555)
    try:
        result = cli("import", SAMPLE_DIR, "--dataset", "x", "--db", url)
    finally:
        if lock:
            subprocess.run(["chattr", "-i", str(db_file)], check=True)
        else:
            os.chmod(tmp_path, 0o755)
            os.chmod(db_file, 0o644)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert "readonly database" in result.stderr or "read-only" in result.stderr, result.stderr
    assert db_snapshot(url) == before


def test_a_full_disk_during_import_stores_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'full.db'}"
    repo = Repository(open_database(url))
    repo.import_records("x", [ImportRecord("a", "First text.", {}, "t")])
    before = db_snapshot(url)
    repo.db.engine.dispose()

    @event.listens_for(repo.db.engine, "connect")
    def _tiny(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        # SQLite's own limit on the file size: writes past it fail with SQLITE_FULL,
        # exactly as on a full disk.
        pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages + 2}")

    big = [ImportRecord(f"b{i}", f"Text number {i}. " + "x" * 20_000, {}, "t") for i in range(20)]
    with pytest.raises(DatabaseError, match="import failed, nothing was stored: database or disk is full"):
        repo.import_records("x", big)
    repo.db.dispose()
    assert db_snapshot(url) == before
