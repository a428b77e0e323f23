"""One validation before storage, the same on both backends (issue 16: D7, D11, D19).

Each case is a JSONL file whose second line a database would store wrongly, store on one backend
only, or make unusable later; import refuses it with `file:line: field: problem`, exit 1, and
stores nothing, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.db.engine import open_database
from tests.cli.test_import import TEXT, gold_line
from tests.conftest import SAMPLE_DIR
from tests.helpers import db_snapshot
from tests.conftest import Cli

QUOTE = gold_line()["quotes"][0]
SECOND_QUOTE = {"start": 44, "end": 59, "text": TEXT[44:59], "kind": "indirect", "cue": None, "speaker": None,
                "stance": None}


def _claim(start: int, end: int, **extra: object) -> dict[str, object]:
    return {"start": start, "end": end, "text": TEXT[start:end], "checkworthy": True, "speaker": None, **extra}


CASES = {
    # D7: item ids must be unique, counting the ids items without one get (q<position>, c<position>).
    "auto_quote_id_collides_with_explicit_q1": (
        lambda: gold_line(quotes=[{k: v for k, v in QUOTE.items() if k != "id"}, {**SECOND_QUOTE, "id": "q1"}]),
        "quotes[1].id: id 'q1' is also the id of quotes[0] (an item without an id is q<position>); "
        "item ids must be unique",
    ),
    "explicit_quote_ids_twice": (
        lambda: gold_line(quotes=[QUOTE, {**SECOND_QUOTE, "id": "q1"}]),
        "quotes[1].id: id 'q1' is also the id of quotes[0]; item ids must be unique",
    ),
    "claim_ids_twice": (
        lambda: gold_line(claims=[_claim(1, 10, id="c7"), _claim(12, 20, id="c7")]),
        "claims[1].id: id 'c7' is also the id of claims[0]; item ids must be unique",
    ),
    "auto_claim_id_collides": (
        lambda: gold_line(claims=[_claim(1, 10), _claim(12, 20, id="c1")]),
        "claims[1].id: id 'c1' is also the id of claims[0] (an item without an id is c<position>)",
    ),
    # D11: what only one backend would refuse, or what breaks later, is refused before storage.
    "nul_in_document_id": (
        lambda: {"id": "a\u0000b", "text": "Fine text."},
        "id: contains a NUL character (\\u0000), which databases cannot store",
    ),
    "nul_in_annotator_name": (
        lambda: gold_line(annotator="al\u0000ice"),
        "annotator: contains a NUL character (\\u0000)",
    ),
    "nul_in_quote_id": (
        lambda: gold_line(quotes=[{**QUOTE, "id": "q\u00001"}]),
        "quotes[0].id: contains a NUL character (\\u0000)",
    ),
    "nul_in_meta": (
        lambda: {"text": "Fine text.", "meta": {"outlet": "BBC\u0000"}},
        "meta.outlet: contains a NUL character (\\u0000)",
    ),
    "integer_id_of_600_digits": (
        lambda: {"id": 10 ** 599, "text": "Fine text."},
        "id: integer id has 600 digits; at most 500 characters",
    ),
    # D19: the contract's rules for gold.
    "same_quote_span_twice": (
        lambda: gold_line(quotes=[QUOTE, {**QUOTE, "id": "q2"}]),
        "quotes[1]: same span [1, 41) as quotes[0]: an item is listed twice",
    ),
    "same_claim_span_twice": (
        lambda: gold_line(claims=[_claim(1, 10), _claim(1, 10)]),
        "claims[1]: same span [1, 10) as claims[0]: an item is listed twice",
    ),
    "direct_quote_with_its_quotation_marks": (
        lambda: gold_line(quotes=[{**QUOTE, "start": 0, "end": 42, "text": TEXT[0:42]}]),
        "quotes[0]: a direct quote's span must not include its quotation marks (docs/contract.md section 1)",
    ),
    "stance_target_not_in_the_dataset": (
        lambda: gold_line(quotes=[{**QUOTE, "stance": {"target": "Mars", "label": "against"}}]),
        "quotes[0].stance.target: 'Mars' is not a stance target of 'g' (targets: Russia, Ukraine, NATO, "
        "the United States; add it with `annotator targets add`)",
    ),
}
RAW_CASES = {
    "nan_in_meta": ('{"text": "Fine text.", "meta": {"score": NaN}}', "meta.score: nan is not a JSON number"),
    "infinity_in_meta": ('{"text": "Fine text.", "meta": {"x": [1, -Infinity]}}', "meta.x[1]: -inf is not a JSON number"),
}


def _check_refused(cli: Cli, db_url: str, tmp_path: Path, line: str, expected: str) -> None:
    cli("import", SAMPLE_DIR / "000_60b67c4313700902.txt", "--dataset", "g", "--db", db_url)
    before = db_snapshot(db_url)
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(gold_line(id="ok", text=TEXT + " Ok.")) + "\n" + line + "\n", encoding="utf-8")
    result = cli("import", src, "--dataset", "g", "--db", db_url)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"Error: {src}:2: {expected}"), result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert db_snapshot(db_url) == before


@pytest.mark.parametrize("case", sorted(CASES))
def test_lines_a_database_would_mishandle_are_refused_with_file_line_and_field(cli, db_url, tmp_path, case) -> None:
    make, expected = CASES[case]
    _check_refused(cli, db_url, tmp_path, json.dumps(make()), expected)


@pytest.mark.parametrize("case", sorted(RAW_CASES))
def test_nan_and_infinity_are_not_json_and_are_refused(cli, db_url, tmp_path, case) -> None:
    line, expected = RAW_CASES[case]
    _check_refused(cli, db_url, tmp_path, line, expected)


def test_unique_generated_ids_still_import(cli, db_url: str, tmp_path: Path) -> None:
    """Items without ids next to explicit ids that do not collide are fine."""
    src = tmp_path / "ok.jsonl"
    line = gold_line(quotes=[{k: v for k, v in QUOTE.items() if k != "id"}, {**SECOND_QUOTE, "id": "q9"}],
                     claims=[_claim(1, 10), _claim(12, 20, id="c5")])
    src.write_text(json.dumps(line) + "\n", encoding="utf-8")
    result = cli("import", src, "--dataset", "g", "--db", db_url)
    assert result.exit_code == 0, result.output
    from annotator.db.repo import Repository

    with Repository(open_database(db_url)) as repo:
        [ann] = list(repo.versions("g", "alice"))
        assert [q.id for q in ann.quotes] == ["q1", "q9"]
        assert [c.id for c in ann.claims] == ["c1", "c5"]


def test_the_import_creating_a_dataset_adds_the_stance_targets_its_gold_uses(cli, db_url, tmp_path) -> None:
    """The chosen tolerance (D19): a new dataset has no list yet to check against, so its first import
    extends the default targets with the ones its gold uses; later imports are checked against that list."""
    src = tmp_path / "new.jsonl"
    src.write_text(json.dumps(gold_line(quotes=[{**QUOTE, "stance": {"target": "Mars", "label": "against"}}]))
                   + "\n", encoding="utf-8")
    result = cli("import", src, "--dataset", "fresh", "--db", db_url)
    assert result.exit_code == 0, result.output
    listed = cli("targets", "list", "--dataset", "fresh", "--db", db_url)
    assert listed.stdout.splitlines() == ["Russia", "Ukraine", "NATO", "the United States", "Mars"]
