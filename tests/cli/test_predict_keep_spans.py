"""`annotator predict --keep-spans` through the real CLI with the packaged classifiers: spans in, labels out."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.io.validation import check_gold_semantics, schema_error
from tests.conftest import Cli

TEXT = ("Moscow accused Kyiv of shelling villages, the Kremlin said. "
        "“NATO has moved 40,000 troops east since 2014,” Sergei Lavrov told reporters. "
        "Thank you all for coming.")


def _quote(text: str, part: str, kind: str, target: str | None, label: str | None) -> dict:
    start = text.index(part)
    stance = {"target": target, "label": label} if target else None
    return {"id": f"q{text.index(part)}", "start": start, "end": start + len(part), "text": part, "kind": kind,
            "cue": None, "speaker": None, "stance": stance}


def _claim(text: str, part: str, checkworthy: bool, speaker: str | None = None) -> dict:
    start = text.index(part)
    return {"start": start, "end": start + len(part), "text": part, "checkworthy": checkworthy, "speaker": speaker}


def gold_line(labels: dict) -> dict:
    """One gold document whose labels come from ``labels`` (spans always the same)."""
    speaker = {"start": TEXT.index("Sergei"), "end": TEXT.index("Sergei") + 13, "text": "Sergei Lavrov",
               "name": "Sergei Lavrov"}
    cue = {"start": TEXT.index("told"), "end": TEXT.index("told") + 4, "text": "told"}
    q2 = _quote(TEXT, "NATO has moved 40,000 troops east since 2014,", "direct", "NATO", labels["nato"])
    q2.update(cue=cue, speaker=speaker)
    return {"id": "d1", "text": TEXT, "meta": {"source": "mine"}, "annotator": "alice", "status": "done",
            "quotes": [_quote(TEXT, "Kyiv of shelling villages", "indirect", "Ukraine", labels["ukraine"]), q2],
            "claims": [_claim(TEXT, "Moscow accused Kyiv of shelling villages, the Kremlin said.", labels["c1"]),
                       _claim(TEXT, "NATO has moved 40,000 troops east since 2014,", labels["c2"], "Sergei Lavrov"),
                       _claim(TEXT, "Thank you all for coming.", labels["c3"])]}


def _write(path: Path, *objs: dict) -> Path:
    path.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objs), encoding="utf-8")
    return path


def _run(cli: Cli, src: Path, out: Path) -> list[dict]:
    result = cli("predict", src, "--keep-spans", "--out", out)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_keep_spans_keeps_every_span_and_predicts_only_labels(cli: Cli, tmp_path: Path) -> None:
    gold = gold_line({"ukraine": "favor", "nato": "neutral", "c1": False, "c2": False, "c3": True})
    (pred,) = _run(cli, _write(tmp_path / "gold.jsonl", gold), tmp_path / "pred.jsonl")
    assert schema_error(pred, "gold") is None
    check_gold_semantics(pred, "pred.jsonl", 1)
    assert pred["annotator"] == "model" and pred["id"] == "d1" and pred["text"] == TEXT
    for key in ("id", "start", "end", "text", "kind", "cue", "speaker"):
        assert [q[key] for q in pred["quotes"]] == [q[key] for q in gold["quotes"]]
    assert [q["stance"]["target"] for q in pred["quotes"]] == ["Ukraine", "NATO"]  # the given targets kept
    assert all(q["stance"]["label"] in ("favor", "against", "neutral") for q in pred["quotes"])
    for key in ("start", "end", "text", "speaker"):
        assert [c[key] for c in pred["claims"]] == [c[key] for c in gold["claims"]]
    assert [c["checkworthy"] for c in pred["claims"]][1:] == [True, False]  # a number-laden fact; thanks


def test_labels_in_the_input_do_not_change_the_output(cli: Cli, tmp_path: Path) -> None:
    one = gold_line({"ukraine": "favor", "nato": "favor", "c1": True, "c2": True, "c3": True})
    other = gold_line({"ukraine": "against", "nato": "neutral", "c1": False, "c2": False, "c3": False})
    a = _run(cli, _write(tmp_path / "a.jsonl", one), tmp_path / "pa.jsonl")
    b = _run(cli, _write(tmp_path / "b.jsonl", other), tmp_path / "pb.jsonl")
    assert a == b
    assert (tmp_path / "pa.jsonl").read_bytes() == (tmp_path / "pb.jsonl").read_bytes()


def test_a_quote_without_target_gets_the_dataset_target_it_mentions_or_none(cli: Cli, tmp_path: Path) -> None:
    gold = gold_line({"ukraine": "favor", "nato": "neutral", "c1": True, "c2": True, "c3": True})
    for q in gold["quotes"]:
        q["stance"] = None
    gold["quotes"][0] = _quote(TEXT, "Kyiv of shelling villages", "indirect", None, None)
    extra = {"id": "d2", "text": "The weather was fine, she said.", "annotator": "alice", "status": "done",
             "quotes": [_quote("The weather was fine, she said.", "The weather was fine", "indirect", None, None)],
             "claims": []}
    first, second = _run(cli, _write(tmp_path / "g.jsonl", gold, extra), tmp_path / "p.jsonl")
    assert [q["stance"]["target"] for q in first["quotes"]] == ["Ukraine", "NATO"]  # Kyiv -> Ukraine
    assert second["quotes"][0]["stance"] is None  # no dataset target mentioned: no stance


def test_keep_spans_output_scores_through_evaluate(cli: Cli, tmp_path: Path) -> None:
    gold = gold_line({"ukraine": "against", "nato": "against", "c1": False, "c2": True, "c3": False})
    src = _write(tmp_path / "gold.jsonl", gold)
    _run(cli, src, tmp_path / "pred.jsonl")
    result = cli("evaluate", src, tmp_path / "pred.jsonl", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["scores"]["quotes_exact"]["f1"] == 1.0  # spans untouched
    assert data["accuracy_counts"]["stance_target"] == {"n": 2, "correct": 2}
    assert data["macro_f1"]["stance"] is not None and data["scores"]["claims_sentence"]["n_gold"] == 1
    table = cli("evaluate", src, tmp_path / "pred.jsonl")
    assert "stance macro F1 (gold targets)" in table.stdout and "claims_sentence" in table.stdout


def test_keep_spans_bad_input_names_file_and_line(cli: Cli, tmp_path: Path) -> None:
    plain = _write(tmp_path / "plain.jsonl", {"text": "just text"})
    result = cli("predict", plain, "--keep-spans", "--out", tmp_path / "out.jsonl")
    assert result.exit_code == 1 and f"{plain}:1: not a gold JSONL line" in result.stderr
    assert not (tmp_path / "out.jsonl").exists()
    folder = cli("predict", tmp_path, "--keep-spans")
    assert folder.exit_code == 1 and "--keep-spans reads gold JSONL files" in folder.stderr
