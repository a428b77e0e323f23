"""A command's own process tunes Python's garbage collector (``annotator.cli.heap``): young collections
rarer from the start, the start-up objects frozen out of the collector once the database is open. A library
caller or an in-process test run keeps its collector untouched; garbage cycles are still collected."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

from annotator.cli.heap import YOUNG_THRESHOLD
from tests.conftest import ROOT

#: Runs ``annotator`` as its entry point does, then prints what the collector was left with.
REPORT_AT_EXIT = (
    "import atexit, gc, json, sys\n"
    "atexit.register(lambda: print(json.dumps([gc.get_freeze_count(), gc.get_threshold()[0]])))\n"
    "from annotator.cli import main\n"
    "sys.argv = ['annotator', *sys.argv[1:]]\n"
    "main()\n"
)


def _collector_after(*args: str) -> tuple[int, int]:
    out = subprocess.run([sys.executable, "-c", REPORT_AT_EXIT, *args], capture_output=True, text=True, cwd=ROOT)
    frozen, young = json.loads(out.stdout.strip().splitlines()[-1])
    return frozen, young


def test_a_command_that_opens_its_database_freezes_what_start_up_left(cli, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'a.db'}"
    assert cli("import", str(ROOT / "sample_data"), "-d", "demo", "--db", db).exit_code == 0
    frozen, young = _collector_after("stats", "-d", "demo", "--db", db)
    assert frozen > 10_000  # the modules, typer's and SQLAlchemy's objects
    assert young == YOUNG_THRESHOLD
    frozen, young = _collector_after("--help")  # no database opened: nothing frozen, young collections rarer
    assert (frozen, young) == (0, YOUNG_THRESHOLD)


def test_running_the_app_in_this_process_leaves_its_collector_alone(cli, tmp_path: Path) -> None:
    before = (gc.get_freeze_count(), gc.get_threshold())
    db = f"sqlite:///{tmp_path / 'a.db'}"
    assert cli("import", str(ROOT / "sample_data"), "-d", "demo", "--db", db).exit_code == 0
    assert cli("stats", "-d", "demo", "--db", db).exit_code == 0
    assert (gc.get_freeze_count(), gc.get_threshold()) == before


def test_garbage_cycles_made_after_settling_are_still_collected() -> None:
    code = (
        "import gc, weakref\n"
        "from annotator.cli import heap\n"
        "heap.enable(); heap.settle()\n"
        "class Node: pass\n"
        "freed = []\n"
        "a, b = Node(), Node(); a.other, b.other = b, a\n"
        "weakref.finalize(a, freed.append, 'a')\n"
        "del a, b\n"
        "gc.collect()\n"
        "print(freed, gc.get_freeze_count() > 0)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "['a'] True"
