"""Progress bars for long work: shown on a terminal (stderr), silent when piped or in tests."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


@contextmanager
def progress_bar(description: str, total: int | None) -> Iterator["Bar"]:
    """A rich progress bar (on a terminal only): ``bar.advance(n)`` moves it on, ``bar.describe(text)`` relabels it."""
    from rich.console import Console  # imported here: CLI start-up stays cheap
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not sys.stderr.isatty(),
    )
    with bar:
        yield Bar(bar, bar.add_task(description, total=total))


class Bar:
    """One task of a rich Progress."""

    def __init__(self, progress: "Progress", task: "TaskID") -> None:
        self._progress = progress
        self._task = task

    def advance(self, n: int) -> None:
        self._progress.advance(self._task, n)

    def describe(self, text: str) -> None:
        """Show ``text`` (rich markup: escape user data) as the bar's description."""
        self._progress.update(self._task, description=text)
