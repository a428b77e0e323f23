"""A new SQLite file appears only complete: built under a hidden name, linked into place on success.

Why: deleting the file of a failed first import is never safe, because another process may have
opened the same path meanwhile and committed into it (its data would be deleted, or written into
an unlinked file and lost while it reports success). So the first import builds the database in
a hidden file next to the target that no other process knows, and publishes it with ``link``,
which fails instead of overwriting when the target appeared in the meantime; then the work runs
again on the file that is there. A failure only ever removes our own hidden file.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from pathlib import Path
from typing import Callable, TypeVar

from annotator.config import new_sqlite_file
from annotator.db.engine import make_engine, open_database
from annotator.db.repo import Repository
from annotator.errors import DatabaseError

T = TypeVar("T")
_SIDE_FILES = ("-wal", "-shm", "-journal")


def _remove(path: Path) -> None:
    for suffix in ("", *_SIDE_FILES):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _seal(built: Path) -> None:
    """Move everything from the WAL into the main file, so the main file alone is the database."""
    conn = sqlite3.connect(built, isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode = DELETE")
    finally:
        conn.close()


def _publish(built: Path, target: Path) -> bool:
    """Give ``built`` the name ``target`` unless that exists; False if another process was first."""
    try:
        os.link(built, target)
    except FileExistsError:
        return False
    except OSError:
        # File systems without hard links: a rename that checks first (a tiny window, no deletion).
        if target.exists():
            return False
        os.rename(built, target)
        return True
    built.unlink()
    return True


def run_on_database(url: str, work: Callable[[Repository], T],
                    on_upgrade: Callable[[str, str], None] | None = None) -> T:
    """Run ``work`` (one all-or-nothing unit, e.g. an import) on the database at ``url``.

    When ``url`` names a SQLite file that does not exist yet (``config.new_sqlite_file``), the database is
    built in a hidden sibling file (with its -wal/-shm files) and appears under its name only if ``work``
    succeeds. If another process created the file meanwhile, ``work`` runs again on that file.
    ``on_upgrade``: see ``open_database``.
    """
    new_file = new_sqlite_file(url)
    if new_file is not None:
        make_engine(url).dispose()  # the target's folder checked, named as given (no connection is made)
        built = new_file.parent / f".{new_file.name}.{uuid.uuid4().hex[:12]}.new"
        try:
            try:
                repo = Repository(open_database(f"sqlite:///{built}"))
            except DatabaseError as exc:  # say the name the user gave, not the hidden one
                raise DatabaseError(str(exc).replace(str(built), str(new_file))) from exc
            try:
                result = work(repo)
            finally:
                repo.close()
            _seal(built)
            if any(Path(f"{built}{s}").exists() for s in ("-wal", "-journal")):
                raise DatabaseError(f"{built}: could not finish the new database file")
            if _publish(built, new_file):
                return result
        finally:
            _remove(built)
    with Repository(open_database(url, on_upgrade=on_upgrade)) as repo:
        return work(repo)
