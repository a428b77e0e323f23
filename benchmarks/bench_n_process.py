"""`annotator preannotate --n-process 1` vs `--n-process 2` through the real CLI, on sample-like documents.

The five sample articles are repeated to ``--docs`` documents (default 100; each copy ends with its own
line so that import does not drop it as a duplicate) and imported into one SQLite database per run; each
run is a whole ``annotator preannotate`` process with the default pipeline. Runs alternate (1, 2, 1, 2, ...
for ``--rounds``) so a change in the machine's load hits both; wall time, CPU time of the process and its
workers, and the load average are printed per run, then the median ratio.

    nice -n 10 .venv/bin/python benchmarks/bench_n_process.py [--docs 100] [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "annotator"]


def build(folder: Path, n: int) -> Path:
    """A database holding ``n`` sample-like documents (nothing pre-annotated)."""
    samples = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "sample_data").glob("*.txt"))]
    texts = folder / "texts"
    texts.mkdir()
    for i in range(n):
        (texts / f"d{i:04d}.txt").write_text(f"{samples[i % len(samples)]}\n\n(Copy {i}.)\n", encoding="utf-8")
    db = folder / "base.db"
    subprocess.run([*CLI, "import", str(texts), "--dataset", "bench", "--db", f"sqlite:///{db}"],
                   check=True, capture_output=True, cwd=ROOT)
    return db


def run(base: Path, n_process: int, folder: Path) -> tuple[float, float, float]:
    """(wall s, CPU s of the command and its workers, load average before) of one preannotate run."""
    db = folder / f"run-{n_process}-{time.monotonic_ns()}.db"
    shutil.copy(base, db)
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([*CLI, "preannotate", "--dataset", "bench", "--db", f"sqlite:///{db}", "--n-process",
                    str(n_process)], check=True, capture_output=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    db.unlink()
    return wall, cpu, load


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        base = build(folder, args.docs)
        print(f"{args.docs} documents, {os.cpu_count()} CPUs")
        walls: dict[int, list[float]] = {1: [], 2: []}
        for r in range(args.rounds):
            for n in (1, 2):
                wall, cpu, load = run(base, n, folder)
                walls[n].append(wall)
                print(f"round {r + 1}, --n-process {n}: {wall:6.1f} s wall, {cpu:6.1f} s CPU, load before {load:.1f}")
    one, two = statistics.median(walls[1]), statistics.median(walls[2])
    print(f"median wall: --n-process 1 {one:.1f} s, --n-process 2 {two:.1f} s: speed-up {one / two:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
