"""Progress bars for long work: shown on a terminal (stderr), silent when piped or in tests."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    from rich.progress import Progress


@contextmanager
def progress_bar(description: str, total: int | None) -> Iterator[Progress]:
    """A rich Progress with one task id 0; advance with ``bar.advance(0, n)``."""
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
        bar.add_task(description, total=total)
        yield bar
