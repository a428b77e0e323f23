"""Database URL -> engine and session factory, SQLite pragmas, schema upgrade on open.

Opening a database brings its schema to the newest Alembic revision (an old file
upgrades in place, a new one is made from the models); a database written by a newer version of
annotator, a file that is not a database, or one we cannot write are reported as ``DatabaseError``.
"""

from __future__ import annotations

import ast
import json
import re
import sqlite3
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import orjson

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    create_engine,
    delete,
    event,
    insert,
    inspect,
    text,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    DisconnectionError,
    NoSuchModuleError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.orm import Session, sessionmaker

from annotator.config import sqlite_busy_timeout_ms, sqlite_file
from annotator.db.models import Base
from annotator.errors import DatabaseError

if TYPE_CHECKING:  # Alembic is imported only to migrate a schema: opening one at head does not need it
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
WRITE_OPTION = "annotator_write"


def alembic_config(url: str | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.MULTILINE)


@cache
def _revisions() -> tuple[frozenset[str], str]:
    """Every migration's revision and the newest one, read from the migration files' ``revision`` /
    ``down_revision`` lines.

    Why not Alembic's ScriptDirectory: importing Alembic and loading every migration module cost ~0.8 s of
    CPU on each command that opens a database, half of a small export. The test suite checks that this
    gives the same revisions and head as Alembic."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        found: dict[str, str] = {m[1]: m[2] for m in _REVISION_LINE.finditer(path.read_text(encoding="utf-8"))}
        if "revision" not in found:
            continue
        revisions.add(ast.literal_eval(found["revision"]))
        down = ast.literal_eval(found.get("down_revision", "None"))
        parents.update([down] if isinstance(down, str) else (down or ()))
    heads = sorted(revisions - parents)
    assert len(heads) == 1, f"migrations must have one head, found {heads}"
    return frozenset(revisions), heads[0]


def _current_revision(conn: Connection, where: str) -> str | None:
    """The database's Alembic revision (what ``MigrationContext.get_current_revision`` reads), by plain SQL."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    if len(rows) > 1:
        raise DatabaseError(f"{where}: database has several schema revisions ({', '.join(sorted(rows))})")
    return rows[0] if rows else None


def head_revision() -> str:
    """The newest migration."""
    return _revisions()[1]


def _known_revisions() -> frozenset[str]:
    return _revisions()[0]


#: Alembic's version table as Alembic makes it (tests/db/test_migrations.py compares the two).
_ALEMBIC_VERSION = Table("alembic_version", MetaData(), Column("version_num", String(32), nullable=False),
                         PrimaryKeyConstraint("version_num", name="alembic_version_pkc"))


def create_schema(conn: Connection) -> None:
    """Make a new, empty database's schema from the models and record it as the migrations' head.

    Why not run the migrations: creating a database through every migration since the first costs ~100 ms
    (an import of 3,000 documents spent a fifth of its time on it), and the models are the head's schema
    (tests/db/test_migrations.py compares both ways on SQLite and PostgreSQL). The head is written by plain
    SQL: Alembic's import and its reading of the scripts cost more (~0.1-0.25 s CPU) than the rest of making
    the database. Old databases still upgrade through the migrations.
    """
    Base.metadata.create_all(conn)
    _ALEMBIC_VERSION.create(conn, checkfirst=True)
    conn.execute(delete(_ALEMBIC_VERSION))
    conn.execute(insert(_ALEMBIC_VERSION).values(version_num=head_revision()))


def _sqlite_pragmas(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (see below).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
        cur.execute("PRAGMA foreign_keys = ON")
        try:
            cur.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError:
            pass  # read-only media: WAL cannot be set, reads still work
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Writers BEGIN IMMEDIATE: they take the write lock up front, so read-modify-write
        # transactions from several processes queue on busy_timeout instead of failing with
        # "database is locked" when a deferred read lock cannot be upgraded. Readers stay deferred.
        immediate = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


#: A pooled PostgreSQL connection that waited in the pool longer than this is checked (``SELECT 1``) before
#: it is used again; one used more recently is not.
PING_AFTER_IDLE_SECONDS = 5.0


def _ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection before use only when it sat idle (``PING_AFTER_IDLE_SECONDS``).

    Why not ``pool_pre_ping``: it pings before every transaction, one round trip of a decision's six. What
    drops connections (a server restart, idle timeouts) meets idle ones; a connection lost within seconds
    of its last use is found dead by a transaction's first statement, and the pool replaces it: a decision
    then runs once more on the new connection (``repo._once_more_on_a_lost_connection``), anything else
    fails that once, stores nothing and says so.
    """
    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since <= PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(str(exc)) from exc  # the pool replaces the connection


#: The drivers annotator is built and tested with (``postgresql://`` means psycopg 3).
SUPPORTED_DRIVERS = {"sqlite": ("sqlite", "sqlite+pysqlite"), "postgresql": ("postgresql", "postgresql+psycopg")}


def _check_url(parsed: URL) -> None:
    """Refuse, in one line, URLs that would fail later with a traceback or silently keep nothing."""
    backend = parsed.get_backend_name()
    shown = parsed.render_as_string(hide_password=True)
    if backend in SUPPORTED_DRIVERS and parsed.drivername not in SUPPORTED_DRIVERS[backend]:
        use = "sqlite:///FILE" if backend == "sqlite" else "postgresql://USER@HOST/DBNAME (driver psycopg 3)"
        raise DatabaseError(f"unsupported database driver {parsed.drivername!r} in {shown!r}: use {use}")
    if backend == "sqlite":
        if parsed.database in (None, "", ":memory:") or str(parsed.database).startswith("file::memory:"):
            raise DatabaseError(f"{shown.replace('%3A', ':')!r} is an in-memory database, which keeps nothing: give a file, "
                                "e.g. sqlite:///annotator.db")
        if parsed.query:
            raise DatabaseError(f"SQLite URL options are not supported ({shown!r}); to keep a database from "
                                "changes, make the file read-only")


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(f"not a database URL: {url!r}") from exc
    except ValueError:  # a port that is not a number (the URL is not echoed: it may hold a password)
        raise DatabaseError("bad database URL: the port is not a number") from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseError(
            f"unsupported database {parsed.get_backend_name()!r} in {parsed.render_as_string(hide_password=True)!r}: "
            "use sqlite:///FILE or postgresql://USER@HOST/DBNAME"
        )
    _check_url(parsed)
    try:
        if parsed.get_backend_name() == "sqlite":
            if parsed.database:
                db_path = Path(parsed.database)
                if not db_path.parent.exists():
                    raise DatabaseError(f"{db_path}: folder does not exist")
                if not db_path.parent.is_dir():
                    raise DatabaseError(f"{db_path}: {db_path.parent} is not a folder")
                if db_path.is_dir():
                    raise DatabaseError(f"{db_path}: is a folder, not a database file")
            busy_ms = sqlite_busy_timeout_ms()
            engine = create_engine(parsed, connect_args={"timeout": busy_ms / 1000},
                                   json_serializer=json_dumps, json_deserializer=json_loads)
            _sqlite_pragmas(engine, busy_ms)
            return engine
        if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        engine = create_engine(parsed, json_serializer=json_dumps, json_deserializer=json_loads)
        _ping_when_idle(engine)
        return engine
    except NoSuchModuleError as exc:
        raise DatabaseError(f"unsupported database URL {url!r}: use sqlite:/// or postgresql://") from exc


def json_dumps(obj: Any) -> str:
    """JSON columns are written by orjson (a 1 MB article's items: ~1 ms instead of ~10 ms with ``json``);
    what orjson refuses (integers beyond 64 bits, lone surrogates) by ``json``. Both read back the same with
    the stdlib reader (which, unlike orjson's, keeps integers beyond 64 bits exact)."""
    try:
        return orjson.dumps(obj).decode("utf-8")
    except (TypeError, ValueError):
        return json.dumps(obj)


#: A run of 19 digits: maybe an integer orjson would read as a float (it keeps 64 bits), so ``json`` reads it.
_LONG_NUMBER = re.compile(r"[0-9]{19}")


def json_loads(value: str | bytes) -> Any:
    """JSON columns are read by orjson where it gives what ``json.loads`` gives (3-4x faster on the stored
    items, tokens and meta), else by ``json``.

    orjson reads integers beyond 64 bits as floats (``json`` keeps them exact) and refuses NaN and lone
    surrogates. An object written compactly (no ``": `` anywhere) was written by orjson (``json_dumps``),
    which cannot write such integers; anything else (``json.dumps`` output, PostgreSQL's jsonb text, a top-level
    array) is searched for a run of 19 digits first (the search costs more than orjson's parse, so only there).
    """
    raw = value.decode("utf-8") if isinstance(value, bytes) else value
    if (raw.startswith("{") and '": ' not in raw) or _LONG_NUMBER.search(raw) is None:
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    return json.loads(raw)


@dataclass
class Database:
    """An open, migrated database: the engine and its session factory."""

    url: str
    engine: Engine
    #: Read transactions.
    sessions: sessionmaker[Session]
    #: Write transactions (IMMEDIATE on SQLite; rows locked with FOR UPDATE on PostgreSQL).
    writes: sessionmaker[Session]

    def dispose(self) -> None:
        self.engine.dispose()


def _describe(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return str(parsed.database)
    return parsed.render_as_string(hide_password=True)


#: pg_advisory_xact_lock key that serializes schema creation and upgrades on one PostgreSQL database.
MIGRATION_LOCK_KEY = 0x616E6E6F  # "anno"


def _check_schema(conn: Connection, where: str, head: str, upgrade: bool) -> str | None:
    """Refuse databases we must not touch; what a schema needs to be at ``head``: "create" (an empty
    database), "upgrade", or None."""
    current = _current_revision(conn, where)
    if current == head:
        return None
    tables = set(inspect(conn).get_table_names())
    if current is None and tables - {"alembic_version"}:
        # On PostgreSQL each statement reads what is committed at that moment: another process may have
        # created the schema between the two reads. Its tables and its revision commit together, so a
        # second look at the revision tells a just-created annotator database from a foreign one.
        current = _current_revision(conn, where)
        if current == head:
            return None
        if current is None:
            raise DatabaseError(f"{where}: not an annotator database (it has other tables)")
    if current is not None and current not in _known_revisions():
        raise DatabaseError(
            f"{where}: database schema {current} is newer than this annotator "
            f"(knows up to {head}); upgrade annotator"
        )
    if not upgrade:
        raise DatabaseError(f"{where}: database schema is {current}, expected {head}")
    return "create" if current is None else "upgrade"


def _quick_check(conn: Connection, where: str) -> None:
    """A damaged SQLite file is refused before anything reads from or writes into it."""
    try:
        rows = [r[0] for r in conn.exec_driver_sql("PRAGMA quick_check").fetchall()]
    except DBAPIError as exc:
        if "malformed" not in _short(exc):
            raise
        rows = [_short(exc)]
    if rows != ["ok"]:
        lines = [ln for row in rows for ln in str(row).splitlines() if ln.strip() and not ln.startswith("***")]
        raise DatabaseError(
            f"{where}: database file is damaged ({lines[0] if lines else 'quick_check failed'}); restore a backup"
        )


def _quick_check_once(conn: Connection, url: str, where: str) -> None:
    """``_quick_check``, unless the file passed one and has not changed since (``check_stamps``: the check
    reads the whole file, seconds on a large database)."""
    from annotator.db.check_stamps import remember_checked, unchanged_since_checked

    db_file = sqlite_file(url)
    if db_file is not None and unchanged_since_checked(db_file):
        return
    _quick_check(conn, where)
    if db_file is not None:
        remember_checked(db_file)


def open_database(url: str, upgrade: bool = True, on_upgrade: Callable[[str, str], None] | None = None) -> Database:
    """Open ``url``, bringing its schema to head. Raises DatabaseError for unusable databases.

    ``on_upgrade(current, head)`` is called before migrations run (they rewrite every document of a large
    database: a minute at 50,000 documents), so a command can say why it is waiting.

    Schema creation (``create_schema``, for an empty database) and upgrades (the migrations) run under a
    lock (BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL) and re-check the schema once they
    hold it, so processes opening a new database at once create or migrate it exactly once.
    """
    engine = make_engine(url)
    where = _describe(url)
    head = head_revision()
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                _quick_check_once(conn, url, where)
            todo = _check_schema(conn, where, head, upgrade)
        if todo is not None:
            with engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
                if engine.dialect.name == "postgresql":
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
                todo = _check_schema(conn, where, head, upgrade)
                if todo == "create":
                    create_schema(conn)
                elif todo == "upgrade":
                    from alembic import command

                    if on_upgrade is not None:
                        on_upgrade(_current_revision(conn, where) or "?", head)

                    cfg = alembic_config()
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, "head")
    except DatabaseError:
        engine.dispose()
        raise
    except (OperationalError, DBAPIError) as exc:
        engine.dispose()
        raise DatabaseError(f"{where}: cannot use database: {_short(exc)}") from exc
    return Database(
        url=url,
        engine=engine,
        sessions=sessionmaker(engine, expire_on_commit=False),
        writes=sessionmaker(engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False),
    )


def as_database_error(exc: BaseException) -> DatabaseError | None:
    """The one-line DatabaseError for an error raised by the database on any path (read-only file,
    damage found while reading, lost connection, full disk), or None if ``exc`` is not one.

    Why: every command's storage calls can meet these, so the CLI translates them in one place
    instead of each call site catching them.
    """
    if isinstance(exc, DBAPIError):
        return DatabaseError(f"database error: {_short(exc)}")
    if isinstance(exc, (SQLAlchemyError, sqlite3.Error)):
        return DatabaseError(f"database error: {str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__}")
    return None


def _short(exc: DBAPIError) -> str:
    msg = str(exc.orig) if exc.orig is not None else str(exc)
    return msg.strip().splitlines()[0] if msg.strip() else type(exc).__name__
