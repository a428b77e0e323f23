"""Stance targets given on the command line or kept per dataset are exactly the targets used."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.db.engine import open_database
from annotator.db.repo import Repository

ARTICLE = ("“Russia must stop, and NATO will stand firm,” said Antony Blinken. "
           "“Ukraine deserves support,” said Ann Linde. “The United States is ready,” he added.\n")


def test_predict_targets_with_a_trailing_comma_has_no_empty_target(cli, tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "pred.jsonl"
    result = cli("predict", src, "--targets", "Russia, NATO,", "--out", out)
    assert result.exit_code == 0, result.output
    (line,) = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    targets = {q["stance"]["target"] for q in line["quotes"] if q["stance"]}
    assert targets and targets <= {"Russia", "NATO"}
    reimport = cli("import", out, "--dataset", "p", "--db", f"sqlite:///{tmp_path / 'x.db'}")
    assert reimport.exit_code == 0, reimport.output  # the predictions are valid gold lines

    none = cli("predict", src, "--targets", "", "--out", out)
    assert none.exit_code == 0, none.output
    assert all(q["stance"] is None for q in json.loads(out.read_text(encoding="utf-8"))["quotes"])


def test_a_dataset_without_stance_targets_gets_no_stance_suggestions(cli, db_url: str, tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_text(ARTICLE, encoding="utf-8")
    assert cli("import", src, "--dataset", "news", "--db", db_url).exit_code == 0
    removed = cli("targets", "remove", "Russia", "Ukraine", "NATO", "the United States", "--dataset", "news",
                  "--db", db_url)
    assert removed.exit_code == 0 and "Stance targets: (none)" in removed.stdout
    assert cli("preannotate", "--dataset", "news", "--db", db_url).exit_code == 0
    (suggested,) = Repository(open_database(db_url)).suggestions("news")
    assert suggested.quotes and all(q.stance is None for q in suggested.quotes)
