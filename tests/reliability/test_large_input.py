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


def test_a_document_over_the_size_limit_is_refused_and_nothing_stored(cli, db_url: str, tmp_path: Path) -> None:
    from tests.helpers import db_snapshot

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("A short article.", encoding="utf-8")
    (tmp_path / "in" / "b.txt").write_text("Far too long. " * 100, encoding="utf-8")
    result = cli("import", tmp_path / "in", "--dataset", "news", "--max-chars", "1000", "--db", db_url)
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {tmp_path / 'in' / 'b.txt'}: document of 1,400 characters is longer than "
                             "the limit of 1,000 (raise it with --max-chars)\n")
    assert all(rows == [] for table, rows in db_snapshot(db_url).items() if table != "alembic_version")
    jsonl = tmp_path / "long.jsonl"
    jsonl.write_text(json.dumps({"id": "x", "text": "y" * 1001}) + "\n", encoding="utf-8")
    refused = cli("predict", jsonl, "--max-chars", "1000")
    assert refused.exit_code == 1 and refused.stderr.startswith(f"Error: {jsonl}:1: text: document of 1,001 characters")
    assert cli("import", tmp_path / "in", "--dataset", "news", "--db", db_url).exit_code == 0  # default: 5,000,000


def _workers(proc: subprocess.Popen[bytes], args: list[str]) -> list[int]:
    """The pre-annotation worker processes of ``proc`` (forked: the same command line), once they run."""
    import time

    own = "".join(f"{a}\0" for a in args).encode()
    workers: list[int] = []
    deadline = time.monotonic() + 120
    while not workers and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.5)
        children = [c for task in Path(f"/proc/{proc.pid}/task").glob("*/children") for c in task.read_text().split()]
        workers = [int(c) for c in children if Path(f"/proc/{c}/cmdline").read_bytes() == own]
    assert workers, "no worker process appeared"
    return workers


def _preannotate_in_workers(tmp_path: Path, n_docs: int = 60, line_chars: int = 3_000) -> list[str]:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    src = write_big(tmp_path / "docs.jsonl", n_docs, line_chars=line_chars)
    assert subprocess.run([sys.executable, "-m", "annotator", "import", str(src), "--dataset", "big", "--db", url],
                          cwd=ROOT, capture_output=True).returncode == 0
    return [sys.executable, "-m", "annotator", "preannotate", "--dataset", "big", "--n-process", "2", "--batch-size",
            "1", "--db", url]


def test_ctrl_c_with_workers_is_one_line_and_exit_130(tmp_path: Path) -> None:
    # before: a forked worker waiting for work printed its own KeyboardInterrupt traceback above "Interrupted."
    import os
    import signal
    import time

    args = _preannotate_in_workers(tmp_path, n_docs=1, line_chars=60_000)  # one batch: the other worker waits
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    _workers(proc, args)
    time.sleep(1)  # both workers started: one parsing, one waiting for a batch (where the traceback came from)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl+C in a terminal does: the whole foreground process group
    try:
        _out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise AssertionError("preannotate hung after Ctrl+C") from None
    assert proc.returncode == 130, err.decode()
    assert err.decode().splitlines()[-1:] == ["Interrupted."] and "Traceback" not in err.decode(), err.decode()


def test_a_killed_worker_fails_the_run_instead_of_hanging_it(tmp_path: Path) -> None:
    import os
    import signal
    import time

    args = _preannotate_in_workers(tmp_path)
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    workers = _workers(proc, args)
    os.kill(workers[0], signal.SIGKILL)  # what the out-of-memory killer does
    try:
        _out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError("preannotate hung after a worker died") from None
    assert proc.returncode == 1
    assert "Error: a pre-annotation worker process died" in err.decode() and "Traceback" not in err.decode()
