"""`evaluate` never silently scores predictions that cannot be compared with the gold."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import GOLD_FILE
from tests.helpers import write_jsonl


def _gold() -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in GOLD_FILE.read_text(encoding="utf-8").splitlines()]


def test_a_prediction_for_another_text_is_refused(cli, tmp_path: Path) -> None:
    pred = _gold()
    pred[2] = {**pred[2], "text": pred[2]["text"].replace(" ", "  ", 1), "quotes": [], "claims": []}
    src = write_jsonl(tmp_path / "pred.jsonl", pred)
    result = cli("evaluate", GOLD_FILE, src)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {src}:3: text: differs from the text of gold document {pred[2]['id']!r} ({GOLD_FILE}:3): "
        "offsets into another text cannot be scored\n"
    )


def test_predictions_whose_ids_match_nothing_are_refused(cli, tmp_path: Path) -> None:
    pred = [{**line, "id": f"other-{i}"} for i, line in enumerate(_gold())]
    src = write_jsonl(tmp_path / "pred.jsonl", pred)
    result = cli("evaluate", GOLD_FILE, src, "--json")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith(f"Error: {src}: no prediction has the id of a gold document (gold ids: ")


def test_partly_matching_predictions_are_scored_with_warnings(cli, tmp_path: Path) -> None:
    gold = _gold()
    pred = [gold[0], gold[1], {**gold[2], "id": "stray"}]
    result = cli("evaluate", GOLD_FILE, write_jsonl(tmp_path / "pred.jsonl", pred), "--json")
    assert result.exit_code == 0, result.output
    assert "Warning: 1 prediction(s) match no gold document by id and are ignored: 'stray'" in result.stderr
    assert "Warning: 3 gold document(s) have no prediction and count as finding nothing: " in result.stderr
    data = json.loads(result.stdout)
    assert data["unmatched_predictions"] == ["stray"] and len(data["missing_predictions"]) == 3


def test_a_document_given_twice_is_refused_on_either_side(cli, tmp_path: Path) -> None:
    # before: a second prediction of a document was ignored without a word (the first one was scored), and
    # a gold file with two annotators' versions (an `export jsonl` of everyone) scored each document twice
    gold = _gold()
    first, other = gold[1], {**gold[1], "quotes": [], "claims": []}
    twice = write_jsonl(tmp_path / "twice.jsonl", [gold[0], first, gold[2], other])
    for args, side in (((GOLD_FILE, twice), "predictions"), ((twice, GOLD_FILE), "gold")):
        result = cli("evaluate", *args)
        assert result.exit_code == 1 and result.stdout == "", side
        assert result.stderr == (
            f"Error: {twice}:4: id: document {first['id']!r} is given twice (first at line 2): evaluate scores "
            "one version per document (export one annotator's: --annotator NAME or --gold)\n"
        ), result.stderr
