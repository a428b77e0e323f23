"""Showing user data in a terminal: never as markup, control characters (ANSI escapes) made visible."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def safe(text: str) -> str:
    """``text`` with control characters shown as ``\\xNN`` so they cannot drive the terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def literal(text: str, style: str = "") -> Text:
    """A rich Text that shows ``text`` literally: no markup parsing, no raw escapes."""
    from rich.text import Text

    return Text(safe(text), style=style)
