"""Pre-annotation in several processes, where a dead worker fails the run instead of hanging it.

``nlp.pipe(n_process=N)`` waits forever on a worker that was killed (what the out-of-memory killer
does). Here batches go to a ``ProcessPoolExecutor`` whose workers are forked with the loaded pipeline:
a worker that dies breaks the pool, and the run stops with ``WorkerDied`` (a one-line message in the
CLI). At most two batches per worker are in flight, so memory stays bounded, and results come back
in input order.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Any, Callable, Iterable, Iterator

from spacy.language import Language

from annotator.errors import UserError

_NLP: Language | None = None
_WORK: Callable[[Language, list[tuple[str, str]]], list[Any]] | None = None


class WorkerDied(UserError):
    """A worker process ended without a result (killed, e.g. by the out-of-memory killer)."""


def _init(nlp: Language, work: Callable[[Language, list[tuple[str, str]]], list[Any]]) -> None:
    global _NLP, _WORK
    _NLP, _WORK = nlp, work
    # Ctrl+C reaches every process of the terminal's group: a worker ends at once and quietly (the parent
    # says "Interrupted."); with Python's handler one waiting for work printed a KeyboardInterrupt traceback
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _run(batch: list[tuple[str, str]]) -> list[Any]:
    assert _NLP is not None and _WORK is not None
    return _WORK(_NLP, batch)


def run_in_workers(
    nlp: Language,
    items: Iterable[tuple[str, str]],
    work: Callable[[Language, list[tuple[str, str]]], list[Any]],
    batch_size: int,
    n_process: int,
) -> Iterator[Any]:
    """``work(nlp, batch)`` for consecutive batches of ``items`` (read lazily) in ``n_process`` forked
    workers; yields the results of each batch in input order. ``work`` must be a module-level function."""
    context = multiprocessing.get_context("fork")  # the workers inherit the loaded pipeline, nothing pickled
    source = iter(items)
    batches = iter(lambda: list(islice(source, batch_size)), [])
    pending: deque[Future[list[Any]]] = deque()
    with ProcessPoolExecutor(n_process, mp_context=context, initializer=_init, initargs=(nlp, work)) as pool:
        try:
            for batch in batches:
                pending.append(pool.submit(_run, batch))
                if len(pending) >= 2 * n_process:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
        except BrokenProcessPool:
            for future in pending:
                future.cancel()
            raise WorkerDied(
                "a pre-annotation worker process died (killed, perhaps by the out-of-memory killer); "
                "documents finished before it are kept: run again, with fewer --n-process or a smaller --batch-size"
            ) from None
