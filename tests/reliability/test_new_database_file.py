"""A first import into a new SQLite file: a failing import never deletes what another one stored (D1).

Two real `annotator import` processes race for one new file: one fails on its last line, one
succeeds. Whatever the order, the successful one's documents are in the file afterwards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from annotator.db.engine import open_database
from annotator.db.repo import Repository

ROOT = Path(__file__).resolve().parents[2]


def _jsonl(path: Path, prefix: str, n: int, bad_last: bool = False) -> Path:
    lines = [json.dumps({"id": f"{prefix}{i}", "text": f"{prefix} article number {i}."}) for i in range(n)]
    if bad_last:
        lines.append('{"text": oops')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _import(src: Path, db_file: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "annotator", "import", str(src), "--dataset", "news", "--db", f"sqlite:///{db_file}"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "COLUMNS": "200"},
    )


def _documents(db_file: Path) -> list[str]:
    with Repository(open_database(f"sqlite:///{db_file}")) as repo:
        return [d.ext_id for d in repo.iter_documents("news")]


def test_an_import_waiting_behind_a_failing_first_import_keeps_its_documents(tmp_path: Path) -> None:
    db_file = tmp_path / "new.db"
    failing = _import(_jsonl(tmp_path / "bad.jsonl", "bad", 1_500, bad_last=True), db_file)
    deadline = time.monotonic() + 60
    while not any(tmp_path.glob("*new.db*")):  # the failing import has started writing
        assert failing.poll() is None and time.monotonic() < deadline, failing.communicate()
        time.sleep(0.02)
    good = _import(_jsonl(tmp_path / "good.jsonl", "good", 300), db_file)
    good_out, good_err = good.communicate(timeout=300)
    _out, bad_err = failing.communicate(timeout=300)
    assert good.returncode == 0, good_err
    assert "Imported 300 document(s)" in good_out
    assert failing.returncode == 1 and "bad.jsonl:1501: malformed JSON" in bad_err
    assert _documents(db_file) == [f"good{i}" for i in range(300)]
    assert sorted(p.name for p in tmp_path.iterdir() if "new.db" in p.name) == ["new.db"]


def test_two_first_imports_at_once_one_failing_lose_nothing_of_the_other(tmp_path: Path) -> None:
    for round_ in range(2):
        db_file = tmp_path / f"new{round_}.db"
        procs = [
            _import(_jsonl(tmp_path / "ok.jsonl", "ok", 300), db_file),
            _import(_jsonl(tmp_path / "bad.jsonl", "bad", 300, bad_last=True), db_file),
        ]
        (ok_out, ok_err), (_o, bad_err) = (p.communicate(timeout=300) for p in procs)
        assert procs[0].returncode == 0, ok_err
        assert procs[1].returncode == 1 and "malformed JSON" in bad_err
        assert len(_documents(db_file)) == 300
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(f".new{round_}")) == []


def test_two_successful_first_imports_at_once_both_land_in_the_file(tmp_path: Path) -> None:
    db_file = tmp_path / "new.db"
    procs = [_import(_jsonl(tmp_path / f"{p}.jsonl", p, 200), db_file) for p in ("left", "right")]
    for p in procs:
        _out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    assert sorted(_documents(db_file)) == sorted([f"left{i}" for i in range(200)] + [f"right{i}" for i in range(200)])


def test_a_new_file_in_a_missing_or_unusable_folder_is_one_line_naming_it(cli, tmp_path: Path) -> None:
    # before: a --db path under a regular file was a traceback (NotADirectoryError removing the hidden
    # file), and the messages named the hidden file (".x.db.<hex>.new") instead of the one given
    src = _jsonl(tmp_path / "in.jsonl", "a", 2)
    (tmp_path / "afile").write_text("not a folder", encoding="utf-8")
    for target, problem in ((tmp_path / "afile" / "x.db", f"{tmp_path / 'afile'} is not a folder"),
                            (tmp_path / "nodir" / "x.db", "folder does not exist")):
        result = cli("import", src, "--dataset", "news", "--db", f"sqlite:///{target}")
        assert result.exit_code == 1
        assert result.stderr == f"Error: {target}: {problem}\n", result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "in.jsonl"]
