"""Documents are paged by position: every one once, in order, each page a range the index seeks to."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, text

from annotator.db.engine import open_database
from annotator.db.repo import Repository
from annotator.records import ImportRecord


def _repo(url: str) -> Repository:
    repo = Repository(open_database(url))
    repo.import_records("other", [ImportRecord(f"o{i}", f"Other text {i}.", {}, "other") for i in range(3)])
    repo.import_records("ds", [ImportRecord(f"d{i}", f"Talks number {i} in Vienna.", {}, "test") for i in range(7)])
    return repo


def test_every_document_is_read_once_in_order_a_page_at_a_time(db_url: str) -> None:
    repo = _repo(db_url)
    assert [d.ext_id for d in repo.iter_documents("ds", batch_size=2)] == [f"d{i}" for i in range(7)]
    assert [i for b in repo.version_rows("ds", status=None, batch_size=3) for i in b.doc_ids] == [f"d{i}" for i in range(7)]
    repo.close()


def test_a_page_of_documents_is_an_index_range_not_a_walk_from_the_first_document(sqlite_url: str) -> None:
    """The paging query after a document seeks to it (``position>?`` in SQLite's plan); the form with an id
    tie-break (``position > p OR (position = p AND id > i)``) walked the index from the dataset's start on
    every page: quadratic in the dataset's size."""
    repo = _repo(sqlite_url)
    seen: list[tuple[str, Any]] = []

    def remember(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if "FROM documents" in statement and "LIMIT" in statement and not statement.startswith("EXPLAIN"):
            seen.append((statement, parameters))

    event.listen(repo.db.engine, "before_cursor_execute", remember)
    list(repo.version_rows("ds", status=None, batch_size=3))
    list(repo.iter_documents("ds", batch_size=3))
    event.remove(repo.db.engine, "before_cursor_execute", remember)
    assert len(seen) == 2 * 4  # 3 + 3 + 1 documents, then an empty page
    with repo.db.engine.connect() as conn:
        for statement, parameters in seen:
            plan = " ".join(row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))
            assert "USING INDEX uq_documents_dataset_position (dataset_id=? AND position>?)" in plan, plan
    repo.close()
