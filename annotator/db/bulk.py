"""Many rows of one table written by one driver-SQL statement per batch: imports and ``enter``.

Why driver SQL: SQLAlchemy's per-row parameter handling (and psycopg's, one Bind message per row in
``executemany``) cost more than the database's own work at import rates and on a 300-item ``enter``.

- SQLite: ``executemany`` of one compiled statement with positional tuples (SQLite's own loop is cheap).
- PostgreSQL: ONE statement per batch whose rows come from ``unnest`` of one array per column, sent in
  psycopg's binary format (``%b``): 3,000 document rows cost ~15 ms of client CPU instead of ~120 ms, and
  the server runs one statement instead of 3,000 (a 300-item ``enter``: 300 updates and 300 inserts become
  one of each).

Values are processed as SQLAlchemy would for the column's type (``value``); JSON goes as the text
``engine.json_dumps`` makes, which is what SQLAlchemy sends (its psycopg adapter dumps with the same
function), so the stored values are the same whichever path wrote them (tests/db/test_bulk.py).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable, Mapping, Sequence

from sqlalchemy import JSON, Connection, Table, insert
from sqlalchemy.engine import Dialect

from annotator.db.engine import json_dumps


def _processors(dialect: Dialect, table: Table, columns: Sequence[str]) -> dict[str, Callable[[Any], Any]]:
    out: dict[str, Callable[[Any], Any]] = {}
    for c in columns:
        column_type = table.c[c].type
        if dialect.name == "postgresql" and isinstance(column_type, JSON):
            out[c] = json_dumps  # text cast to json on the server (SQLAlchemy wraps it in psycopg's Json)
        elif (process := column_type.dialect_impl(dialect).bind_processor(dialect)) is not None:
            out[c] = process
    return out


def _name(dialect: Dialect, name: str) -> str:
    return dialect.identifier_preparer.quote(name)


def _arrays(dialect: Dialect, table: Table, columns: Sequence[str]) -> str:
    """``unnest`` of one binary array parameter per column, each cast to the column's type."""
    return "unnest(" + ", ".join(f"%b::{table.c[c].type.compile(dialect)}[]" for c in columns) + ")"


class _Statement:
    processors: dict[str, Callable[[Any], Any]]

    def value(self, column: str, value: Any) -> Any:
        """``value`` as the driver takes it for ``column`` (call once for a value all rows share)."""
        process = self.processors.get(column)
        return value if process is None else process(value)

    def _by_column(self, rows: Sequence[Mapping[str, Any]], columns: Sequence[str], missing_is_null: bool
                   ) -> list[list[Any]]:
        """The values of ``rows``, one list per column of ``columns``, each passed through ``value`` (column
        by column: a function call per value, not per value and column). With ``missing_is_null`` a column a
        row does not name is NULL; without, every row must name every column."""
        out = []
        for c in columns:
            values = [r.get(c) for r in rows] if missing_is_null else [r[c] for r in rows]
            process = self.processors.get(c)
            out.append(values if process is None else [process(v) for v in values])
        return out


class BulkInsert(_Statement):
    """Rows into ``table``'s ``columns``, in the order given (ids are assigned in that order). Made once
    per dialect, table and columns (``bulk_insert``)."""

    def __init__(self, dialect: Dialect, table: Table, columns: tuple[str, ...]):
        self.columns = columns
        self.postgres = dialect.name == "postgresql"
        if self.postgres:
            names = ", ".join(_name(dialect, c) for c in self.columns)
            self._head = f"INSERT INTO {_name(dialect, table.name)} ({names}) SELECT " + ", ".join(
                f"u.{_name(dialect, c)}" for c in self.columns)
            self._source = f"{_arrays(dialect, table, self.columns)} WITH ORDINALITY AS u({names}, n)"
            self.sql = f"{self._head} FROM {self._source} ORDER BY u.n"
        else:
            compiled = insert(table).compile(dialect=dialect, column_keys=list(self.columns))
            self.sql = str(compiled)
            order = compiled.positiontup
            assert order is not None and sorted(order) == sorted(self.columns), "SQLite binds by position"
            self.columns = tuple(order)
        self.processors = _processors(dialect, table, self.columns)

    def guarded(self, guard: str) -> str:
        """PostgreSQL: the insert as a part of a ``WITH`` statement, inserting only if the query ``guard``
        (a name in the same ``WITH``) has a row; its parameters are ``arrays``."""
        assert self.postgres
        return f"{self._head} FROM {self._source}, {guard} ORDER BY u.n"

    def arrays(self, rows: Sequence[Mapping[str, Any]]) -> list[list[Any]]:
        """PostgreSQL: the statement's parameters for ``rows``: one array per column."""
        return [[r[c] for r in rows] for c in self.columns]

    def processed(self, rows: Sequence[Mapping[str, Any]]) -> list[list[Any]]:
        """``rows`` given as Python values (a column a row does not name: NULL), one list per column, each
        value passed through ``value``."""
        return self._by_column(rows, self.columns, missing_is_null=True)

    def write(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert ``rows`` given as Python values (``processed``)."""
        if not rows:
            return
        columns = self.processed(rows)
        conn.exec_driver_sql(self.sql, tuple(columns) if self.postgres else list(zip(*columns)))

    def run(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert ``rows`` (their values already passed through ``value``)."""
        if not rows:
            return
        if self.postgres:
            conn.exec_driver_sql(self.sql, tuple(self.arrays(rows)))
        else:
            conn.exec_driver_sql(self.sql, [tuple(r[c] for c in self.columns) for r in rows])


class BulkUpdate(_Statement):
    """Set ``columns`` of the rows of ``table`` found by ``keys`` (one row each) within the rows where
    ``scope`` (one column) has one value: ``run`` takes that value and, per row, the keys and new values.
    Rows given twice get the values given last (as one update after the other would leave them). Made
    once per dialect, table and columns (``bulk_update``)."""

    def __init__(self, dialect: Dialect, table: Table, scope: str, keys: tuple[str, ...], columns: tuple[str, ...]):
        self.keys, self.columns = keys, columns
        self.postgres = dialect.name == "postgresql"
        q = dialect.identifier_preparer.quote
        if self.postgres:
            names = ", ".join(q(c) for c in (*self.keys, *self.columns))
            self._head = (f"UPDATE {q(table.name)} AS t SET " + ", ".join(f"{q(c)} = u.{q(c)}" for c in self.columns)
                          + f" FROM {_arrays(dialect, table, (*self.keys, *self.columns))} AS u({names})")
            self._match = " AND ".join(f"t.{q(k)} = u.{q(k)}" for k in self.keys)
            self._scope = q(scope)
            self.sql = (f"{self._head} WHERE t.{self._scope} = %b::{table.c[scope].type.compile(dialect)} "
                        f"AND {self._match}")
        else:
            self.sql = (f"UPDATE {q(table.name)} SET " + ", ".join(f"{q(c)} = ?" for c in self.columns)
                        + " WHERE " + " AND ".join(f"{q(k)} = ?" for k in (scope, *self.keys)))
        self.processors = _processors(dialect, table, (*self.keys, *self.columns))

    def guarded(self, guard: str) -> str:
        """PostgreSQL: the update as a part of a ``WITH`` statement, of the rows whose scope is the ``id`` the
        query ``guard`` (a name in the same ``WITH``) returns (none if it returns no row); its parameters
        are ``arrays``."""
        assert self.postgres
        return f"{self._head}, {guard} WHERE t.{self._scope} = {guard}.id AND {self._match}"

    def arrays(self, rows: Sequence[Mapping[str, Any]]) -> list[list[Any]]:
        """The values of ``rows`` (the last of each key's), one list per key and column, each value passed
        through ``value``: on PostgreSQL the parameters of ``guarded``."""
        last = list({tuple(r[k] for k in self.keys): r for r in rows}.values())
        return self._by_column(last, (*self.keys, *self.columns), missing_is_null=False)

    def run(self, conn: Connection, scope: Any, rows: Sequence[Mapping[str, Any]]) -> None:
        """Update the rows ``rows`` name (each a mapping of every key and column to its value)."""
        if not rows:
            return
        columns = self.arrays(rows)
        if self.postgres:
            conn.exec_driver_sql(self.sql, (*columns, scope))
        else:
            n = len(self.keys)
            conn.exec_driver_sql(self.sql, [(*r[n:], scope, *r[:n]) for r in zip(*columns)])


#: Statements kept per process (per dialect, so per engine: a bound keeps engines made and disposed by the
#: hundred, as the tests do, from being held forever).
_KEPT = 64


@lru_cache(maxsize=_KEPT)
def bulk_insert(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> BulkInsert:
    return BulkInsert(dialect, table, columns)


@lru_cache(maxsize=_KEPT)
def bulk_update(dialect: Dialect, table: Table, scope: str, keys: tuple[str, ...],
                columns: tuple[str, ...]) -> BulkUpdate:
    return BulkUpdate(dialect, table, scope, keys, columns)
