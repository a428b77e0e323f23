"""`annotator export prodigy`: valid tasks, token-aligned spans, lossless attributes, stable hashes."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import mmh3
import numpy
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.db.engine import open_database
from annotator.db.repo import Repository
from annotator.io.prodigy import (
    INPUT_KEYS, REL_CUE, REL_SPEAKER, TASK_KEYS, TOKENS_FORM, annotation_from_task, get_hash, input_hash,
    prodigy_lines, set_hashes, spans_hash, stored_tokens_json, timestamp, tokens_blob, tokens_of,
)
from annotator.io.tokens import BLANK_MODEL, Tokenization, layout_from_offsets
from annotator.records import ExportedVersion, TokenOffsets
from annotator.io.validation import validator
from annotator.scheme import Annotation
from tests.conftest import ROOT
from tests.conftest import Cli


def _export(cli: Cli, db: str, out: Path, *extra: str) -> list[dict[str, Any]]:
    result = cli("export", "prodigy", "--dataset", "news", "--out", out, "--db", db, *extra)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def _comparable(ann: Annotation) -> dict[str, Any]:
    d = ann.to_dict()
    d["quotes"] = sorted(d["quotes"], key=lambda q: (q["start"], q["end"]))
    d["claims"] = sorted(d["claims"], key=lambda c: (c["start"], c["end"]))
    return d


def _check_task(task: dict[str, Any]) -> None:
    errors = sorted(validator("prodigy").iter_errors(task), key=lambda e: list(e.path))
    assert not errors, (task["meta"]["id"], list(errors[0].path), errors[0].message)
    text, tokens = task["text"], task["tokens"]
    assert "".join(t["text"] + (" " if t["ws"] else "") for t in tokens) == text
    assert [t["id"] for t in tokens] == list(range(len(tokens)))
    assert all(text[t["start"]:t["end"]] == t["text"] for t in tokens)
    cores = set()
    for span in task["spans"]:
        assert tokens[span["token_start"]]["start"] == span["start"]
        assert tokens[span["token_end"]]["end"] == span["end"]
        cores.add(tuple(span[k] for k in ("start", "end", "token_start", "token_end", "label")))
    for rel in task["relations"]:
        assert rel["head"] == rel["head_span"]["token_end"] and rel["child"] == rel["child_span"]["token_end"]
        assert rel["head_span"]["label"] == "QUOTE"
        assert rel["child_span"]["label"] == {REL_SPEAKER: "SPEAKER", REL_CUE: "CUE"}[rel["label"]]
        for side in ("head_span", "child_span"):
            assert tuple(rel[side].values()) in cores


def test_tasks_are_valid_and_lossless(cli, annotated: str, tmp_path: Path) -> None:
    tasks = _export(cli, annotated, tmp_path / "p.jsonl", "--status", "all")
    repo = Repository(open_database(annotated))
    stored = list(repo.versions("news", status=None))
    assert len(tasks) == len(stored) == 11
    for task, ann in zip(tasks, stored):
        _check_task(task)
        assert _comparable(annotation_from_task(task)) == _comparable(ann)
        assert task["meta"] == {"id": ann.doc_id, "dataset": "news", "annotator": ann.annotator, "status": ann.status,
                                "doc_meta": dict(ann.meta)}
        assert task["_annotator_id"] == task["_session_id"] == f"news-{ann.annotator}"
        assert task["answer"] == ("accept" if ann.status == "done" else "ignore")
        assert task["_view_id"] == "relations"  # Prodigy's interface that draws spans and relations
    assert {t["answer"] for t in tasks} == {"accept", "ignore"}
    labels = {s["label"] for t in tasks for s in t["spans"]}
    assert labels == {"QUOTE", "CUE", "SPEAKER", "CLAIM"}
    assert {r["label"] for t in tasks for r in t["relations"]} == {REL_SPEAKER, REL_CUE}


def test_hashes_and_timestamps_are_stable(cli, annotated: str, tmp_path: Path) -> None:
    tasks = _export(cli, annotated, tmp_path / "a.jsonl")
    again = _export(cli, annotated, tmp_path / "b.jsonl")
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for t in tasks:
        by_doc.setdefault(t["meta"]["id"], []).append(t)
        assert t["_input_hash"] == input_hash(t["text"])
    alice, bob = by_doc["000_60b67c4313700902"]
    assert alice["_input_hash"] == bob["_input_hash"]  # same text
    assert alice["_task_hash"] != bob["_task_hash"]  # different answers
    assert len({t["_input_hash"] for t in tasks}) == len(by_doc)
    for t in tasks:  # Prodigy's set_hashes with its default keys: mmh3 of sorted compact JSON
        assert t["_input_hash"] == mmh3.hash(json.dumps({"text": t["text"]}, sort_keys=True, separators=(",", ":")))
        spans_json = json.dumps({"spans": t["spans"]}, sort_keys=True, separators=(",", ":"))
        assert t["_task_hash"] == mmh3.hash(f"{t['_input_hash']}{spans_json}")
        rehashed = set_hashes({k: v for k, v in t.items() if k not in ("_input_hash", "_task_hash")})
        assert (rehashed["_input_hash"], rehashed["_task_hash"]) == (t["_input_hash"], t["_task_hash"])
    repo = Repository(open_database(annotated))
    expected = [timestamp(ev.updated_at) for ev in repo.export_versions("news")]
    assert [t["_timestamp"] for t in again] == expected and all(ts > 1_600_000_000 for ts in expected)


@settings(max_examples=300, deadline=None)
@given(text=st.text(st.one_of(st.characters(), st.sampled_from('"\\\x00\x1f\x7f\u2028\ud800\udfff'))))
def test_input_hash_is_prodigys_for_any_text(text: str) -> None:
    """The input hash built from the text's ASCII JSON is Prodigy's get_hash of {"text": text}."""
    assert input_hash(text) == get_hash({"text": text}, INPUT_KEYS) == mmh3.hash(
        json.dumps({"text": text}, sort_keys=True, separators=(",", ":")))


_AWKWARD = st.text(st.one_of(st.characters(), st.sampled_from('"\\\x00\x1f\x7f\x80\xe9\u2028\U0001f600\ud800\udfff')))
_SPAN_VALUES = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(min_value=2**63 - 2, max_value=2**70),
                         _AWKWARD, st.dictionaries(_AWKWARD, st.one_of(st.none(), _AWKWARD), max_size=3))


@settings(max_examples=300, deadline=None)
@given(spans=st.lists(st.dictionaries(st.one_of(st.sampled_from(["start", "label", "speaker"]), _AWKWARD),
                                      _SPAN_VALUES, max_size=6), max_size=4),
       prefix=st.integers(-2**31, 2**31 - 1))
def test_spans_hash_is_prodigys_for_any_span_values(spans: list[dict[str, Any]], prefix: int) -> None:
    """The task hash by orjson (non-ASCII and DEL escaped afterwards) is get_hash's, the stdlib's sorted dump."""
    assert spans_hash(spans, prefix) == get_hash({"spans": spans}, TASK_KEYS, prefix=prefix) == mmh3.hash(
        f"{prefix}{json.dumps({'spans': spans}, sort_keys=True, separators=(',', ':'))}")


def test_task_hash_follows_the_spans_not_relations_meta_or_annotator(annotated: str) -> None:
    from annotator.io.prodigy import prodigy_task
    from annotator.io.tokens import layout_from_offsets

    ann = next(iter(Repository(open_database(annotated)).versions("news", "alice")))
    layout = layout_from_offsets(ann.text, [m.span() for m in re.finditer(r"\w+|[^\w\s]", ann.text)])
    assert layout is not None
    base = prodigy_task(ann, layout, "news")
    other_who = prodigy_task(dataclasses.replace(ann, annotator="carol", meta={"x": 1}), layout, "elsewhere")
    assert other_who["_task_hash"] == base["_task_hash"] and other_who["_input_hash"] == base["_input_hash"]
    assert base["relations"]
    unrelated = {k: v for k, v in base.items() if k not in ("_input_hash", "_task_hash")} | {"relations": []}
    assert set_hashes(unrelated)["_task_hash"] == base["_task_hash"]  # relations are not a task key
    moved = dataclasses.replace(ann, quotes=ann.quotes[1:])
    assert prodigy_task(moved, layout, "news")["_task_hash"] != base["_task_hash"]


def _store_whitespace_tokens(repo: Repository) -> None:
    """A model run whose stored tokenization is str.split-like: glued punctuation, so spans misalign."""
    run = repo.start_model_run("news", "test-tokenizer", "1", {})
    items = []
    for doc in repo.documents("news"):
        offsets = [m.span() for m in re.finditer(r"\S+", doc.text)]
        items.append((doc.id, Annotation(doc.ext_id, doc.text, "model"), offsets))
    repo.add_suggestions(run, items)


def test_stored_tokens_are_used_and_misaligned_spans_expanded(cli, annotated: str, tmp_path: Path) -> None:
    repo = Repository(open_database(annotated))
    _store_whitespace_tokens(repo)
    out = tmp_path / "p.jsonl"
    result = cli("export", "prodigy", "--dataset", "news", "--out", out, "--db", annotated)
    assert result.exit_code == 0, result.output
    assert "did not align with token boundaries and were expanded" in result.stderr
    assert "had no stored tokenization" not in result.stderr
    tasks = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    expanded = 0
    for task, ann in zip(tasks, repo.versions("news")):
        _check_task(task)
        words = [t["text"] for t in task["tokens"] if not t["text"].isspace()]
        assert words == task["text"].split()
        for span in task["spans"]:
            if "gold_start" in span:
                expanded += 1
                assert span["start"] <= span["gold_start"] < span["gold_end"] <= span["end"]
        assert _comparable(annotation_from_task(task)) == _comparable(ann)  # still lossless
    assert expanded > 0
    assert f"{expanded} span(s) did not align" in result.stderr


def test_no_spacy_import_when_every_document_has_stored_tokens(cli, annotated: str, tmp_path: Path) -> None:
    _store_whitespace_tokens(Repository(open_database(annotated)))
    code = f"""
import sys
from annotator.db.engine import open_database
from annotator.db.repo import Repository
from annotator.io.prodigy import prodigy_lines
from annotator.io.tokens import Tokenization
repo = Repository(open_database({annotated!r}))
n = sum(1 for _ in prodigy_lines(repo.export_versions("news"), "news", Tokenization()))
assert n == 10, n
assert "spacy" not in sys.modules, "spaCy was imported"
"""
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def _version(text: str, pairs: list[tuple[int, int]], meta: dict[str, Any], blob: bytes | None = None
             ) -> ExportedVersion:
    arrays = numpy.array(pairs, dtype=numpy.int64).reshape(-1, 2)
    tokens = TokenOffsets(arrays[:, 0].copy(), arrays[:, 1].copy())
    return ExportedVersion("d1", text, "alice", "done", meta, {"quotes": [], "claims": []}, tokens, None, blob)


@st.composite
def _text_and_offsets(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]]]:
    text = draw(st.text(st.one_of(st.sampled_from('ab —\n\t"\\\x00\x7f\u2028🇷🇺'), st.characters()), max_size=30))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=20)))
    pairs = [(a, b) for a, b in zip(cuts[::2], cuts[1::2])]
    if draw(st.booleans()) and pairs:  # sometimes offsets that do not fit the text
        pairs[draw(st.integers(0, len(pairs) - 1))] = (draw(st.integers(-1, len(text) + 1)),
                                                       draw(st.integers(-1, len(text) + 1)))
    return text, pairs


@settings(max_examples=300, deadline=None)
@given(case=_text_and_offsets(), meta=st.sampled_from([{}, {"big": 2**70}]))
def test_tokens_stored_with_the_tokenization_give_the_tasks_built_per_token(
    case: tuple[str, list[tuple[int, int]]], meta: dict[str, Any]
) -> None:
    """The tokens JSON stored with a tokenization (tokens_blob), spliced into the task, gives the bytes of the
    task whose token dicts are built at export, for any text and offsets (also metadata orjson refuses)."""
    text, pairs = case
    blob = tokens_blob(text, pairs)
    layout = layout_from_offsets(text, pairs)
    if layout is None or any("\ud800" <= c <= "\udfff" for c in text):
        assert blob is None  # offsets that do not fit (re-tokenized at export), or a text orjson refuses
        return
    assert stored_tokens_json(text, blob, pairs) == json.dumps(tokens_of(text, layout), ensure_ascii=False,
                                                        separators=(",", ":")).encode()
    built = list(prodigy_lines([_version(text, pairs, meta)], "ds", Tokenization(BLANK_MODEL)))
    spliced = list(prodigy_lines([_version(text, pairs, meta, blob)], "ds", Tokenization(BLANK_MODEL)))
    assert spliced == built


def test_a_stored_tokens_json_of_another_text_tokenization_or_form_is_not_used(monkeypatch) -> None:
    text, pairs = "We agreed, he said.", [(0, 2), (3, 9), (9, 10), (11, 13), (14, 18), (18, 19)]
    blob = tokens_blob(text, pairs)
    assert stored_tokens_json(text, blob, pairs) is not None
    other = "We argued, he said."  # same length and tokens, another text
    assert stored_tokens_json(other, blob, pairs) is None
    built = list(prodigy_lines([_version(other, pairs, {})], "ds", Tokenization(BLANK_MODEL)))
    assert list(prodigy_lines([_version(other, pairs, {}, blob)], "ds", Tokenization(BLANK_MODEL))) == built
    assert b'"text":"argued"' in built[0]
    # the tokenization rewritten (by something else than preannotate) without its tokens JSON
    rewritten = [(0, 2), (3, 10), (11, 13), (14, 19)]
    assert stored_tokens_json(text, blob, rewritten) is None
    built = list(prodigy_lines([_version(text, rewritten, {})], "ds", Tokenization(BLANK_MODEL)))
    assert list(prodigy_lines([_version(text, rewritten, {}, blob)], "ds", Tokenization(BLANK_MODEL))) == built
    assert b'"text":"agreed,"' in built[0]
    # no stored tokenization any more (the export tokenizes the text itself)
    assert stored_tokens_json(text, blob, None) is None
    untokenized = ExportedVersion("d1", text, "alice", "done", {}, {"quotes": [], "claims": []}, None, None, None)
    built = list(prodigy_lines([untokenized], "ds", Tokenization(BLANK_MODEL)))
    assert list(prodigy_lines([dataclasses.replace(untokenized, prodigy_tokens=blob)], "ds", Tokenization(BLANK_MODEL))) == built
    assert stored_tokens_json(text, blob[:-3], pairs) is None  # damaged
    monkeypatch.setattr("annotator.io.prodigy.TOKENS_FORM", TOKENS_FORM + 1)  # the token dicts changed since
    assert stored_tokens_json(text, blob, pairs) is None


#: The tokens JSON of TOKENS_FORM 2, pinned: a change to what tokens_of writes or to the layout rules fails here,
#: and the fix is to bump TOKENS_FORM (stored forms of the old number are then not used) and re-pin.
PINNED_TEXT = "“We agreed,” he said.\n\nTalks  in Vienna."
PINNED_FORM_2 = (
    '[{"text":"“","start":0,"end":1,"id":0,"ws":false},{"text":"We","start":1,"end":3,"id":1,"ws":true},'
    '{"text":"agreed","start":4,"end":10,"id":2,"ws":false},{"text":",","start":10,"end":11,"id":3,"ws":false},'
    '{"text":"”","start":11,"end":12,"id":4,"ws":true},{"text":"he","start":13,"end":15,"id":5,"ws":true},'
    '{"text":"said","start":16,"end":20,"id":6,"ws":false},{"text":".","start":20,"end":21,"id":7,"ws":false},'
    '{"text":"\\n\\n","start":21,"end":23,"id":8,"ws":false},{"text":"Talks","start":23,"end":28,"id":9,"ws":true},'
    '{"text":" ","start":29,"end":30,"id":10,"ws":false},{"text":"in","start":30,"end":32,"id":11,"ws":true},'
    '{"text":"Vienna","start":33,"end":39,"id":12,"ws":false},{"text":".","start":39,"end":40,"id":13,"ws":false}]'
)


def test_the_stored_tokens_json_of_this_form_is_what_it_was_when_the_form_was_numbered() -> None:
    pairs = [(0, 1), (1, 3), (4, 10), (10, 11), (11, 12), (13, 15), (16, 20), (20, 21), (23, 28), (30, 32),
             (33, 39), (39, 40)]
    assert TOKENS_FORM == 2, "re-pin PINNED_FORM_2 for the new form"
    stored = stored_tokens_json(PINNED_TEXT, tokens_blob(PINNED_TEXT, pairs), pairs)
    assert stored is not None and stored.decode() == PINNED_FORM_2
    layout = layout_from_offsets(PINNED_TEXT, pairs)
    assert layout is not None and json.dumps(tokens_of(PINNED_TEXT, layout), ensure_ascii=False,
                                             separators=(",", ":")) == PINNED_FORM_2
