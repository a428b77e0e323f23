"""The other commands' tables in an 80-column terminal: a value too wide for its column wraps onto the
next line, it is never cut to "…" (before: the stats' times of an assigned dataset, the speakers' outlets,
the models' names and paths)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner, Result

from annotator.cli import app
from tests.helpers import write_jsonl

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "tests" / "gold" / "sample_gold.jsonl"


def run(*args: str | Path) -> Result:
    result = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    return result


def folded(lines: list[str], value: str) -> bool:
    """``value`` (no spaces) is shown whole: at one column, on one line or folded over the next ones."""
    for i, line in enumerate(lines):
        x = line.find(value[:4])
        rest, j = value, i
        while x >= 0 and rest and j < len(lines):
            piece = lines[j][x:].split(" ")[0]
            if not piece or not rest.startswith(piece):
                break
            rest, j = rest[len(piece):], j + 1
        if x >= 0 and not rest:
            return True
    return False


def assert_whole(result: Result, *values: str) -> None:
    out = result.stdout
    assert "…" not in out and max(len(line) for line in out.splitlines()) <= 80, out
    for value in values:
        assert folded(out.splitlines(), value), (value, out)


def test_tables_keep_every_value_whole_at_80_columns(sqlite_url: str, tmp_path: Path) -> None:
    lines = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines()]
    outlet = "a-rather-long-outlet-name-without-any-spaces.example.com"
    rows = [{**line, "annotator": who, "meta": {"outlet": outlet}} for line in lines for who in ("alice", "bob")]
    run("import", write_jsonl(tmp_path / "g.jsonl", rows), "-d", "news", "--db", sqlite_url)
    run("assign", "-d", "news", "--annotators", "alice,bob,carol-with-a-long-name", "--overlap", "2",
        "--db", sqlite_url)
    assert_whole(run("stats", "-d", "news", "--db", sqlite_url), "carol-with-a-long-name", "0:00:00")
    assert_whole(run("datasets", "--db", sqlite_url), "news")
    assert_whole(run("speakers", "-d", "news", "--annotator", "alice", "--db", sqlite_url), outlet, "Lavrov")
    models = run("models", "--dir", tmp_path / "none")
    paths = [entry["path"] for entry in json.loads(run("models", "--json", "--dir", tmp_path / "none").stdout)]
    assert_whole(models, *paths)
    assert_whole(run("evaluate", GOLD, GOLD), "quotes_exact", "1.000")
