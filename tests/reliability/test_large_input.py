"""A 50 MB JSONL file is streamed: memory stays bounded, and a bad last line still stores nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

MEASURE = """
import resource, sys
from annotator.db.engine import open_database
from annotator.db.repo import Repository
from annotator.errors import UserError
from annotator.io.readers import read_sources
repo = Repository(open_database(sys.argv[1]))
try:
    result = repo.import_records("big", read_sources([sys.argv[2]]))
    print("added", result.added)
except UserError as exc:
    print("error", exc)
print("maxrss_kb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def write_big(path: Path, n_lines: int, line_chars: int = 20_000, bad_last: bool = False) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n_lines):
            body = (f"Line {i}: “quote” — said someone. " * (line_chars // 34 + 1))[:line_chars]
            fh.write(json.dumps({"id": f"d{i}", "text": body}, ensure_ascii=False) + "\n")
        if bad_last:
            fh.write('{"id": "broken", "text": \n')
    return path


def run(db: str, src: Path) -> tuple[str, int]:
    out = subprocess.run([sys.executable, "-c", MEASURE, db, str(src)], capture_output=True, text=True, cwd=ROOT,
                         check=True).stdout.split("\n")
    return out[0], int(out[1].split()[1])


def test_fifty_megabytes_stream_with_bounded_memory(tmp_path: Path) -> None:
    small = write_big(tmp_path / "small.jsonl", 250)  # 5 MB
    big = write_big(tmp_path / "big.jsonl", 2_500)  # 50 MB
    assert big.stat().st_size > 50_000_000
    small_result, small_rss = run(f"sqlite:///{tmp_path / 'a.db'}", small)
    big_result, big_rss = run(f"sqlite:///{tmp_path / 'b.db'}", big)
    assert small_result == "added 250" and big_result == "added 2500"
    # Holding the file (or its documents) in memory would cost 45+ MB more than the 5 MB import.
    assert (big_rss - small_rss) / 1024 < 30, (small_rss, big_rss)


def test_a_bad_line_at_the_end_of_fifty_megabytes_stores_nothing(tmp_path: Path) -> None:
    big = write_big(tmp_path / "big.jsonl", 2_500, bad_last=True)
    db = tmp_path / "c.db"
    result, _ = run(f"sqlite:///{db}", big)
    assert result == f"error {big}:2501: malformed JSON: Expecting value at column 26"
    from tests.helpers import db_snapshot

    assert db_snapshot(f"sqlite:///{db}")["documents"] == []
