"""Showing user data in a terminal: never as markup, never as terminal control.

One set of characters is unsafe (``UNSAFE``): C0 controls except tab and newline, DEL, C1 controls
(``\\x9b`` is a CSI on some terminals), the bidi embeddings, overrides, isolates and marks (U+202E
shows text reversed) and the line/paragraph separators. Every place that shows user data uses one of
its three renderings:

- ``safe``: as a visible escape (``\\x1b``, ``\\u202e``), for CLI messages and tables;
- ``visible``: as a visible symbol of the same length (``␛``, ``⇆``, ``↵``, ``�``), where offsets must hold (the TUI);
- ``json_text``: as a JSON ``\\uXXXX`` escape, for ``--json`` output (still valid JSON, same value).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.text import Text

UNSAFE: frozenset[int] = frozenset(
    (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0), 0x061C, 0x200E, 0x200F,
     *range(0x2028, 0x202F), *range(0x2066, 0x206A))
)
_UNSAFE_RE = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(UNSAFE)) + "]")
#: Same-length symbols: C0 as the Control Pictures block (U+2400...), DEL as ␡, tab as a space, the bidi
#: controls (U+202E shows text reversed) as ⇆, the line and paragraph separators as ↵, C1 controls as �
#: (⇆ and ↵ are one cell wide everywhere: East Asian width neutral).
_BIDI = frozenset((0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)))
_SYMBOLS = {c: (0x2400 + c if c < 0x20 else 0x2421 if c == 0x7F else 0x21C6 if c in _BIDI
                else 0x21B5 if c in (0x2028, 0x2029) else 0xFFFD) for c in UNSAFE}
_SYMBOLS[0x09] = 0x20


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(text: str) -> str:
    """``text`` with unsafe characters shown as ``\\xNN`` / ``\\uNNNN`` so they cannot drive the terminal."""
    return _UNSAFE_RE.sub(lambda m: _escape(m.group()), text)


def visible(text: str) -> str:
    """``text`` with unsafe characters (and tab) replaced one-for-one by visible symbols (offsets unchanged)."""
    return text.translate(_SYMBOLS)


def json_text(dumped: str) -> str:
    """JSON text (from ``json.dumps``) with unsafe characters as ``\\uXXXX`` escapes: the same JSON value.

    Unsafe characters can only occur inside JSON strings, where ``\\uXXXX`` is a valid escape.
    """
    return _UNSAFE_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)


def literal(text: str, style: str = "") -> Text:
    """A rich Text that shows ``text`` literally: no markup parsing, no raw escapes."""
    from rich.text import Text

    return Text(safe(text), style=style)


_SGR = re.compile(r"\x1b\[[0-9;]*m")


class SafeStream:
    """A text stream for a library's log shown to the user (spaCy's training log): its colour codes are
    dropped and everything else goes through ``safe`` (the log repeats paths and names it was given)."""

    def __init__(self, target: TextIO):
        self.target = target

    def write(self, text: str) -> int:
        self.target.write(safe(_SGR.sub("", text)))
        return len(text)

    def flush(self) -> None:
        self.target.flush()

    def isatty(self) -> bool:
        return False
