"""Export gold JSONL -> import into a new database -> export again: byte-identical (contract section 2)."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.io.validation import check_gold_semantics, validator
from tests.io.conftest import import_samples
from tests.io.samples import UNICODE_ID, sample_lines
from tests.conftest import Cli


def _export(cli: Cli, db: str, out: Path, *extra: str) -> bytes:
    result = cli("export", "jsonl", "--dataset", "news", "--db", db, "--out", out, *extra)
    assert result.exit_code == 0, result.output
    assert f"to {out}" in result.stderr
    return out.read_bytes()


def test_export_import_export_is_byte_identical(cli, db_url: str, tmp_path: Path) -> None:
    """First database on each backend (SQLite, PostgreSQL), the re-import always into a new SQLite file."""
    import_samples(cli, db_url, tmp_path)
    for extra, name in (((), "done"), (("--status", "all"), "all")):
        first = _export(cli, db_url, tmp_path / f"first-{name}.jsonl", *extra)
        db2 = f"sqlite:///{tmp_path / f'second-{name}.db'}"
        result = cli("import", tmp_path / f"first-{name}.jsonl", "--dataset", "news", "--db", db2)
        assert result.exit_code == 0, result.output
        second = _export(cli, db2, tmp_path / f"second-{name}.jsonl", *extra)
        assert second == first
        # and once more, from the second database, to a third
        db3 = f"sqlite:///{tmp_path / f'third-{name}.db'}"
        assert cli("import", tmp_path / f"second-{name}.jsonl", "--dataset", "news", "--db", db3).exit_code == 0
        assert _export(cli, db3, tmp_path / f"third-{name}.jsonl", *extra) == first


def test_exported_lines_are_the_imported_lines_in_document_then_annotator_order(cli, annotated: str, tmp_path: Path) -> None:
    data = _export(cli, annotated, tmp_path / "all.jsonl", "--status", "all")
    lines = data.decode("utf-8").splitlines()
    expected = sample_lines()
    order = {line["id"]: k for k, line in enumerate(expected) if line["annotator"] == "alice"}
    expected.sort(key=lambda line: (order[line["id"]], line["annotator"]))
    assert lines == [json.dumps(line, ensure_ascii=False) for line in expected]
    assert [json.loads(x)["annotator"] for x in lines[:2]] == ["alice", "bob"]


def test_every_exported_line_is_valid_gold_and_unicode_is_written_raw(cli, annotated: str, tmp_path: Path) -> None:
    data = _export(cli, annotated, tmp_path / "all.jsonl", "--status", "all")
    assert not data.startswith(b"\xef\xbb\xbf") and data.endswith(b"\n")
    text = data.decode("utf-8")
    for needle in ("Сергей Лавров", "“", "—", "📰", UNICODE_ID, "🇷🇺"):
        assert needle in text
    assert "\\u" not in text  # ensure_ascii=False: no escapes
    schema = validator("gold")
    for lineno, line in enumerate(text.splitlines(), start=1):
        obj = json.loads(line)
        errors = list(schema.iter_errors(obj))
        assert not errors, (lineno, errors[0].message)
        check_gold_semantics(obj, "export", lineno)
