"""Progress bars for long work: shown on a terminal (stderr); when stderr is not a terminal (a log, a pipe,
``nohup``) one plain line every ``PLAIN_EVERY`` seconds instead ("Pre-annotating: 500 of 2000 (25%)"), so a
long run is never silent, and nothing for short work (tests). Off a terminal rich is not even imported: a
scripted export or import does not pay for drawing it cannot show."""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Callable, Iterator, Protocol

#: Seconds between two plain progress lines when stderr is not a terminal.
PLAIN_EVERY = 30.0

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


class Bar(Protocol):
    """What long work reports to: ``advance(n)`` moves it on, ``describe(text)`` relabels it (plain text:
    data, never markup)."""

    def advance(self, n: int) -> None: ...

    def describe(self, text: str) -> None: ...


@contextmanager
def progress_bar(description: str, total: int | None, unit: str = "") -> Iterator[Bar]:
    """A rich progress bar on a terminal; off one, plain lines now and then (``PlainBar``).
    ``unit="bytes"``: the count is bytes (an import reads its files), shown in kB / MB."""
    if not sys.stderr.isatty():
        yield PlainBar(description, total, unit=unit)
        return
    from rich.console import Console  # imported here: CLI start-up stays cheap
    from rich.progress import (
        BarColumn, DownloadColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn,
    )

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        DownloadColumn() if unit == "bytes" else MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    with bar:
        yield RichBar(bar, bar.add_task(_escaped(description), total=total))


def _escaped(text: str) -> str:
    from rich.markup import escape

    return escape(text)


class RichBar:
    """One task of a rich Progress, on a terminal."""

    def __init__(self, progress: "Progress", task: "TaskID") -> None:
        self._progress = progress
        self._task = task

    def advance(self, n: int) -> None:
        self._progress.advance(self._task, n)

    def describe(self, text: str) -> None:
        self._progress.update(self._task, description=_escaped(text))


class PlainBar:
    """Off a terminal: one line to stderr at most every ``PLAIN_EVERY`` seconds, none for short work."""

    def __init__(self, description: str, total: int | None, clock: Callable[[], float] = time.monotonic,
                 unit: str = "") -> None:
        self._description = description
        self._total = total
        self._unit = unit
        self._clock = clock
        self._last_line = clock()
        self._done = 0

    def advance(self, n: int) -> None:
        self._done += n
        if self._clock() - self._last_line >= PLAIN_EVERY:
            self._last_line = self._clock()
            suffix = " MB" if self._unit == "bytes" else ""
            of = f" of {self._amount(self._total)}{suffix} ({self._done / self._total:.0%})" if self._total else suffix
            sys.stderr.write(f"{self._description}: {self._amount(self._done)}{of}\n")
            sys.stderr.flush()

    def _amount(self, n: int | None) -> str:
        """A count as the line shows it: bytes in MB (as rich's DownloadColumn on a terminal)."""
        return f"{(n or 0) / 1e6:.1f}" if self._unit == "bytes" else str(n)

    def describe(self, text: str) -> None:
        """The next plain line names ``text`` (the training's current step, for example)."""
        self._description = text
