"""`annotator export jsonl`: where it writes, what it selects, and how it fails (nothing half-written)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

import annotator.io.gold as gold_io
from annotator.db.engine import open_database
from annotator.records import GOLD, ExportedVersion
from annotator.db.repo import Repository
from annotator.errors import UserError
from annotator.io.output import safe_stem
from annotator.scheme import Annotation
from tests.conftest import SAMPLE_DIR
from tests.io.samples import build_line


def _lines(data: str) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(x) for x in data.splitlines()]


def test_default_output_under_exports(cli, annotated: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("export", "jsonl", "--dataset", "news", "--db", annotated)
    assert result.exit_code == 0, result.output
    out = tmp_path / "exports" / "news-all.jsonl"
    assert result.stderr.strip() == f"Wrote 10 line(s) (6 document(s)) to {Path('exports') / 'news-all.jsonl'}"
    assert result.stdout == ""
    lines = _lines(out.read_text(encoding="utf-8"))
    assert len(lines) == 10 and {x["status"] for x in lines} == {"done"}  # bob's flagged document left out

    result = cli("export", "jsonl", "--dataset", "news", "--annotator", "alice", "--db", annotated)
    assert result.exit_code == 0, result.output
    alice = _lines((tmp_path / "exports" / "news-alice.jsonl").read_text(encoding="utf-8"))
    assert [x["annotator"] for x in alice] == ["alice"] * 6
    assert sorted(os.listdir(tmp_path / "exports")) == ["news-alice.jsonl", "news-all.jsonl"]  # no temp files left


def test_status_all_includes_unfinished_versions(cli, annotated: str) -> None:
    result = cli("export", "jsonl", "--dataset", "news", "--annotator", "bob", "--status", "all", "--out", "-",
                 "--db", annotated)
    assert result.exit_code == 0, result.output
    assert [x["status"] for x in _lines(result.stdout)] == ["done", "done", "done", "flagged", "done"]


def test_stdout_gets_the_lines_and_no_summary(cli, annotated: str) -> None:
    result = cli("export", "jsonl", "--dataset", "news", "-a", "alice", "--out", "-", "--db", annotated)
    assert result.exit_code == 0
    assert result.stderr == ""
    assert len(result.stdout_bytes.splitlines()) == 6
    assert "Сергей Лавров".encode() in result.stdout_bytes


def test_gold_is_the_adjudicated_annotator(cli, annotated: str, tmp_path: Path) -> None:
    missing = cli("export", "jsonl", "--dataset", "news", "--gold", "--out", tmp_path / "g.jsonl", "--db", annotated)
    assert missing.exit_code == 1
    assert f"annotator {GOLD!r} has no versions in dataset 'news'" in missing.stderr
    assert not (tmp_path / "g.jsonl").exists()
    repo = Repository(open_database(annotated))
    (alice,) = [a for a in repo.versions("news", "alice") if a.doc_id.startswith("000")]
    repo.put_version("news", type(alice)(**{**{f: getattr(alice, f) for f in alice.__dataclass_fields__}, "annotator": GOLD}))
    result = cli("export", "jsonl", "--dataset", "news", "--gold", "--out", tmp_path / "g.jsonl", "--db", annotated)
    assert result.exit_code == 0, result.output
    (line,) = _lines((tmp_path / "g.jsonl").read_text(encoding="utf-8"))
    assert line["annotator"] == GOLD and line["quotes"] == json.loads(json.dumps(alice.to_dict()))["quotes"]
    both = cli("export", "jsonl", "--dataset", "news", "--gold", "--annotator", "alice", "--db", annotated)
    assert both.exit_code == 2 and "--gold" in both.stderr


def test_rejected_items_are_left_out(cli, annotated: str) -> None:
    repo = Repository(open_database(annotated))
    version = repo.open_version(repo.document_ids("news")[0], "alice")
    q1 = version.quotes[0]
    repo.save_item(version.version_id, "quotes", q1.id, {**q1.to_dict(), "status": "rejected"}, "reject")
    result = cli("export", "jsonl", "--dataset", "news", "-a", "alice", "--out", "-", "--db", annotated)
    first = _lines(result.stdout)[0]
    assert q1.id not in [q["id"] for q in first["quotes"]]
    assert len(first["quotes"]) == len(version.quotes) - 1


def test_names_cannot_escape_the_exports_folder(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A changed name gets 8 hex digits of its SHA-1, so "a/b" and "a_b" never share a file.
    assert re.fullmatch(r"etc_passwd-[0-9a-f]{8}", safe_stem("../../etc/passwd"))
    assert re.fullmatch(r"_-[0-9a-f]{8}", safe_stem("..")) and safe_stem("..") != safe_stem("")
    assert re.fullmatch(r"hidden-[0-9a-f]{8}", safe_stem(".hidden"))
    assert re.fullmatch(r"a_b_c_d_31m-[0-9a-f]{8}", safe_stem("a/b\\c d\x1b[31m"))
    assert re.fullmatch(r"Сергей_Лавров-[0-9a-f]{8}", safe_stem("Сергей—Лавров"))
    assert safe_stem("Сергей_Лавров") == "Сергей_Лавров" and safe_stem("news-2024") == "news-2024"
    assert len(safe_stem("x" * 500)) == 80
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'x.db'}"
    evil_dataset, evil_annotator = "../../outside", "../x/../../y"
    line = build_line("d1", (SAMPLE_DIR / "000_60b67c4313700902.txt").read_text(encoding="utf-8"), evil_annotator)
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    assert cli("import", src, "--dataset", evil_dataset, "--db", url).exit_code == 0
    result = cli("export", "jsonl", "--dataset", evil_dataset, "--annotator", evil_annotator, "--db", url)
    assert result.exit_code == 0, result.output
    (name,) = os.listdir(tmp_path / "exports")
    assert re.fullmatch(r"outside-[0-9a-f]{8}-x_y-[0-9a-f]{8}\.jsonl", name)
    assert sorted(p.name for p in tmp_path.parent.iterdir() if p.name.endswith(".jsonl")) == []


def test_out_into_a_missing_folder_is_a_clear_error(cli, annotated: str, tmp_path: Path) -> None:
    result = cli("export", "jsonl", "--dataset", "news", "--out", tmp_path / "nope" / "x.jsonl", "--db", annotated)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {tmp_path / 'nope'}: folder does not exist (create it first)"
    assert not (tmp_path / "nope").exists()


def test_out_as_an_existing_folder_gets_the_default_name(cli, annotated: str, tmp_path: Path) -> None:
    folder = tmp_path / "dumps"
    folder.mkdir()
    result = cli("export", "jsonl", "--dataset", "news", "-a", "bob", "--out", folder, "--db", annotated)
    assert result.exit_code == 0, result.output
    assert os.listdir(folder) == ["news-bob.jsonl"]


def test_unknown_dataset_annotator_or_database(cli, annotated: str, tmp_path: Path) -> None:
    r = cli("export", "jsonl", "--dataset", "nope", "--db", annotated)
    assert r.exit_code == 1 and "no dataset named 'nope' (datasets: news)" in r.stderr
    r = cli("export", "prodigy", "--dataset", "news", "--annotator", "carol", "--db", annotated)
    assert r.exit_code == 1 and "annotator 'carol' has no versions in dataset 'news' (annotators: alice, bob)" in r.stderr
    missing_db = tmp_path / "missing.db"
    r = cli("export", "docbin", "--dataset", "news", "--db", f"sqlite:///{missing_db}")
    assert r.exit_code == 1 and "no such database" in r.stderr
    assert not missing_db.exists()  # exporting never creates a database


def test_no_done_versions_is_an_error_and_writes_nothing(cli, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    assert cli("import", SAMPLE_DIR, "--dataset", "raw", "--db", url).exit_code == 0
    out = tmp_path / "raw.jsonl"
    for fmt in ("jsonl", "prodigy", "docbin"):
        r = cli("export", fmt, "--dataset", "raw", "--out", out, "--db", url)
        assert r.exit_code == 1
        assert "nothing to export: no done versions in dataset 'raw' (add --status all" in r.stderr
        assert not out.exists()
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def test_failure_midway_leaves_the_previous_export_intact(
    cli, annotated: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "news.jsonl"
    out.write_text("previous export\n", encoding="utf-8")
    calls = {"n": 0}
    real = gold_io.exported_line

    def flaky(ev: ExportedVersion) -> str:
        calls["n"] += 1
        if calls["n"] == 4:
            raise UserError("disk on fire")
        return real(ev)

    monkeypatch.setattr(gold_io, "exported_line", flaky)
    r = cli("export", "jsonl", "--dataset", "news", "--out", out, "--db", annotated)
    assert r.exit_code == 1 and "disk on fire" in r.stderr
    assert out.read_text(encoding="utf-8") == "previous export\n"
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def test_export_jsonl_loads_neither_numpy_nor_spacy(annotated: str, tmp_path: Path) -> None:
    """Gold lines need no tokens: a fresh process exporting them imports no numpy (~0.2 s of start-up at
    10k documents' export) and no spaCy."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = (
        "import sys\nfrom typer.testing import CliRunner\nfrom annotator.cli import app\n"
        f"r = CliRunner().invoke(app, ['export', 'jsonl', '--dataset', 'news', '--db', {annotated!r}, "
        f"'--out', {str(tmp_path / 'out.jsonl')!r}])\n"
        "print(r.exit_code, sorted(m for m in ('numpy', 'spacy', 'thinc') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "0 []", out.stdout + out.stderr
    assert len((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()) == 10
