"""Processes that create, migrate and import into one database at the same moment (D4, D9).

Each test forks real processes that wait at a barrier and then all open the database (and
import) at once, on SQLite and PostgreSQL. Every process succeeds, the schema is migrated once,
each document has its own position, and paging through the dataset returns every document.
"""

from __future__ import annotations

import multiprocessing
import traceback
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from annotator.db.engine import alembic_config, head_revision, open_database
from annotator.records import ImportRecord
from annotator.db.repo import Repository

PROCESSES = 6
ROUNDS = 2


def _worker(url: str, barrier: Any, results: Any, tag: str, n_docs: int) -> None:
    try:
        barrier.wait(timeout=60)
        with Repository(open_database(url)) as repo:
            if n_docs:
                repo.import_records("news", [ImportRecord(f"{tag}-{i}", f"Article {tag} {i}.", {}, "t")
                                             for i in range(n_docs)])
        results.put((tag, "ok"))
    except BaseException:  # noqa: BLE001  (reported to the parent, which fails the test)
        results.put((tag, traceback.format_exc()))


def _run_at_once(url: str, n_docs: int) -> None:
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(PROCESSES)
    results = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(url, barrier, results, f"p{i}", n_docs)) for i in range(PROCESSES)]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=180) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    failures = [f"{tag}: {out}" for tag, out in outcomes if out != "ok"]
    assert not failures, "\n".join(failures)


def test_processes_opening_a_new_database_at_once_migrate_it_once(db_url: str, request, tmp_path) -> None:
    for round_ in range(ROUNDS):
        url = db_url
        if round_:  # another fresh, empty database on the same backend
            url = (f"sqlite:///{tmp_path / f'round{round_}.db'}" if db_url.startswith("sqlite")
                   else request.getfixturevalue("pg_server").create_database())
        _run_at_once(url, n_docs=0)
        engine = create_engine(url)
        with engine.connect() as conn:
            assert conn.execute(text("select version_num from alembic_version")).scalars().all() == [head_revision()]
        engine.dispose()


def test_concurrent_imports_into_one_new_dataset_give_every_document_its_own_position(db_url: str) -> None:
    n_docs = 300
    _run_at_once(db_url, n_docs)
    with Repository(open_database(db_url)) as repo:
        docs = repo.documents("news")
        assert len(docs) == PROCESSES * n_docs
        assert sorted(d.position for d in docs) == list(range(PROCESSES * n_docs))
        # Paging (small pages, many boundaries) returns each document exactly once.
        paged = [d.ext_id for d in repo.iter_documents("news", batch_size=7)]
        assert paged == [d.ext_id for d in docs]
        [only] = repo.list_datasets()
        assert only.name == "news"


def test_positions_are_unique_by_constraint(db_url: str) -> None:
    with Repository(open_database(db_url)) as repo:
        repo.import_records("news", [ImportRecord("a", "First.", {}, "t")])
        with repo.db.engine.connect() as conn, pytest.raises(IntegrityError):
            conn.execute(text(
                "insert into documents (dataset_id, ext_id, position, text, text_hash, meta, created_at) "
                "select dataset_id, 'b', position, 'Second.', 'h2', '{}', created_at from documents"
            ))


def test_an_old_database_with_duplicate_positions_is_renumbered_in_order(db_url: str) -> None:
    command.upgrade(alembic_config(db_url), "0002")
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("insert into datasets (name, stance_targets, created_at) values ('old', '[]', '2021-12-02')"))
        for ext_id, position in [("a", 0), ("b", 1), ("c", 1), ("d", 2), ("e", 2)]:
            conn.execute(text(
                "insert into documents (dataset_id, ext_id, position, text, text_hash, meta, created_at) "
                "select id, :e, :p, :t, :h, '{}', '2021-12-02' from datasets"
            ), {"e": ext_id, "p": position, "t": ext_id, "h": ext_id})
    engine.dispose()
    with Repository(open_database(db_url)) as repo:
        assert [(d.ext_id, d.position) for d in repo.iter_documents("old", batch_size=2)] == [
            ("a", 0), ("b", 1), ("c", 2), ("d", 3), ("e", 4)
        ]


@pytest.mark.postgres
def test_a_schema_created_between_reading_the_revision_and_the_tables_is_not_taken_for_a_foreign_one(
        pg_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The race of the test above, made certain: on PostgreSQL each statement sees what is committed at that
    moment, so another process can create the schema after this one read "no revision" and before it
    listed the tables. The database is then an annotator database at head, not "one with other tables"."""
    from annotator.db import engine as engine_module

    url = pg_server.create_database()
    read_revision = engine_module._current_revision
    raced: list[str] = []

    def revision_then_another_process_creates_the_schema(conn: Any, where: str) -> str | None:
        revision = read_revision(conn, where)
        if not raced:
            raced.append("created")
            open_database(url).engine.dispose()  # the other process, between this read and the next
        return revision

    monkeypatch.setattr(engine_module, "_current_revision", revision_then_another_process_creates_the_schema)
    db = open_database(url)
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [head_revision()]
    db.engine.dispose()
    assert raced == ["created"]
