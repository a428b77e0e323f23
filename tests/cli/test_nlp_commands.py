"""preannotate, predict and evaluate through the real CLI with the real spaCy pipeline."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.db.engine import open_database
from annotator.db.repo import Repository
from annotator.io.validation import check_gold_semantics, schema_error
from tests.conftest import GOLD_FILE, SAMPLE_DIR


def test_preannotate_interrupted_before_storing_anything_leaves_no_model_run(cli, sqlite_url: str,
                                                                            monkeypatch) -> None:
    # before: Ctrl+C while the first batch was parsed left an empty run: stats said "0 of 5 (1 model run(s))"
    assert cli("import", SAMPLE_DIR, "--dataset", "news", "--db", sqlite_url).exit_code == 0

    def interrupted(*_args, **_kwargs):  # Ctrl+C while the pipeline parses the first batch
        raise KeyboardInterrupt
        yield

    monkeypatch.setattr("annotator.nlp.preannotate.annotate", interrupted)
    result = cli("preannotate", "--dataset", "news", "--rules-only", "--db", sqlite_url)
    assert result.exit_code == 130 and result.stderr == "Interrupted.\n", result.output
    assert "0 of 5 (0 model run(s))" in cli("stats", "--dataset", "news", "--db", sqlite_url).stdout


def test_preannotate_stores_a_model_run_resumably(cli, db_url: str) -> None:
    assert cli("import", SAMPLE_DIR, "--dataset", "news", "--db", db_url).exit_code == 0
    result = cli("preannotate", "--dataset", "news", "--batch-size", "2", "--db", db_url)
    assert result.exit_code == 0, result.output
    assert "Pre-annotated 5 document(s) of 'news' with en_core_web_sm" in result.stdout
    repo = Repository(open_database(db_url))
    suggestions = list(repo.suggestions("news"))
    assert len(suggestions) == 5 and sum(len(a.quotes) for a in suggestions) > 50
    assert all(q.status == "suggested" for a in suggestions for q in a.quotes)
    docs = repo.documents("news")
    assert all(d.tokens for d in docs)  # tokenization stored for later steps
    from spacy.vocab import Vocab

    from annotator.io.tokens import doc_from_tokens

    for doc in docs:  # the stored tokens rebuild the exact text without parsing
        assert doc_from_tokens(Vocab(), doc.text, doc.tokens).text == doc.text

    again = cli("preannotate", "--dataset", "news", "--db", db_url)
    assert again.exit_code == 0 and "already pre-annotated" in again.stdout
    forced = cli("preannotate", "--dataset", "news", "--force", "--db", db_url)
    assert forced.exit_code == 0 and "Pre-annotated 5 document(s)" in forced.stdout
    assert repo.stats("news").model_runs == 2
    stats = cli("stats", "--dataset", "news", "--db", db_url)
    assert "5 of 5 (2 model run(s))" in stats.stdout


def test_predict_writes_gold_format_jsonl_and_evaluate_scores_it(cli, tmp_path: Path) -> None:
    out = tmp_path / "pred.jsonl"
    # the rules' project targets; the default (learned) pipeline's scores are pinned in tests/nlp/test_sample_gold.py
    result = cli("predict", SAMPLE_DIR, "--out", out, "--rules-only")
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5
    for i, line in enumerate(lines, start=1):
        obj = json.loads(line)
        assert schema_error(obj, "gold") is None
        check_gold_semantics(obj, str(out), i)
        assert obj["annotator"] == "model" and obj["id"] == sorted(p.stem for p in SAMPLE_DIR.glob("*.txt"))[i - 1]

    scored = cli("evaluate", GOLD_FILE, out, "--json")
    assert scored.exit_code == 0, scored.output
    data = json.loads(scored.stdout)
    assert data["n_documents"] == 5
    assert data["scores"]["direct_overlap"]["f1"] >= 0.9
    assert data["accuracy"]["speaker"] >= 0.85
    table = cli("evaluate", GOLD_FILE, out)
    assert table.exit_code == 0 and "quotes_overlap" in table.stdout


def test_predict_to_stdout_and_bad_inputs(cli, tmp_path: Path) -> None:
    src = tmp_path / "one.txt"
    src.write_text("“We will not back down,” the minister said on Monday.", encoding="utf-8")
    result = cli("predict", src)
    assert result.exit_code == 0
    (obj,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert obj["quotes"][0]["text"] == "We will not back down,"

    missing = cli("predict", tmp_path / "nope.txt")
    assert missing.exit_code == 1 and "no such file or folder" in missing.stderr
    bad_model = cli("predict", src, "--model", "no_such_model_xyz")
    assert bad_model.exit_code == 1 and "no_such_model_xyz" in bad_model.stderr
    plain = tmp_path / "plain.jsonl"
    plain.write_text('{"text": "hello"}\n', encoding="utf-8")
    not_gold = cli("evaluate", plain, plain)
    assert not_gold.exit_code == 1 and f"{plain}:1: not a gold JSONL line" in not_gold.stderr


def test_predict_output_edge_cases(cli, tmp_path: Path) -> None:
    (tmp_path / "f1").mkdir()
    (tmp_path / "f2").mkdir()
    (tmp_path / "f1" / "x.txt").write_text("“Yes,” she said.", encoding="utf-8")
    (tmp_path / "f2" / "x.txt").write_text("“No,” he said.", encoding="utf-8")
    dup = cli("predict", tmp_path / "f1", tmp_path / "f2")
    assert dup.exit_code == 1
    assert f"{tmp_path / 'f2' / 'x.txt'}: id 'x' is also the id of {tmp_path / 'f1' / 'x.txt'}" in dup.stderr

    folder = tmp_path / "outdir"
    folder.mkdir()
    into_folder = cli("predict", tmp_path / "f1", "--out", folder)
    assert into_folder.exit_code == 0, into_folder.output
    written = folder / "predictions-model.jsonl"
    assert json.loads(written.read_text(encoding="utf-8"))["id"] == "x"
    assert sorted(p.name for p in folder.iterdir()) == ["predictions-model.jsonl"]  # no temporary file left

    missing = cli("predict", tmp_path / "f1", "--out", tmp_path / "nope" / "p.jsonl")
    assert missing.exit_code == 1 and "folder does not exist" in missing.stderr


def test_train_output_must_be_a_folder(cli, sqlite_url: str, tmp_path: Path) -> None:
    cli("import", SAMPLE_DIR, "--dataset", "g", "--db", sqlite_url)
    a_file = tmp_path / "file"
    a_file.write_text("x")
    result = cli("train", "--dataset", "g", "--output", a_file, "--db", sqlite_url)
    assert result.exit_code == 1 and f"{a_file}: not a folder" in result.stderr
