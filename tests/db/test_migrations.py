"""The schema comes from Alembic migrations, and they agree with the models."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select, text

from annotator.db.engine import alembic_config, head_revision, open_database
from annotator.db.models import Base
from annotator.db.repo import Repository
from annotator.records import ImportRecord


def _schema(url: str) -> dict[str, Any]:
    """Everything the database says about its tables: columns (type, nullability, default, the expression of a
    generated column), primary key,
    foreign keys (with ON DELETE), indexes, unique constraints; and the Alembic revision."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            insp = inspect(conn)
            out: dict[str, Any] = {"revision": MigrationContext.configure(conn).get_current_revision()}
            for table in insp.get_table_names():
                out[table] = {
                    "columns": {c["name"]: (str(c["type"]), c["nullable"], c.get("default"), c.get("computed"))
                            for c in insp.get_columns(table)},
                    "primary key": insp.get_pk_constraint(table)["constrained_columns"],
                    "foreign keys": sorted((fk["constrained_columns"], fk["referred_table"], fk["referred_columns"],
                                            fk.get("options", {}).get("ondelete")) for fk in insp.get_foreign_keys(table)),
                    "indexes": sorted((ix["name"], ix["column_names"], ix["unique"]) for ix in insp.get_indexes(table)),
                    "unique": sorted((uq["name"], uq["column_names"]) for uq in insp.get_unique_constraints(table)),
                }
            return out
    finally:
        engine.dispose()


def test_a_new_database_is_made_from_the_models_with_the_schema_the_migrations_make(
        db_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """A new database is created from the models and stamped (``create_schema``: no migration runs); every
    migration from the first one gives the same tables, columns, keys and indexes, and agrees with the models."""
    open_database(db_url).dispose()
    migrated = (f"sqlite:///{tmp_path / 'migrated.db'}" if db_url.startswith("sqlite")
                else request.getfixturevalue("pg_server").create_database())
    command.upgrade(alembic_config(migrated), "head")
    created, upgraded = _schema(db_url), _schema(migrated)
    assert created["revision"] == head_revision()
    assert {"datasets", "documents", "versions", "version_items", "events", "suggestions", "model_runs",
            "annotators", "speaker_aliases", "assignments", "alembic_version"} == set(created) - {"revision"}
    assert created == upgraded
    engine = create_engine(migrated)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    engine.dispose()


def test_creating_a_database_runs_no_migration_and_loads_no_alembic(sqlite_url: str) -> None:
    """In a fresh process: making and using a new database never imports Alembic (its import and its reading
    of the scripts cost more than making the database); the migration-made schema test above covers its content."""
    script = (
        "import sys\n"
        "from annotator.db.engine import open_database\n"
        "from annotator.db.repo import Repository\n"
        "from annotator.records import ImportRecord\n"
        f"repo = Repository(open_database({sqlite_url!r}))\n"
        "repo.import_records('d', [ImportRecord('a', 'Text.', {}, 't')])\n"
        "print(sorted(repo.document_names('d').values()), any(m.startswith('alembic') for m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["['a']", "False"]
    repo = Repository(open_database(sqlite_url))  # and it is at the head: nothing to migrate on opening
    assert repo.list_datasets()[0].name == "d"
    repo.close()


def test_the_revisions_read_from_the_migration_files_are_alembics() -> None:
    from alembic.script import ScriptDirectory

    from annotator.db.engine import _known_revisions, alembic_config

    scripts = ScriptDirectory.from_config(alembic_config())
    assert [head_revision()] == scripts.get_heads()
    assert _known_revisions() == {rev.revision for rev in scripts.walk_revisions()}


def test_opening_a_database_at_head_does_not_import_alembic(sqlite_url: str) -> None:
    """Alembic (~0.8 s of CPU to import and load the migrations) is loaded only to migrate."""
    import subprocess
    import sys

    open_database(sqlite_url).dispose()
    probe = ("import sys; from annotator.db.engine import open_database; "
             f"open_database({sqlite_url!r}).dispose(); print(sorted(m for m in sys.modules if m.startswith('alembic')))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


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


OLD_PAYLOAD = {
    # stored in this order (not by offset): the upgrade must keep it
    "quotes": [
        {"id": "q2", "start": 40, "end": 52, "text": "We will see.", "kind": "direct", "cue": None,
         "speaker": None, "stance": None, "status": "accepted"},
        {"id": "q1", "start": 0, "end": 18, "text": "The talks went well", "kind": "indirect", "cue": None,
         "speaker": {"start": 20, "end": 25, "text": "Smith", "name": "John Smith"}, "stance": None,
         "status": "suggested", "score": 0.25},
    ],
    "claims": [{"id": "c1", "start": 0, "end": 18, "text": "The talks went well", "checkworthy": True,
                "status": "rejected"}],
}


def test_a_database_from_before_version_items_upgrades_with_its_items_and_history(db_url: str) -> None:
    """0005 moves each version's JSON payload into one row per item, in the stored order; the events (which
    a rebuild of ``versions`` would delete through ON DELETE CASCADE) stay; the downgrade gives the payload back."""
    import json

    from alembic import command
    from sqlalchemy import create_engine

    from annotator.db.engine import alembic_config
    from annotator.db.repo import Repository

    command.upgrade(alembic_config(db_url), "0004")
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("insert into datasets (id, name, stance_targets, created_at) values (1, 'old', '[]', '2025-01-01')"))
        conn.execute(text(
            "insert into documents (id, dataset_id, ext_id, position, text, text_hash, meta, created_at) values "
            "(1, 1, 'a1', 0, :t, 'h', '{}', '2025-01-01')"), {"t": "The talks went well, Smith said. We will see."})
        conn.execute(text("insert into annotators (id, name, created_at) values (1, 'ann', '2025-01-01')"))
        conn.execute(text(
            "insert into versions (id, document_id, annotator_id, status, payload, revision, created_at, updated_at) "
            "values (1, 1, 1, 'in_progress', :p, 3, '2025-01-01', '2025-01-01')"), {"p": json.dumps(OLD_PAYLOAD)})
        conn.execute(text(
            "insert into events (version_id, action, item_id, before, after, undoable, created_at) values "
            "(1, 'accept', 'quotes:q2', null, null, true, '2025-01-01')"))
    engine.dispose()

    repo = Repository(open_database(db_url))
    doc_id = repo.document_id("old", "a1")
    state = repo.open_version(doc_id, "ann")
    assert [q.id for q in state.quotes] == ["q2", "q1"]
    assert state.quotes[1].speaker is not None and state.quotes[1].speaker.name == "John Smith"
    assert state.quotes[1].score == 0.25 and state.quotes[1].status == "suggested"
    assert [(c.id, c.status) for c in state.claims] == [("c1", "rejected")]
    assert state.revision == 3 and state.status == "in_progress"
    assert [e["action"] for e in repo.events(state.version_id)] == ["accept"]
    exported = next(repo.export_versions("old", status=None)).annotation
    assert exported.quotes == state.quotes and exported.claims == state.claims
    repo.save_item(state.version_id, "quotes", "q1", {**OLD_PAYLOAD["quotes"][1], "status": "accepted"}, "accept")
    repo.close()

    command.downgrade(alembic_config(db_url), "0004")
    engine = create_engine(db_url)
    with engine.connect() as conn:
        assert "version_items" not in inspect(conn).get_table_names()
        payload = conn.execute(text("select payload from versions where id = 1")).scalar_one()
        assert conn.execute(text("select count(*) from events")).scalar_one() == 2
    engine.dispose()
    payload = json.loads(payload) if isinstance(payload, str) else payload
    assert payload == {**OLD_PAYLOAD, "quotes": [OLD_PAYLOAD["quotes"][0], {**OLD_PAYLOAD["quotes"][1], "status": "accepted"}]}


def test_upgrading_gives_existing_documents_their_titles(db_url: str) -> None:
    """Migration 0006: documents imported before titles were stored get theirs (the `g` list reads them)."""
    from alembic import command
    from sqlalchemy import create_engine

    from annotator.db.engine import alembic_config
    from annotator.db.repo import Repository

    command.upgrade(alembic_config(db_url), "0005")
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("insert into datasets (name, stance_targets, created_at) values ('old', '[]', '2021-12-02')"))
        for i, body in enumerate(("Talks\n\nin   Vienna " + "x" * 200, "")):
            conn.execute(text(
                "insert into documents (dataset_id, ext_id, position, text, text_hash, meta, created_at) "
                "values ((select id from datasets), :ext, :pos, :text, :hash, '{}', '2021-12-02')"
            ), {"ext": f"d{i}", "pos": i, "text": body, "hash": f"h{i}"})
    engine.dispose()
    repo = Repository(open_database(db_url))
    assert list(repo.document_titles("old").values()) == [("d0", "Talks in Vienna " + "x" * 61), ("d1", "")]
    repo.close()


#: version_items' columns computed from the payload (models.VersionItem, migration 0007) and their paths.
ITEM_COLUMNS = {"status": ("status",), "span_start": ("start",), "span_end": ("end",), "kind": ("kind",),
                "cue_start": ("cue", "start"), "cue_end": ("cue", "end"), "speaker_start": ("speaker", "start"),
                "speaker_end": ("speaker", "end"), "speaker_name": ("speaker", "name"),
                "stance_label": ("stance", "label"), "stance_target": ("stance", "target"),
                "checkworthy": ("checkworthy",)}


def _item_columns_disagreeing(url: str) -> tuple[int, list[Any]]:
    """(rows, rows whose computed columns differ from their payload's fields: None where absent or null)."""
    import json

    def field(payload: dict[str, Any], path: tuple[str, ...]) -> Any:
        value: Any = payload
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        return value

    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT payload, {', '.join(ITEM_COLUMNS)} FROM version_items")).all()
    engine.dispose()
    wrong = []
    for payload, *values in rows:
        payload = json.loads(payload) if isinstance(payload, str) else payload
        expected = [field(payload, path) for path in ITEM_COLUMNS.values()]
        got = [bool(v) if name == "checkworthy" and v is not None else v for name, v in zip(ITEM_COLUMNS, values)]
        if got != expected:
            wrong.append((payload, got))
    return len(rows), wrong


def _imported_versions(url: str) -> Repository:
    """Three annotators' versions of 12 documents, imported at once: quotes whose spans, kinds, cues,
    speakers and stances vary between them (some rejected), claims checkworthy or not."""
    import random

    from annotator.scheme import Annotation, Claim, Quote, Span, SpeakerMention, Stance

    rng = random.Random(5)
    records = []
    for d in range(12):
        text = f"Document {d}: " + " ".join(rng.choice(("talks", "said", "the", "minister", "warned")) for _ in range(40))
        for name in NAMES:
            quotes = []
            for k in range(4):
                s = 14 + 50 * k + rng.choice((0, 0, 2))
                cue = Span(s + 20, s + 24, text[s + 20:s + 24]) if rng.random() < 0.7 else None
                speaker = (SpeakerMention(s + 25, s + 30, text[s + 25:s + 30], rng.choice(("A B", "a  b", "C")))
                           if rng.random() < 0.8 else None)
                stance = (Stance(rng.choice(("NATO", "Russia")), rng.choice(("favor", "against")))
                          if rng.random() < 0.6 else None)
                quotes.append(Quote(f"q{k}", s, s + 18, text[s:s + 18], rng.choice(("direct", "indirect")), cue, speaker,
                                    stance, status=rng.choice(("accepted", "accepted", "rejected", "edited"))))
            claims = (Claim("c1", 3, 12, text[3:12], checkworthy=rng.random() < 0.5),)
            ann = Annotation(f"d{d:02d}", text, name, quotes=tuple(quotes), claims=claims)
            records.append(ImportRecord(ann.doc_id, text, {}, "test", annotation=ann))
    repo = Repository(open_database(url))
    repo.import_records("ds", records)
    return repo


NAMES = ("ann", "bob", "cy")


def test_the_compared_item_fields_are_columns_that_follow_every_write(db_url: str) -> None:
    """The database computes version_items' field columns from the payload: right after an import, an
    adjudication, a decision, an item added and an undo, every row's columns are its payload's fields."""
    from dataclasses import replace

    repo = _imported_versions(db_url)
    n, wrong = _item_columns_disagreeing(db_url)
    assert n == 12 * 3 * 5 and wrong == []
    ann = next(a for a in repo.versions("ds", annotator="bob") if a.quotes and a.quotes[0].speaker is not None)
    state = repo.open_version(repo.document_id("ds", ann.doc_id), "bob")
    q = state.quotes[0]
    assert q.speaker is not None
    edited = {**q.to_dict(), "status": "edited", "kind": "mixed", "cue": None, "stance": None,
              "speaker": {**q.speaker.to_dict(), "name": "Someone Else"}}
    repo.save_item(state.version_id, "quotes", q.id, edited, "edit")
    repo.save_item(state.version_id, "claims", "new", {"id": "new", "start": 0, "end": 3, "text": ann.text[:3],
                                                        "checkworthy": False, "status": "added"}, "add")
    repo.put_version("ds", replace(ann, annotator="gold"))
    engine = create_engine(db_url)
    with engine.connect() as conn:
        after = conn.execute(text("SELECT kind, cue_start, speaker_name, stance_label, status FROM version_items "
                                  "WHERE version_id = :v AND item_id = :i"), {"v": state.version_id, "i": q.id}).one()
    engine.dispose()
    assert tuple(after) == ("mixed", None, "Someone Else", None, "edited")
    assert _item_columns_disagreeing(db_url)[1] == []
    repo.undo(state.version_id)
    repo.undo(state.version_id)
    n_after, wrong = _item_columns_disagreeing(db_url)
    assert wrong == [] and n_after == n + len(ann.quotes) + len(ann.claims)
    repo.close()


def _downgraded_like_a_new_one(db_url: str, revision: str, tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, Any]:
    """Downgrade the database to ``revision``; its schema, checked to be that of a database made at ``revision``."""
    command.downgrade(alembic_config(db_url), revision)
    made = (f"sqlite:///{tmp_path / f'at{revision}.db'}" if db_url.startswith("sqlite")
            else request.getfixturevalue("pg_server").create_database())
    command.upgrade(alembic_config(made), revision)
    old = _schema(db_url)
    assert old == _schema(made)
    return old


def test_a_database_from_before_the_item_columns_upgrades_to_the_same_agreement(db_url: str, tmp_path: Path,
                                                                              request: pytest.FixtureRequest) -> None:
    """Migration 0007 on a database holding items (at 0006: the schema a 0006 database has, items and events
    kept): the columns are filled from the stored payloads, and agreement (read from the columns) reports
    what it reported from the payloads."""
    from annotator.agreement.report import compute_agreement_rows, compute_agreement_streamed

    repo = _imported_versions(db_url)
    expected = compute_agreement_streamed(repo.versions("ds", status=None), list(NAMES)).to_dict()
    assert expected["documents"]["compared"] == 12 and expected["stance"]["overall"]["matched_quotes"] > 20
    repo.close()
    engine = create_engine(db_url)
    with engine.connect() as conn:
        counts = [conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in ("version_items", "events")]
        ids = conn.execute(text("SELECT id, version_id, item_id, position FROM version_items ORDER BY id")).all()
    engine.dispose()
    old = _downgraded_like_a_new_one(db_url, "0006", tmp_path, request)
    assert "span_start" not in old["version_items"]["columns"]

    repo = Repository(open_database(db_url))  # opening upgrades
    assert _schema(db_url)["revision"] == head_revision()
    n, wrong = _item_columns_disagreeing(db_url)
    assert n == counts[0] and wrong == []
    engine = create_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM events")).scalar_one() == counts[1]
        assert conn.execute(text("SELECT id, version_id, item_id, position FROM version_items ORDER BY id")).all() == ids
    engine.dispose()
    assert compute_agreement_rows(repo.version_rows("ds", status=None), list(NAMES)).to_dict() == expected
    repo.close()


def _stored_word_bounds(url: str) -> list[tuple[str, bytes | None]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT text, word_bounds FROM documents ORDER BY id")).all()
    engine.dispose()
    return [(t, None if b is None else bytes(b)) for t, b in rows]


def test_documents_store_their_word_bounds_and_older_databases_get_them_with_the_same_agreement(
        db_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """Migration 0008: imported documents store their texts' packed word bounds (what agreement counts
    tokens on, instead of the texts); a database from before (0007, its documents without them) gets them on
    opening, and agreement reports what the Annotations (texts tokenized) give. A document whose bounds are
    NULL (written by some other path) has them packed from its text: the same report."""
    from annotator.agreement.report import compute_agreement_rows, compute_agreement_streamed
    from annotator.word_bounds import pack_word_bounds

    repo = _imported_versions(db_url)
    expected = compute_agreement_streamed(repo.versions("ds", status=None), list(NAMES)).to_dict()
    assert expected["documents"]["compared"] == 12
    repo.close()
    stored = _stored_word_bounds(db_url)
    assert len(stored) == 12 and all(b == pack_word_bounds(t) for t, b in stored)

    old = _downgraded_like_a_new_one(db_url, "0007", tmp_path, request)
    assert "word_bounds" not in old["documents"]["columns"]

    repo = Repository(open_database(db_url))  # opening upgrades
    assert _schema(db_url)["revision"] == head_revision()
    assert _stored_word_bounds(db_url) == stored
    assert compute_agreement_rows(repo.version_rows("ds", status=None), list(NAMES)).to_dict() == expected
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE documents SET word_bounds = NULL WHERE ext_id IN ('d00', 'd05', 'd11')"))
    engine.dispose()
    assert compute_agreement_rows(repo.version_rows("ds", status=None), list(NAMES)).to_dict() == expected
    repo.close()


def test_a_document_inserted_through_the_models_gets_its_word_bounds(db_url: str) -> None:
    """Any write path that adds documents through the ORM (not the import's bulk rows) stores them too."""
    from sqlalchemy.orm import Session

    from annotator.db.models import Dataset, Document
    from annotator.word_bounds import pack_word_bounds

    open_database(db_url).dispose()
    engine = create_engine(db_url)
    with Session(engine) as s, s.begin():
        ds = Dataset(name="orm")
        s.add(ds)
        s.add(Document(dataset=ds, ext_id="a", position=0, text="Talks  in\nVienna ", text_hash="h"))
    engine.dispose()
    assert _stored_word_bounds(db_url) == [("Talks  in\nVienna ", pack_word_bounds("Talks  in\nVienna "))]


def test_plain_texts_get_their_word_bounds_with_their_first_version(db_url: str) -> None:
    """An import of plain texts does not pack word bounds (a sixth of its CPU): only a document with a
    version is ever compared, so it gets them with its first one: a gold import of a version of it, opening
    it for an annotator, an adjudicated version. A document nobody has a version of keeps none."""
    from annotator.scheme import Annotation
    from annotator.word_bounds import pack_word_bounds

    texts = {f"t{i}": f"Text {i}:  the minister\nsaid so." for i in range(4)}
    repo = Repository(open_database(db_url))
    repo.import_records("ds", [ImportRecord(k, t, {}, "test") for k, t in texts.items()])
    assert [b for _, b in _stored_word_bounds(db_url)] == [None] * 4

    repo.import_records("ds", [ImportRecord("t0", texts["t0"], {}, "test",
                                            annotation=Annotation("t0", texts["t0"], "alice"))])
    doc_ids = {d.ext_id: d.id for d in repo.documents("ds")}
    repo.open_version(doc_ids["t1"], "bob")
    repo.put_version("ds", Annotation("t2", texts["t2"], "gold"))
    assert _stored_word_bounds(db_url) == [(t, pack_word_bounds(t) if k != "t3" else None) for k, t in texts.items()]
    repo.close()


def test_a_gold_file_with_a_plain_line_before_a_version_of_the_same_text_stores_its_word_bounds(db_url: str) -> None:
    from annotator.scheme import Annotation
    from annotator.word_bounds import pack_word_bounds

    text_ = "Said  the\tminister."
    repo = Repository(open_database(db_url))
    repo.import_records("ds", [ImportRecord("a", text_, {}, "test"),
                               ImportRecord("a", text_, {}, "test", annotation=Annotation("a", text_, "alice"))])
    assert _stored_word_bounds(db_url) == [(text_, pack_word_bounds(text_))]
    repo.close()


def test_loading_a_document_does_not_read_its_derived_columns(db_url: str) -> None:
    """Word bounds and the Prodigy tokens JSON (~3.3 kB a document) are read only by the queries that name them."""
    from sqlalchemy import inspect as orm_state
    from sqlalchemy.orm import Session

    from annotator.db.models import Dataset, Document

    open_database(db_url).dispose()
    engine = create_engine(db_url)
    with Session(engine) as s, s.begin():
        s.add(Document(dataset=Dataset(name="d"), ext_id="a", position=0, text="Talks in Vienna", text_hash="h"))
    with Session(engine) as s:
        doc = s.scalars(select(Document)).one()
        assert {"word_bounds", "prodigy_tokens"} <= orm_state(doc).unloaded and "text" not in orm_state(doc).unloaded
        assert doc.word_bounds is not None  # loaded when asked for
    engine.dispose()


def test_a_command_says_it_is_upgrading_the_schema_before_it_waits_for_it(cli, db_url: str, tmp_path: Path) -> None:
    """Migrations rewrite every document (a minute at 50,000): the command says so first, and only once."""
    from tests.io.conftest import import_samples

    import_samples(cli, db_url, tmp_path)
    command.downgrade(alembic_config(db_url), "0009")
    first = cli("stats", "--dataset", "news", "--db", db_url)
    assert first.exit_code == 0, first.output
    assert f"Upgrading the database schema from 0009 to {head_revision()}" in first.stderr
    again = cli("import", tmp_path / "sample_gold.jsonl", "--dataset", "news", "--db", db_url)
    assert again.exit_code == 0 and "Upgrading" not in again.stderr
    command.downgrade(alembic_config(db_url), "0009")
    into = cli("import", tmp_path / "sample_gold.jsonl", "--dataset", "news", "--db", db_url)
    assert into.exit_code == 0 and "Upgrading the database schema from 0009" in into.stderr
