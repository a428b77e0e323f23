"""A text's whitespace tokens (the ``\\S+`` runs agreement counts), and the packed form a document stores.

Agreement's token statistics need, per compared document, where its whitespace tokens lie and how long its
text is. Computing them from every text on every run was a fifth of a 50,000-document report (reading the
texts, then a pass over each character), so they are computed once, when a document gets its first version
(only such documents are compared; an import of plain texts does not pay for them), and stored
(``Document.word_bounds``), packed as

    one byte W (1, 2, 4 or 8), then 2N + 1 little-endian unsigned integers of W bytes:
    s0, e0 - s0, s1 - e0, e1 - s1, ..., e(N-1) - s(N-1), length - e(N-1)

(the first token's start, then alternately each token's length and the gap to the next, and last the
text's length after the last token end; N = 0: the length alone). Their cumulative sum is
``s0, e0, s1, e1, ..., length``: the bounds of many documents are read with one concatenation and one
cumulative sum (:func:`unpack_many`). A 1 kB text's ~180 tokens take ~360 bytes (W = 1).

numpy is imported here at module level: import this module only where numpy is needed anyway (the
storage layer imports it inside the functions that write or read documents' bounds).
"""

from __future__ import annotations

from typing import Any, NamedTuple, Sequence

import numpy as np

#: Code points for which ``str.isspace()`` is true: exactly what ``\s`` matches in a ``str`` regex.
WHITESPACE_CODEPOINTS: tuple[int, ...] = (
    *range(0x09, 0x0E), *range(0x1C, 0x21), 0x85, 0xA0, 0x1680,
    *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F, 0x205F, 0x3000,
)  # fmt: skip
#: Whether a code point is part of a word, up to the highest whitespace code point; the last entry stands
#: for every code point beyond it (one table lookup per character).
_WORD = np.ones(max(WHITESPACE_CODEPOINTS) + 2, dtype=bool)
_WORD[list(WHITESPACE_CODEPOINTS)] = False
_WIDTHS: dict[int, np.dtype[Any]] = {1: np.dtype("<u1"), 2: np.dtype("<u2"), 4: np.dtype("<u4"), 8: np.dtype("<u8")}


def code_points(text: str) -> np.ndarray:
    """The text's code points as a numpy array, lone surrogates included (its bytes when ASCII: a quarter of
    the copy)."""
    if text.isascii():
        return np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


def _changes(text: str) -> np.ndarray:
    """Offsets where a token starts or ends, alternately (code points; numpy's table lookup per character)."""
    cp = code_points(text)
    word = np.zeros(len(cp) + 2, dtype=bool)  # a non-word character on either side
    np.take(_WORD, cp, out=word[1:-1], mode="clip")  # beyond the table: its last entry (a word character)
    return np.flatnonzero(word[1:] != word[:-1])


def token_bounds(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Starts and ends of the ``\\S+`` tokens of ``text``, computed on code points with numpy."""
    if not text:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    change = _changes(text)
    return change[0::2].astype(np.int64, copy=False), change[1::2].astype(np.int64, copy=False)


def pack_word_bounds(text: str) -> bytes:
    """The stored form of ``text``'s whitespace tokens and length (the module docstring)."""
    change = _changes(text) if text else np.zeros(0, dtype=np.int64)
    bounds = np.empty(len(change) + 2, dtype=np.int64)  # 0, s0, e0, ..., length (np.diff's prepend/append: 2x slower)
    bounds[0], bounds[1:-1], bounds[-1] = 0, change, len(text)
    values = bounds[1:] - bounds[:-1]
    top = int(values.max())
    width = next(w for w in _WIDTHS if top < 256 ** w)
    return bytes((width,)) + values.astype(_WIDTHS[width]).tobytes()


def is_packed(value: object) -> bool:
    """Whether ``value`` has the shape of a packed form (bytes, a known width, 2N + 1 values): what a
    document's stored bounds must be to be trusted (they are derived data; the text is the truth)."""
    if not isinstance(value, (bytes, bytearray, memoryview)) or not len(value):
        return False
    width = value[0]
    return width in _WIDTHS and (len(value) - 1) % (2 * width) == width


def word_count(packed: bytes) -> int:
    """How many tokens a packed form holds (without decoding it)."""
    return (len(packed) - 1) // packed[0] // 2


class Joined(NamedTuple):
    """Documents as if joined into one text (:func:`unpack_many`); offsets in that text, int64 arrays."""

    starts: np.ndarray  #: per document: where its text starts
    lengths: np.ndarray  #: per document: its text's length
    token_starts: np.ndarray  #: every document's tokens, in order
    token_ends: np.ndarray
    token_counts: np.ndarray  #: per document: how many tokens it has


def unpack_many(packed: Sequence[bytes], gap: int = 1) -> Joined:
    """The documents of ``packed`` as if joined into one text with ``gap`` characters between documents: one
    concatenation and one cumulative sum, whatever the number of documents.

    Raises ``ValueError`` on a value that is not a packed form."""
    parts = []
    for p in packed:
        if not is_packed(p):
            raise ValueError("stored word bounds: not a packed form")
        parts.append(np.frombuffer(p, dtype=_WIDTHS[p[0]], offset=1))
    n = len(parts)
    if not n:
        empty = np.zeros(0, dtype=np.int64)
        return Joined(empty, empty, empty, empty, empty)
    sizes = np.fromiter(map(len, parts), dtype=np.int64, count=n)  # 2 N_d + 1 values per document
    values = np.concatenate(parts).astype(np.int64)
    last = np.cumsum(sizes) - 1  # each document's last value: its length after the last token
    values[last[:-1]] += gap  # the gap between documents ends each document but the last
    ends = np.cumsum(values)
    starts = np.zeros(n, dtype=np.int64)
    starts[1:] = ends[last[:-1]]
    lengths = ends[last] - starts
    lengths[:-1] -= gap
    keep = np.ones(len(ends), dtype=bool)
    keep[last] = False
    bounds = ends[keep]  # alternately a token's start and its end (np.delete of ``last``: 3x slower)
    return Joined(starts, lengths, bounds[0::2], bounds[1::2], sizes // 2)
