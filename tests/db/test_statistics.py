"""After a large import PostgreSQL has the statistics of the tables it wrote (its plans need them)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

import annotator.db.repo as repo_module
from annotator.db.engine import open_database
from annotator.db.repo import Repository
from annotator.records import ImportRecord
from annotator.scheme import Annotation, Quote
from tests.pg import PostgresServer

TABLES = ("documents", "versions", "version_items", "events")


def _row_estimates(url: str) -> dict[str, float]:
    """pg_class.reltuples per table: -1 until the table is first analyzed (or vacuumed)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT relname, reltuples FROM pg_class WHERE relname = ANY(:names)"),
                            {"names": list(TABLES)}).all()
    engine.dispose()
    return {name: float(n) for name, n in rows}


def _gold(n: int) -> list[ImportRecord]:
    records = []
    for i in range(n):
        body = f"Talks number {i} in Vienna, the minister said."
        ann = Annotation(f"d{i}", body, "ann", quotes=(Quote("q1", 0, 5, body[:5], "indirect"),))
        records.append(ImportRecord(f"d{i}", body, {}, "gold", annotation=ann))
    return records


@pytest.mark.postgres
def test_a_large_import_leaves_postgresql_with_statistics_a_small_one_leaves_it_to_autovacuum(
        pg_server: PostgresServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(repo_module, "ANALYZE_AFTER_ROWS", 20)
    small, large = pg_server.create_database(), pg_server.create_database()
    for url, n in ((small, 9), (large, 10)):  # documents + versions: 18 below the threshold, 20 at it
        repo = Repository(open_database(url))
        assert repo.import_records("ds", _gold(n)).versions == n
        repo.close()
    assert all(v < 0 for v in _row_estimates(small).values())
    estimates = _row_estimates(large)
    assert estimates == {"documents": 10, "versions": 10, "version_items": 10, "events": 10}
