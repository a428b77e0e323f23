"""Which SQLite files passed ``PRAGMA quick_check`` and have not changed since: those are not checked again.

Why: the check on opening (a damaged file is refused before anything reads or writes it) reads the whole
file: 1.2 s of CPU and 2.7 s of wall time on a 0.9 GB database (50,000 documents), before every command.
After a check passes, the file's identity, size and time of change (and its write-ahead log's) are kept as
a stamp in the user's cache (``ANNOTATOR_CACHE_DIR``, else ``$XDG_CACHE_HOME/annotator``, else
``~/.cache/annotator``); a file whose stat is still the stamp's is not checked again. Any write (ours, another
tool's, a copy over it) changes its time of change, so it is checked once more on its next opening.

A stamp is kept only for a file unchanged for ``SETTLED_SECONDS``: file times are coarse (a few ms), and a
change within the same tick as the one stamped would otherwise keep its time. A stamp that cannot be read
or written (no cache folder, read-only home) means checking every time, as without stamps.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from pathlib import Path

#: Where stamps are kept (tests point it at a temporary folder).
CACHE_ENV_VAR = "ANNOTATOR_CACHE_DIR"
#: How long a file must have been unchanged for its stamp to be kept.
SETTLED_SECONDS = 2.0


def _cache_dir() -> Path:
    explicit = os.environ.get(CACHE_ENV_VAR)
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "annotator"


def _stamp_path(db_file: Path) -> Path:
    key = hashlib.sha256(str(db_file.resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return _cache_dir() / "quick-checked" / key


def _state(db_file: Path) -> tuple[list[object], int] | None:
    """The file's and its write-ahead log's identity, size and times of change, and the latest of those times
    (ns); None if it cannot be read."""
    try:
        st = os.stat(db_file)
    except OSError:
        return None
    newest = max(st.st_mtime_ns, st.st_ctime_ns)
    try:
        wal = os.stat(f"{db_file}-wal")
        wal_state: list[int] | None = None  # empty: made by any opening, holding nothing
        if wal.st_size:
            wal_state = [wal.st_size, wal.st_mtime_ns, wal.st_ctime_ns]
            newest = max(newest, wal.st_mtime_ns, wal.st_ctime_ns)
    except FileNotFoundError:
        wal_state = None
    except OSError:
        return None
    return [str(db_file.resolve()), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, wal_state], newest


def unchanged_since_checked(db_file: Path) -> bool:
    """Whether ``db_file`` passed a quick check and has not changed since (its stamp matches)."""
    state = _state(db_file)
    if state is None:
        return False
    try:
        return bool(json.loads(_stamp_path(db_file).read_text(encoding="utf-8")) == state[0])
    except (OSError, ValueError):
        return False


def remember_checked(db_file: Path) -> None:
    """Keep a stamp of ``db_file`` after a passed quick check (if it has settled; see the module docstring)."""
    state = _state(db_file)
    if state is None or time.time_ns() - state[1] < SETTLED_SECONDS * 1e9:
        return
    path = _stamp_path(db_file)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".stamp-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(state[0], fh)
        os.replace(tmp, path)
    except OSError:
        return
