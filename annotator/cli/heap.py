"""How a command's process sets Python's cyclic garbage collector once its database is open.

A streaming command (an export, agreement, stats) allocates millions of short-lived objects that form no
cycles (decoded JSON, task dicts, Annotations). With CPython's defaults a young collection starts every 700
allocations, and every few batches a full one walks the whole heap again, start-up objects included (the
modules, typer's and SQLAlchemy's metadata): 10-18 % of an export's CPU on 10,000 documents. Once the
database is open, the objects alive are frozen out of the collector (``gc.freeze``: they stay alive and
reference-counted as before, only no longer traversed), and from the start young collections begin every
``YOUNG_THRESHOLD`` allocations (imports, too, allocate objects that all live). Garbage cycles are still
collected.

Only the ``annotator`` process entry point (``cli.main``) turns this on: a library caller, or a test running
the app inside its own process, keeps its collector as it is.
"""

from __future__ import annotations

import gc

#: Allocations (net) between two young collections; CPython's default is 700.
YOUNG_THRESHOLD = 10_000

_enabled = False


def enable() -> None:
    """Make young collections rarer in this process and let :func:`settle` freeze its start-up objects
    (the process entry point calls this first)."""
    global _enabled
    _enabled = True
    young, middle, old = gc.get_threshold()
    gc.set_threshold(max(young, YOUNG_THRESHOLD), middle, old)


def settle() -> None:
    """Freeze the objects alive now out of the cyclic collector (when :func:`enable` was called); called
    once the command's database is open, its start-up done."""
    if _enabled:
        gc.freeze()
