"""A SQLite file is quick-checked on opening unless it passed a check and has not changed since: the check
reads the whole file (seconds on a large database), and a file nothing wrote to cannot have been damaged by a
write. Any change (ours, another tool's, damage) means a check on the next opening."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import Connection

from annotator.db import check_stamps, engine
from annotator.db.engine import open_database
from annotator.errors import DatabaseError


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """The quick checks run (their ``where``), with stamps in a fresh cache folder."""
    monkeypatch.setenv(check_stamps.CACHE_ENV_VAR, str(tmp_path / "cache"))
    runs: list[str] = []
    real = engine._quick_check

    def counted(conn: Connection, where: str) -> None:
        runs.append(where)
        real(conn, where)

    monkeypatch.setattr(engine, "_quick_check", counted)
    return runs


def _settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stamps kept at once (not after SETTLED_SECONDS unchanged); each change made after the coarse file
    clock has moved on (``_later``), which is what the settling time ensures outside tests."""
    monkeypatch.setattr(check_stamps, "SETTLED_SECONDS", 0.0)


def _later() -> None:
    time.sleep(0.05)  # file times move in ticks of a few ms


def _open(db_file: Path) -> None:
    open_database(f"sqlite:///{db_file}").dispose()


def test_a_new_file_is_checked_until_it_has_settled(checks: list[str], tmp_path: Path) -> None:
    db_file = tmp_path / "a.db"
    _open(db_file)
    _open(db_file)
    assert len(checks) == 2  # just written: its stamp is not kept


def test_an_unchanged_file_is_checked_once_and_a_changed_one_again(checks: list[str], tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _settled(monkeypatch)
    db_file = tmp_path / "a.db"
    _open(db_file)  # made: checked empty, then the schema written
    checks.clear()
    _open(db_file)
    _open(db_file)
    _open(db_file)
    assert len(checks) == 1
    _later()
    with sqlite3.connect(db_file) as conn:
        conn.execute("CREATE TABLE written_by_another_tool (x)")
    conn.close()
    _open(db_file)
    assert len(checks) == 2


def test_a_file_damaged_after_its_check_is_refused(checks: list[str], tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    _settled(monkeypatch)
    db_file = tmp_path / "a.db"
    _open(db_file)
    _open(db_file)
    _open(db_file)
    assert len(checks) == 2
    _later()
    with sqlite3.connect(db_file) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'documents'").fetchone()[0]
    conn.close()
    with db_file.open("r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\x0d\xff\xff\xff\xff\xff\xff\xff")
    with pytest.raises(DatabaseError, match="database file is damaged"):
        _open(db_file)


def test_without_a_usable_cache_folder_every_opening_checks(checks: list[str], tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "not-a-folder").write_text("")
    monkeypatch.setenv(check_stamps.CACHE_ENV_VAR, str(tmp_path / "not-a-folder"))
    _settled(monkeypatch)
    db_file = tmp_path / "a.db"
    _open(db_file)
    _open(db_file)
    _open(db_file)
    assert len(checks) == 3
