"""Long work is never silent: off a terminal (a log, a pipe) the progress bar becomes a plain line every
PLAIN_EVERY seconds (issue 17.9: preannotate said nothing until it ended)."""

from __future__ import annotations

import pytest
from rich.progress import Progress

from annotator.cli import progress as progress_module
from annotator.cli.progress import PLAIN_EVERY, Bar, progress_bar


def test_off_a_terminal_a_plain_line_every_interval(capsys: pytest.CaptureFixture[str]) -> None:
    now = [0.0]
    bar_progress = Progress(disable=True)
    bar = Bar(bar_progress, bar_progress.add_task("Pre-annotating", total=2000), plain="Pre-annotating",
              clock=lambda: now[0])
    bar.advance(100)  # no time passed: nothing yet
    now[0] = PLAIN_EVERY + 1
    bar.advance(400)
    bar.advance(10)  # right after a line: nothing
    assert capsys.readouterr().err == "Pre-annotating: 500 of 2000 (25%)\n"


def test_short_work_off_a_terminal_writes_nothing(capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress_module.sys.stderr, "isatty", lambda: False, raising=False)
    with progress_bar("Exporting jsonl", 3) as bar:
        bar.advance(3)
    assert capsys.readouterr().err == ""
