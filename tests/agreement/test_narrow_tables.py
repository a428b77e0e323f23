"""The agreement tables stay readable in an 80-column terminal: the widest table is split into a
span and a token table, the others keep names whole; --json does not depend on the width."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

from rich.console import Console
from rich.table import Table
from typer.testing import CliRunner, Result

from annotator.agreement import compute_agreement
from annotator.agreement.documents import by_document
from annotator.agreement.gold import against_gold
from annotator.agreement.render import documents_table, gold_tables, report_tables
from annotator.cli import app
from tests.agreement.test_gold_and_documents import ROWS
from tests.agreement.test_report import random_versions
from tests.helpers import write_jsonl


def rendered(width: int, tables: Iterable[Table]) -> str:
    console = Console(width=width, record=True, file=open("/dev/null", "w"))
    for table in tables:
        console.print(table)
    return console.export_text()


def test_every_table_fits_80_columns_with_names_whole() -> None:
    versions = random_versions(3, names=("alice", "bob", "carol"))
    report = compute_agreement(versions)
    gold = against_gold({**versions, "gold": versions["alice"]}, "gold", ["bob", "carol"])
    tables = [*report_tables(report, 80), *gold_tables(gold), documents_table(by_document(versions))]
    out = rendered(80, tables)
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "…" not in out  # nothing cut
    for whole in ("alice – carol", "not_checkworthy", "checkworthy", "Span agreement", "Token agreement"):
        assert whole in out
    wide = rendered(200, report_tables(report, 200))
    assert "Span and token agreement" in wide and "Token agreement" not in wide


def run(width: int, *args: str) -> Result:
    return CliRunner().invoke(app, list(args), catch_exceptions=False, env={"COLUMNS": str(width)})


def test_cli_at_80_columns_and_json_unchanged(sqlite_url: str, tmp_path: Path) -> None:
    assert run(200, "import", str(write_jsonl(tmp_path / "v.jsonl", ROWS)), "-d", "w", "--db", sqlite_url).exit_code == 0
    for args in ((), ("--against", "gold"), ("--by-document",)):
        out = run(80, "agreement", "-d", "w", *args, "--db", sqlite_url)
        assert out.exit_code == 0, out.output
        assert max(len(line) for line in out.stdout.splitlines()) <= 80 and "…" not in out.stdout, args
        narrow = json.loads(run(80, "agreement", "-d", "w", *args, "--json", "--db", sqlite_url).stdout)
        wide = json.loads(run(200, "agreement", "-d", "w", *args, "--json", "--db", sqlite_url).stdout)
        assert narrow == wide
