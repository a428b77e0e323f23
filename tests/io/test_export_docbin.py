"""`annotator export docbin`: spans read back equal the database; the DocBin trains with `spacy train`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from spacy.tokens import DocBin
from spacy.vocab import Vocab

from annotator.db.engine import open_database
from annotator.db.repo import Repository
from annotator.io.docbin import gold_from_doc
from annotator.io.writers import gold_line
from annotator.scheme import LAYER_LABELS, LAYERS, Annotation

CONFIG = Path(__file__).parent / "data" / "spancat.cfg"


def _read(path: Path) -> list:  # type: ignore[type-arg]
    return list(DocBin().from_disk(path).get_docs(Vocab()))


def _export(cli, db: str, out: Path, *extra: str):  # type: ignore[no-untyped-def]
    result = cli("export", "docbin", "--dataset", "news", "--out", out, "--db", db, *extra)
    assert result.exit_code == 0, result.output
    return result


def test_every_span_read_back_equals_the_database(cli, annotated: str, tmp_path: Path) -> None:
    out = tmp_path / "news.spacy"
    result = _export(cli, annotated, out, "--status", "all")
    assert f"Wrote 11 doc(s) (6 document(s)) to {out}" in result.stderr
    docs = _read(out)
    stored = list(Repository(open_database(annotated)).versions("news", status=None))
    assert len(docs) == len(stored) == 11
    for doc, ann in zip(docs, stored):
        assert doc.text == ann.text
        assert set(doc.spans) == set(LAYERS)
        for layer in LAYERS:
            assert {sp.label_ for sp in doc.spans[layer]} <= {LAYER_LABELS[layer]}
            got = sorted({(sp.start_char, sp.end_char) for sp in doc.spans[layer]})
            assert got == [(s.start, s.end) for s in ann.layer_spans(layer)], (ann.doc_id, ann.annotator, layer)
        quotes = {(q.start, q.end): q for q in ann.quotes}
        for sp in doc.spans["quotes"]:
            assert sp.id_ == quotes[(sp.start_char, sp.end_char)].id
        names = {(q.speaker.start, q.speaker.end): q.speaker.name for q in ann.quotes if q.speaker}
        assert {(sp.start_char, sp.end_char): sp.kb_id_ for sp in doc.spans["speakers"]} == names
        claim_ids = sorted(c.id for c in ann.claims)
        assert sorted(sp.id_ for sp in doc.spans["claims"]) == claim_ids
        assert [(e.start_char, e.end_char, e.label_, e.kb_id_) for e in doc.ents] == [
            (s, e, "SPEAKER", names[(s, e)]) for s, e in sorted(names)
        ]
        # attributions, stances, kinds, claims and meta: the gold line, exactly
        assert json.dumps(gold_from_doc(doc), ensure_ascii=False) == gold_line(ann)
        assert doc.user_data["dataset"] == "news"


def test_stored_tokenization_is_rebuilt_not_reparsed(cli, annotated: str, tmp_path: Path) -> None:
    repo = Repository(open_database(annotated))
    run = repo.start_model_run("news", "test-tokenizer", "1", {})
    repo.add_suggestions(run, [
        (d.id, Annotation(d.ext_id, d.text, "model"), [m.span() for m in re.finditer(r"\S+", d.text)])
        for d in repo.documents("news")
    ])
    out = tmp_path / "ws.spacy"
    result = _export(cli, annotated, out, "-a", "alice")
    assert "were expanded to the covering tokens" in result.stderr
    for doc, ann in zip(_read(out), repo.versions("news", "alice")):
        assert doc.text == ann.text
        assert [t.text for t in doc if not t.text.isspace()] == ann.text.split()
        for sp in doc.spans["quotes"]:  # expanded: covers the annotated quote
            q = next(q for q in ann.quotes if q.id == sp.id_)
            assert sp.start_char <= q.start < q.end <= sp.end_char
        assert json.dumps(gold_from_doc(doc), ensure_ascii=False) == gold_line(ann)  # user_data keeps exact offsets


def test_docbin_to_stdout(cli, annotated: str, tmp_path: Path) -> None:
    result = cli("export", "docbin", "--dataset", "news", "-a", "bob", "--out", "-", "--db", annotated)
    assert result.exit_code == 0
    docs = list(DocBin().from_bytes(result.stdout_bytes).get_docs(Vocab()))
    assert [d.user_data["annotator"] for d in docs] == ["bob"] * 4


@pytest.mark.slow
def test_spacy_train_runs_on_the_exported_docbin(cli, annotated: str, tmp_path: Path) -> None:
    data = tmp_path / "train.spacy"
    _export(cli, annotated, data, "--annotator", "alice")
    out = tmp_path / "model"
    proc = subprocess.run(
        [sys.executable, "-m", "spacy", "train", str(CONFIG), "--output", str(out),
         "--paths.train", str(data), "--paths.dev", str(data), "--training.max_steps", "3", "--gpu-id", "-1"],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert (out / "model-last" / "spancat").is_dir()
    assert (out / "model-last" / "config.cfg").read_text(encoding="utf-8").count('spans_key = "quotes"') == 1
