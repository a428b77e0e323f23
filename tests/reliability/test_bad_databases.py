"""Databases we cannot use are refused with one clear line, never a traceback or damage."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import event, text
from typer.testing import Result

from annotator.db.engine import open_database
from annotator.records import ImportRecord
from annotator.db.repo import Repository
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
    def _tiny(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        # SQLite's own limit on the file size: writes past it fail with SQLITE_FULL,
        # exactly as on a full disk.
        pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages + 2}")

    big = [ImportRecord(f"b{i}", f"Text number {i}. " + "x" * 20_000, {}, "t") for i in range(20)]
    with pytest.raises(DatabaseError, match="import failed, nothing was stored: database or disk is full"):
        repo.import_records("x", big)
    repo.db.dispose()
    assert db_snapshot(url) == before


# -- every command, read-only and damaged files (issue 16, D10) ---------------------------------------

WRITING_COMMANDS = [
    ("annotate", "--dataset", "x", "--annotator", "alice"),
    ("preannotate", "--dataset", "x"),
    ("targets", "add", "NATO enlargement", "--dataset", "x"),
    ("speakers", "merge", "Lavrov", "Sergei Lavrov", "--dataset", "x"),
    ("import", str(SAMPLE_DIR), "--dataset", "y"),
]
READING_COMMANDS = [
    ("stats", "--dataset", "x"),
    ("export", "jsonl", "--dataset", "x", "--status", "all"),
    ("speakers", "--dataset", "x"),
]


def _sample_database(tmp_path: Path) -> tuple[Path, str]:
    db_file = tmp_path / "db" / "annotator.db"
    db_file.parent.mkdir()
    url = f"sqlite:///{db_file}"
    with Repository(open_database(url)) as repo:
        repo.import_records("x", [ImportRecord(f"d{i}", f"Mr Lavrov said text number {i}. " * 40, {}, "t")
                                  for i in range(40)])
        repo.open_version(repo.document_ids("x")[0], "bob")
    return db_file, url


class _ReadOnly:
    """The database file made read-only (immutable as root, which ignores file modes)."""

    def __init__(self, db_file: Path):
        self.db_file = db_file

    def __enter__(self) -> None:
        for leftover in self.db_file.parent.glob(f"{self.db_file.name}-*"):
            leftover.unlink()
        if os.geteuid() == 0:
            subprocess.run(["chattr", "+i", str(self.db_file)], check=True)
        else:
            os.chmod(self.db_file, 0o444)
            os.chmod(self.db_file.parent, 0o555)

    def __exit__(self, *_exc: object) -> None:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(self.db_file)], check=True)
        else:
            os.chmod(self.db_file.parent, 0o755)
            os.chmod(self.db_file, 0o644)


@pytest.fixture
def as_if_in_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """annotate refuses to start without a terminal; here it must get as far as opening the database."""
    monkeypatch.setattr("annotator.tui.run.terminal_problem", lambda *a, **k: None)


def _one_line_error(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.output
    return result.stderr


@pytest.mark.parametrize("command", WRITING_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_every_writing_command_on_a_read_only_database_is_one_line(cli, tmp_path: Path, command,
                                                                  as_if_in_a_terminal: None) -> None:
    db_file, url = _sample_database(tmp_path)
    before = db_snapshot(url)
    with _ReadOnly(db_file):
        result = cli(*command, "--db", url)
    message = _one_line_error(result)
    assert "readonly database" in message or "read-only" in message, message
    assert db_snapshot(url) == before


def _damage_table(db_file: Path, table: str) -> None:
    """Overwrite the b-tree page header of ``table``'s root page: opening still works, reading it does not."""
    import sqlite3

    with sqlite3.connect(db_file) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("select rootpage from sqlite_master where name = ?", (table,)).fetchone()[0]
    conn.close()
    with db_file.open("r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\x0d\xff\xff\xff\xff\xff\xff\xff")


@pytest.mark.parametrize("command", WRITING_COMMANDS + READING_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_every_command_refuses_a_damaged_database_in_one_line(cli, tmp_path: Path, command,
                                                             as_if_in_a_terminal: None) -> None:
    db_file, url = _sample_database(tmp_path)
    _damage_table(db_file, "documents")
    damaged = db_file.read_bytes()
    result = cli(*command, "--db", url)
    message = _one_line_error(result)
    assert f"{db_file}: database file is damaged" in message, message
    assert db_file.read_bytes() == damaged  # nothing was written into it


def test_an_import_into_a_file_failing_the_integrity_check_is_refused(cli, tmp_path: Path) -> None:
    db_file, url = _sample_database(tmp_path)
    _damage_table(db_file, "uq_documents_dataset_position")  # an index: reading documents still works
    damaged = db_file.read_bytes()
    result = cli("import", SAMPLE_DIR, "--dataset", "x", "--db", url)
    assert "database file is damaged" in _one_line_error(result)
    assert db_file.read_bytes() == damaged


# -- database URLs we cannot honour (issue 16, D21) ---------------------------------------------------

BAD_URLS = {
    "postgresql+psycopg2://u@localhost/db": "unsupported database driver 'postgresql+psycopg2'",
    "postgresql+asyncpg://u@localhost/db": "unsupported database driver 'postgresql+asyncpg'",
    "sqlite+pysqlcipher:///secret.db": "unsupported database driver 'sqlite+pysqlcipher'",
    "postgresql://u:hunter2@localhost:abc/db": "bad database URL: the port is not a number",
    "sqlite:///:memory:": "'sqlite:///:memory:' is an in-memory database, which keeps nothing: give a file",
    "sqlite://": "'sqlite://' is an in-memory database, which keeps nothing",
    "sqlite:///ro.db?mode=ro": "SQLite URL options are not supported ('sqlite:///ro.db?mode=ro')",
}


@pytest.mark.parametrize("url", sorted(BAD_URLS))
def test_database_urls_we_cannot_honour_are_refused_in_one_line(cli, tmp_path: Path, monkeypatch, url: str) -> None:
    monkeypatch.chdir(tmp_path)
    for command in (("import", str(SAMPLE_DIR), "--dataset", "x"), ("stats", "--dataset", "x")):
        result = cli(*command, "--db", url)
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith(f"Error: {BAD_URLS[url]}"), result.stderr
        assert result.stderr.count("\n") == 1 and "hunter2" not in result.stderr
    assert list(tmp_path.iterdir()) == []  # nothing created, nothing "imported" into memory
