"""`train --output DIR` writes only into a folder it made: a user's folder is refused, nothing in it touched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.errors import UserError
from annotator.training.train import OUTPUT_MARKER, check_output
from tests.conftest import GOLD_FILE
from tests.conftest import Cli


def _import_gold(cli: Cli, db_url: str, tmp_path: Path) -> None:
    lines = [{**json.loads(line), "annotator": "gold"} for line in GOLD_FILE.read_text(encoding="utf-8").splitlines()]
    src = tmp_path / "gold.jsonl"
    src.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    assert cli("import", src, "--dataset", "g", "--db", db_url).exit_code == 0


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_train_refuses_a_users_folder_and_touches_nothing_in_it(cli, sqlite_url: str, tmp_path: Path) -> None:
    _import_gold(cli, sqlite_url, tmp_path)
    mine = tmp_path / "my-project"
    (mine / "corpus").mkdir(parents=True)
    (mine / "corpus" / "interviews.txt").write_text("my transcripts")
    (mine / "config.cfg").write_text("[my settings]")
    (mine / "scores.json").write_text('{"mine": 1}')
    before = _tree(mine)

    result = cli("train", "--dataset", "g", "--output", mine, "--folds", "2", "--db", sqlite_url)

    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert f"{mine}: folder is not empty and was not made by `annotator train`" in result.stderr
    assert _tree(mine) == before and not (mine / OUTPUT_MARKER).exists()


def test_a_new_or_empty_folder_is_ours_and_so_is_a_marked_one(tmp_path: Path) -> None:
    check_output(tmp_path / "new")
    (tmp_path / "empty").mkdir()
    check_output(tmp_path / "empty")
    marked = tmp_path / "marked"
    (marked / "training").mkdir(parents=True)
    (marked / OUTPUT_MARKER).write_text("")
    check_output(marked)
    (tmp_path / "file").write_text("x")
    with pytest.raises(UserError, match="not a folder"):
        check_output(tmp_path / "file")


def test_a_folder_trained_before_the_marker_is_recognised_by_its_exact_layout(tmp_path: Path) -> None:
    old = tmp_path / "old-model"
    (old / "training" / "model-best").mkdir(parents=True)
    (old / "training" / "model-best" / "meta.json").write_text("{}")
    (old / "corpus").mkdir()
    for name in ("corpus/train.spacy", "corpus/dev.spacy", "config.cfg", "scores.json"):
        (old / name).write_text("")
    check_output(old)
    (old / "corpus" / "notes.txt").write_text("mine")  # anything else in it: not ours to replace
    with pytest.raises(UserError, match="was not made by `annotator train`"):
        check_output(old)


def test_every_training_command_refuses_an_output_under_a_file_before_any_work(cli, sqlite_url: str,
                                                                               tmp_path: Path) -> None:
    # before: train, train-base and train-classifier did their minutes of work and then failed with a
    # traceback (NotADirectoryError / FileExistsError) making the folder
    _import_gold(cli, sqlite_url, tmp_path)
    (tmp_path / "afile").write_text("x")
    out = tmp_path / "afile" / "model"
    data = tmp_path / "claims.json"
    data.write_text("[]")
    (tmp_path / "corpus").mkdir()
    for args in (("train", "--dataset", "g", "--output", out, "--db", sqlite_url),
                 ("train-classifier", "claims", "--data", data, "--out", out),
                 ("train-base", tmp_path / "corpus", "--output", out)):
        result = cli(*args)
        assert result.exit_code == 1, (args, result.output)
        assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, (args, result.stderr)
        assert f"{tmp_path / 'afile'}" in result.stderr and "not a folder" in result.stderr, result.stderr
