"""Progress bars for long work: shown on a terminal (stderr); when stderr is not a terminal (a log, a pipe,
``nohup``) one plain line every ``PLAIN_EVERY`` seconds instead ("Pre-annotating: 500 of 2000 (25%)"), so a
long run is never silent, and nothing for short work (tests)."""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Callable, Iterator

#: Seconds between two plain progress lines when stderr is not a terminal.
PLAIN_EVERY = 30.0

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
        yield Bar(bar, bar.add_task(description, total=total), plain=None if sys.stderr.isatty() else description)


class Bar:
    """One task of a rich Progress."""

    def __init__(self, progress: "Progress", task: "TaskID", plain: str | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._progress = progress
        self._task = task
        #: Not on a terminal: the description of the plain lines written instead of the bar.
        self._plain = plain
        self._clock = clock
        self._last_line = clock()
        self._done = 0

    def advance(self, n: int) -> None:
        self._progress.advance(self._task, n)
        self._done += n
        if self._plain is not None and self._clock() - self._last_line >= PLAIN_EVERY:
            self._last_line = self._clock()
            total = next((t.total for t in self._progress.tasks if t.id == self._task), None)
            of = f" of {int(total)} ({self._done / total:.0%})" if total else ""
            sys.stderr.write(f"{self._plain}: {self._done}{of}\n")
            sys.stderr.flush()

    def describe(self, text: str) -> None:
        """Show ``text`` (rich markup: escape user data) as the bar's description."""
        self._progress.update(self._task, description=text)
