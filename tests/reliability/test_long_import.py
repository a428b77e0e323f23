"""Annotators keep saving while a long import runs (issue 16, D12).

The import's input is read and validated before its write transaction, which is then short, so an
annotator process whose SQLite busy timeout is shorter than the whole import (here 1 s, against
an import whose input takes about 4 s to read) saves every decision and never sees "database is
locked". The import stays all or nothing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

from annotator.db.engine import open_database
from annotator.records import ImportRecord
from annotator.db.repo import Repository
from annotator.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
READ_SECONDS = 4.0


def _slow_records(n: int, bad_at: int | None = None) -> Iterator[ImportRecord]:
    """Records that take READ_SECONDS to produce, like a big file being read and validated."""
    for i in range(n):
        time.sleep(READ_SECONDS / n)
        if i == bad_at:
            raise InputError("malformed JSON", "big.jsonl", i + 1)
        yield ImportRecord(f"new{i}", f"A newly imported article, number {i}.", {}, "big.jsonl", i + 1)


def _annotator(url: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.decider", url, "rel", "busy", "1000000", "3"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "ANNOTATOR_BUSY_TIMEOUT": "1"},
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready", proc.stderr.read() if proc.stderr else ""
    return proc


def _stop(proc: subprocess.Popen[str]) -> tuple[str, str]:
    still_running = proc.poll() is None
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert still_running, f"the annotator process stopped during the import:\n{err}"
    assert "database is locked" not in err
    return out, err


def test_an_annotator_keeps_saving_during_a_long_import(seeded) -> None:
    url, repo = seeded
    proc = _annotator(url)
    try:
        result = repo.import_records("rel", _slow_records(400))
        time.sleep(0.5)  # the annotator's next saves after the import committed
    finally:
        out, _err = _stop(proc)
    assert result.added == 400
    saved = [line for line in out.splitlines() if line.startswith("saved ")]
    assert len(saved) > 10  # it really was saving all along
    assert repo.count_documents("rel") == 4 + 400


def test_a_long_import_failing_at_its_end_stores_nothing_while_an_annotator_saves(seeded) -> None:
    url, repo = seeded
    proc = _annotator(url)
    try:
        with pytest.raises(InputError, match="big.jsonl:400: malformed JSON"):
            repo.import_records("rel", _slow_records(400, bad_at=399))
    finally:
        _stop(proc)
    assert repo.count_documents("rel") == 4
    assert [d.ext_id for d in repo.iter_documents("rel")] == ["d0", "d1", "d2", "d3"]
