"""`annotator review` stores documents on which all annotators agree as gold: export --gold and train see them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import write_jsonl
from tests.tui.helpers import pretend_terminal
from tests.review.test_review_session import T1, T3, line, quote
from tests.conftest import Cli


def test_review_stores_agreed_documents_as_gold(cli: Cli, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pretend_terminal(monkeypatch)  # review needs a terminal; with nothing to decide its screen never opens
    rows = [
        line("d1", T1, "alice", [quote(T1, "Talks were useful")]),
        line("d1", T1, "bob", [quote(T1, "Talks were useful")]),
        line("d3", T3, "alice"),
        line("d3", T3, "bob"),
    ]
    assert cli("import", write_jsonl(tmp_path / "v.jsonl", rows), "--dataset", "r", "--db", db_url).exit_code == 0

    result = cli("review", "--dataset", "r", "--annotators", "alice,bob", "--db", db_url)
    assert result.exit_code == 0, result.output
    assert "Stored 2 document(s) on which alice, bob agree as 'gold'." in result.stdout
    assert "No disagreements left to review in 'r'." in result.stdout

    exported = cli("export", "jsonl", "--dataset", "r", "--gold", "--out", "-", "--db", db_url)
    assert exported.exit_code == 0, exported.output
    gold = {d["id"]: d for d in map(json.loads, exported.stdout.splitlines())}
    assert sorted(gold) == ["d1", "d3"]
    assert [q["text"] for q in gold["d1"]["quotes"]] == ["Talks were useful"] and gold["d3"]["quotes"] == []

    again = cli("review", "--dataset", "r", "--annotators", "alice,bob", "--db", db_url)
    assert again.exit_code == 0 and "Stored" not in again.stdout  # a resumed review stores nothing twice
