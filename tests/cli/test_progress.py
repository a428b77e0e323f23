"""Long work is never silent: off a terminal (a log, a pipe) the progress bar becomes a plain line every
PLAIN_EVERY seconds (issue 17.9: preannotate said nothing until it ended), and drawing a bar nobody can see
costs nothing at start-up (rich is not imported)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from annotator.cli import progress as progress_module
from annotator.cli.progress import PLAIN_EVERY, PlainBar, progress_bar
from tests.conftest import ROOT


def test_off_a_terminal_a_plain_line_every_interval(capsys: pytest.CaptureFixture[str]) -> None:
    now = [0.0]
    bar = PlainBar("Pre-annotating", 2000, clock=lambda: now[0])
    bar.advance(100)  # no time passed: nothing yet
    now[0] = PLAIN_EVERY + 1
    bar.advance(400)
    bar.advance(10)  # right after a line: nothing
    assert capsys.readouterr().err == "Pre-annotating: 500 of 2000 (25%)\n"


def test_a_relabelled_plain_bar_names_the_new_step_verbatim(capsys: pytest.CaptureFixture[str]) -> None:
    now = [0.0]
    bar = PlainBar("training", None, clock=lambda: now[0])
    bar.describe("fold [2] of 5")
    now[0] = PLAIN_EVERY
    bar.advance(1)
    assert capsys.readouterr().err == "fold [2] of 5: 1\n"


def test_short_work_off_a_terminal_writes_nothing(capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress_module.sys.stderr, "isatty", lambda: False, raising=False)
    with progress_bar("Exporting jsonl", 3) as bar:
        bar.advance(3)
    assert capsys.readouterr().err == ""


def test_off_a_terminal_rich_is_not_loaded() -> None:
    code = (
        "import sys\nfrom annotator.cli.progress import progress_bar\n"
        "with progress_bar('Exporting jsonl', 3) as bar:\n    bar.advance(3)\n    bar.describe('done')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'rich'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
                         stdin=subprocess.DEVNULL)
    assert out.stdout.strip() == "[]"


def test_a_bar_counting_bytes_says_megabytes(capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # before: `import` of a 57 MB file showed "56677780/56677780" (bytes, unnamed) on a terminal and
    # "Importing: 12300000 of 56677780 (22%)" in a log
    now = [0.0]
    bar = PlainBar("Importing", 56_677_780, clock=lambda: now[0], unit="bytes")
    now[0] = PLAIN_EVERY
    bar.advance(12_300_000)
    assert capsys.readouterr().err == "Importing: 12.3 of 56.7 MB (22%)\n"
    monkeypatch.setattr(progress_module.sys.stderr, "isatty", lambda: True, raising=False)
    with progress_bar("Importing", 56_677_780, unit="bytes") as rich_bar:
        rich_bar.advance(56_677_780)
    shown = capsys.readouterr().err
    assert "56.7 MB" in shown and "56677780" not in shown, shown
