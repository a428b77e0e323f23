"""Reading a whole JSON file (a scheme, a corpus) with the one-line errors every reader gives."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.errors import InputError


def load_json_file(path: Path, what: str = "") -> object:
    """The parsed contents of ``path``; unreadable or malformed files raise ``InputError`` naming file and line."""
    prefix = f"{what}: " if what else ""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {prefix}{exc}", str(path)) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"malformed JSON: {exc.msg}", str(path), exc.lineno) from None
