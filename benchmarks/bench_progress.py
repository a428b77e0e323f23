"""The annotate screen's status line: ``AnnotationSession.progress()``, which the UI asks every second, at
growing dataset sizes. Its cost should not grow with the documents.

For each size N builds a temporary SQLite database of N short documents (``Repository.import_records``),
opens a session on it, marks a few documents done and times ``progress()`` (median of 2,000 calls, wall and
CPU). One run measures every size, so the ratios between sizes are of one machine state.

    nice -n 10 .venv/bin/python benchmarks/bench_progress.py [--docs 1000,10000,100000]

Goal: flat in N (at 100,000 documents well under 1 ms).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from annotator.annotate.session import AnnotationSession  # noqa: E402
from annotator.db.engine import open_database  # noqa: E402
from annotator.db.repo import Repository  # noqa: E402
from annotator.records import ImportRecord  # noqa: E402

CALLS = 2_000


def measure(folder: str, n: int) -> tuple[float, float]:
    """(median wall µs, median CPU µs) of one ``progress()`` call at ``n`` documents."""
    repo = Repository(open_database(f"sqlite:///{os.path.join(folder, f'progress{n}.db')}"))
    repo.import_records("bench", (ImportRecord(f"doc{i:06d}", f"Document {i} said nothing.", {}, "bench")
                                  for i in range(n)))
    session = AnnotationSession(repo, "bench", "bench-user")
    for _ in range(3):
        session.mark_done()
    walls, cpus = [], []
    for _ in range(CALLS):
        w, c = time.perf_counter(), time.process_time()
        session.progress()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    progress = session.progress()
    assert progress.done == 3 and progress.total == n, progress
    repo.close()
    return statistics.median(walls) * 1e6, statistics.median(cpus) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", default="1000,10000,100000", help="comma-separated dataset sizes")
    sizes = [int(x) for x in parser.parse_args().docs.split(",")]
    print(f"load average {os.getloadavg()[0]:.1f}")
    print("| documents | progress() median wall | CPU |")
    print("| ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            wall, cpu = measure(tmp, n)
            print(f"| {n:,} | {wall:,.1f} µs | {cpu:,.1f} µs |", flush=True)


if __name__ == "__main__":
    main()
