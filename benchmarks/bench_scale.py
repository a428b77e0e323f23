"""Exports and `stats` at growing corpus sizes: wall time, throughput and peak RSS of whole processes.

For each size, builds a SQLite database of synthetic annotated documents (``bench_export.synthetic``:
about 1,100 characters, 3 attributed quotes and 2 claims each, a stored tokenization as ``preannotate``
leaves it), then runs the real CLI in a fresh process per command (``annotator export jsonl|prodigy|
docbin|doccano|label-studio``, ``annotator stats``) under ``/usr/bin/time -v`` and prints one table.

    .venv/bin/python benchmarks/bench_scale.py [--docs 1000,10000]

Goals (issue 18): peak RSS < 500 MB for every export at any size; jsonl >= 5,000 docs/s, prodigy >= 3,000,
docbin >= 1,000 at 10,000 documents (whole process, so start-up counts).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_export import build  # noqa: E402

ANNOTATOR = str(Path(sys.executable).with_name("annotator"))
COMMANDS: tuple[tuple[str, list[str]], ...] = (
    ("export jsonl", ["export", "jsonl"]),
    ("export prodigy", ["export", "prodigy"]),
    ("export docbin", ["export", "docbin"]),
    ("export doccano", ["export", "doccano"]),
    ("export label-studio", ["export", "label-studio"]),
    ("stats", ["stats"]),
)
GOALS = {"export jsonl": 5_000, "export prodigy": 3_000, "export docbin": 1_000}
RSS_GOAL_MB = 500


def measure(args: list[str]) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in MB) of one CLI process."""
    t0 = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v", ANNOTATOR, *args], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", proc.stderr).group(1))  # type: ignore[union-attr]
    system = float(re.search(r"System time \(seconds\): ([\d.]+)", proc.stderr).group(1))  # type: ignore[union-attr]
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))  # type: ignore[union-attr]
    return wall, user + system, rss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", default="1000,10000", help="comma-separated corpus sizes")
    sizes = [int(x) for x in parser.parse_args().docs.split(",")]
    rows: list[tuple[int, str, float, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            url = f"sqlite:///{Path(tmp) / f'bench{n}.db'}"
            built = build(url, n, tokens=True)
            print(f"built {n:,} documents in {built:.1f} s", flush=True)
            for name, cmd in COMMANDS:
                extra = ["--out", str(Path(tmp) / f"out{n}")] if cmd[0] == "export" else []
                if extra:
                    Path(extra[1]).mkdir(exist_ok=True)
                wall, cpu, rss = measure([*cmd, "--dataset", "bench", "--db", url, *extra])
                rows.append((n, name, wall, cpu, rss))
                print(f"  {name:22s} {wall:7.2f} s", flush=True)
    print()
    print(f"| documents | command | wall s | CPU s | docs/s (wall) | peak RSS MB | goal |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | --- |")
    for n, name, wall, cpu, rss in rows:
        goal = []
        if name in GOALS:
            goal.append(f"≥ {GOALS[name]:,}/s: {'ok' if n / wall >= GOALS[name] else 'below'}")
        if name.startswith("export"):
            goal.append(f"< {RSS_GOAL_MB} MB: {'ok' if rss < RSS_GOAL_MB else 'over'}")
        print(f"| {n:,} | {name} | {wall:.2f} | {cpu:.2f} | {n / wall:,.0f} | {rss:.0f} | {'; '.join(goal)} |")


if __name__ == "__main__":
    main()
