"""CLI start-up: `annotator --help` against a bare `python -c pass`, whole processes, in one run.

Each command runs ``--runs`` times, interleaved with the others (a change in the machine's load hits all of
them); the median wall and CPU (user + system) time of each is printed with its ratio to bare Python. Also
shown: ``import typer`` alone (the floor of a typer CLI) and importing the package's CLI without running it.

    .venv/bin/python benchmarks/bench_startup.py [--runs 15]

Goal: `annotator --help` at most 0.15 s (issue 18.6; it was 0.47 s, 23x bare Python).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path
import time

BIN = Path(sys.executable).parent
GOAL_S = 0.15


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import typer'": [sys.executable, "-c", "import typer"],
        "python -c 'import annotator.cli'": [sys.executable, "-c", "import annotator.cli"],
        "annotator --help": [str(BIN / "annotator"), "--help"],
        "annotator export docbin --help": [str(BIN / "annotator"), "export", "docbin", "--help"],
    }
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    loads = []
    for _ in range(args.runs):
        loads.append(os.getloadavg()[0])
        for name, command in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
            walls[name].append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    base_wall = statistics.median(walls["python -c pass"])
    base_cpu = statistics.median(cpus["python -c pass"])
    print(f"{args.runs} runs each, load average {min(loads):.1f}-{max(loads):.1f}")
    for name in commands:
        wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
        print(f"{name:34s} wall {wall * 1000:6.0f} ms ({wall / base_wall:4.1f}x)   CPU {cpu * 1000:5.0f} ms "
              f"({cpu / base_cpu:4.1f}x)")
    helps = statistics.median(walls["annotator --help"])
    print(f"annotator --help goal <= {GOAL_S:.2f} s: {'ok' if helps <= GOAL_S else 'not met on this run'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
