"""`annotator assign`: documents split among annotators with an overlap, end to end through the CLI,
the annotation UI (Pilot) and `stats` / `agreement`, on SQLite and PostgreSQL; and concurrent
`assign` and annotation processes losing nothing. The plan itself: tests/test_assignment.py."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from annotator.records import ImportRecord
from annotator.db.repo import Repository
from annotator.errors import UserError
from annotator.annotate.session import AnnotationSession
from annotator.tui.app import AnnotatorApp
from tests.helpers import write_jsonl
from tests.reliability.conftest import seed_dataset
from tests.tui.helpers import DATASET, build_repo, gold_annotations, make_session, quit_app, settle, status_line

ROOT = Path(__file__).resolve().parents[2]


# ------------------------------------------------------------------ CLI, stats, agreement


def test_assign_cli_stats_and_agreement_on_the_overlap(cli, db_url: str, tmp_path: Path) -> None:
    texts = [f"Document {i}: Lavrov said NATO was a threat." for i in range(7)]
    rows = [{"id": f"d{i}", "text": t} for i, t in enumerate(texts)]
    assert cli("import", write_jsonl(tmp_path / "docs.jsonl", rows), "-d", "split", "--db", db_url).exit_code == 0
    out = cli("assign", "-d", "split", "--annotators", "ann,bob,cy", "--overlap", "2", "--seed", "5", "--db", db_url)
    assert out.exit_code == 0, out.output
    assert "7 documents, overlap 2" in out.stdout
    repo = Repository(__import__("annotator.db.engine", fromlist=["open_database"]).open_database(db_url))
    assigned = repo.assignments("split")
    per_doc = Counter(d for docs in assigned.values() for d in docs)
    assert set(per_doc) == {f"d{i}" for i in range(7)} and set(per_doc.values()) == {2}
    assert sorted(len(v) for v in assigned.values()) == [4, 5, 5]

    again = cli("assign", "-d", "split", "--annotators", "ann,bob,cy", "--overlap", "2", "--seed", "5", "--db", db_url)
    assert again.exit_code == 0 and repo.assignments("split") == assigned  # nothing new, nothing moved

    # a new document and a new annotator: only the new document is assigned
    new = [{"id": "d7", "text": "Document 7: Blinken said talks would go on."}]
    assert cli("import", write_jsonl(tmp_path / "new.jsonl", new), "-d", "split", "--db", db_url).exit_code == 0
    cli("assign", "-d", "split", "--annotators", "ann,bob,cy,dee", "--overlap", "2", "--db", db_url)
    later = repo.assignments("split")
    assert {n: v for n, v in later.items() if n != "dee"} == {n: [d for d in v] + (["d7"] if "d7" in later[n] else [])
                                                              for n, v in assigned.items()}
    assert later["dee"] == ["d7"] and sum("d7" in v for v in later.values()) == 2

    bad = cli("assign", "-d", "split", "--annotators", "ann,bob", "--overlap", "3", "--db", db_url)
    assert bad.exit_code == 1 and "--overlap must be between 1 and" in bad.stderr and "Traceback" not in bad.output

    # two annotators do their documents; stats shows assigned/done, agreement says where it compares
    ann_docs, bob_docs = later["ann"], later["bob"]
    versions = [
        {"id": d, "text": texts[int(d[1:])] if d != "d7" else new[0]["text"], "annotator": who, "status": "done",
         "quotes": [], "claims": []}
        for who, docs in (("ann", ann_docs), ("bob", bob_docs)) for d in docs
    ]  # fmt: skip
    assert cli("import", write_jsonl(tmp_path / "v.jsonl", versions), "-d", "split", "--db", db_url).exit_code == 0
    stats = cli("stats", "-d", "split", "--db", db_url)
    assert stats.exit_code == 0 and "assigned" in stats.stdout
    row = next(line for line in stats.stdout.splitlines() if line.strip("│┃ ").startswith("ann "))
    assert row.replace("│", " ").split()[1:3] == [str(len(ann_docs)), str(len(ann_docs))]  # assigned, assigned done
    shared = sorted(set(ann_docs) & set(bob_docs))
    data = json.loads(cli("agreement", "-d", "split", "--annotators", "ann,bob", "--json", "--db", db_url).stdout)
    assert data["assignment"]["overlapping_documents"] == len(shared)
    assert data["documents"]["compared"] == len(shared)
    table = cli("agreement", "-d", "split", "--annotators", "ann,bob", "--db", db_url)
    assert f"compared on the {len(shared)} documents assigned to two or more" in table.stdout


# ------------------------------------------------------------------ annotate shows only one's documents


async def test_annotate_shows_an_annotator_only_their_documents(db_url: str) -> None:
    repo = build_repo(db_url, gold_annotations())
    everyone = make_session(repo, "alice")
    assert len(everyone.doc_ids) == 5  # no assignment yet: every document
    repo.assign(DATASET, ["alice", "bob"], overlap=1, seed=0)
    mine = repo.assignments(DATASET)["alice"]
    session = make_session(repo, "alice")
    assert [repo.document_names(DATASET)[i] for i in session.doc_ids] == mine
    app = AnnotatorApp(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert f"Document 1 of {len(mine)}" in status_line(app) and mine[0] in status_line(app)
        for _ in mine:
            await pilot.press("n")  # done, on to the next of hers
            await settle(pilot)
        assert session.finished
        await quit_app(pilot)
    statuses = repo.annotator_statuses(DATASET, "alice")
    assert sorted(repo.document_names(DATASET)[i] for i in statuses) == sorted(mine)
    assert set(statuses.values()) == {"done"}
    with pytest.raises(UserError, match="no documents of 'news' are assigned to 'zed'"):
        AnnotationSession(repo, DATASET, "zed")


# ------------------------------------------------------------------ concurrency


def test_concurrent_assign_and_annotate_lose_nothing(db_url: str) -> None:
    repo = seed_dataset(db_url, n_docs=6)
    deciders = [
        subprocess.Popen([sys.executable, "-m", "tests.reliability.decider", db_url, "rel", f"w{i}", "25", str(i)],
                         cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for i in range(2)
    ]  # fmt: skip
    assigners = [
        subprocess.Popen([sys.executable, "-m", "annotator", "assign", "-d", "rel", "--annotators", names,
                          "--overlap", "2", "--seed", str(i), "--db", db_url],
                         cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for i, names in enumerate(["a,b,c", "b,c,d", "a,d,e"])
    ]  # fmt: skip
    for p in assigners + deciders:
        out, err = p.communicate(timeout=240)
        assert p.returncode == 0, err
        assert "database is locked" not in err
    per_doc = Counter(d for docs in repo.assignments("rel").values() for d in docs)
    assert set(per_doc) == {f"d{i}" for i in range(6)}
    assert set(per_doc.values()) == {2}  # assigns ran one after the other: the later ones found nothing to add
    for i in range(2):
        events = [e for doc_id in repo.document_ids("rel") for e in repo.events(repo.open_version(doc_id, f"w{i}").version_id)
                  if e["action"] == "decide"]  # fmt: skip
        assert len(events) == 25
