"""How a document's tokenization is stored (``Document.tokens``): packed, and read back as two arrays.

A tokenization is N ``[start, end)`` character offsets. Stored as a JSON list of pairs it took ~12 bytes per
token, and reading it back built two ints and a tuple per token (0.5 ms of a 1 kB document's export). It is
now stored as a JSON object

    {"n": N, "width": W, "gaps_lengths": "<base64>"}

whose base64 holds 2N little-endian unsigned integers of W bytes (1, 2 or 4, the smallest that holds them):
the N gaps (a token's start minus the previous token's end, the first token's from 0), then the N lengths
(end minus start). Reading it is a base64 decode and a cumulative sum (numpy), whatever N is.

The list form is still read: databases tokenized before the packed form hold it, and offsets that cannot be
packed (overlapping or unsorted tokens, numbers beyond 32 bits) are still stored that way. ``stats`` counts
tokens in SQL from ``n`` or the list's length (:func:`token_count`), so neither form is decoded there.
"""

from __future__ import annotations

import base64
from typing import Any, Sequence

from sqlalchemy import ColumnElement, Integer, case, func

from annotator.records import TokenOffsets

#: The key of the packed gaps and lengths in the stored object.
PACKED = "gaps_lengths"
_WIDTHS = (1, 2, 4)


def pack_tokens(offsets: Sequence[Sequence[int]]) -> dict[str, Any] | list[list[int]]:
    """The stored form of ``offsets``: packed when the tokens are in order and do not overlap, else the
    list of ``[start, end]`` pairs."""
    import numpy  # here, not at module level: exports that read no tokens (gold JSONL) load no numpy (~0.2 s)

    arrays = TokenOffsets.of(offsets)
    starts, ends = arrays.starts, arrays.ends
    n = int(starts.shape[0])
    gaps = starts - numpy.concatenate(([0], ends[:-1])).astype(numpy.int64)
    lengths = ends - starts
    top = int(max(gaps.max(), lengths.max())) if n else 0
    width = next((w for w in _WIDTHS if top < 256 ** w), None)
    if width is None or (n and (int(gaps.min()) < 0 or int(lengths.min()) < 0)):
        return [[int(s), int(e)] for s, e in zip(starts.tolist(), ends.tolist())]
    data = numpy.concatenate((gaps, lengths)).astype(f"<u{width}").tobytes()
    return {"n": n, "width": width, PACKED: base64.b64encode(data).decode("ascii")}


def unpack_tokens(stored: Any) -> TokenOffsets | None:
    """The offsets of a stored tokenization (either form); None for a document never tokenized.

    Raises ``ValueError`` for a stored value that is neither form."""
    if stored is None:
        return None
    if isinstance(stored, dict):
        n, width = stored.get("n"), stored.get("width")
        if not isinstance(n, int) or width not in _WIDTHS or not isinstance(stored.get(PACKED), str):
            raise ValueError("stored tokens: not a packed tokenization")
        import numpy

        values = numpy.frombuffer(base64.b64decode(stored[PACKED], validate=True), dtype=f"<u{width}")
        if values.shape != (2 * n,):
            raise ValueError(f"stored tokens: {values.shape[0]} packed numbers for {n} tokens")
        gaps, lengths = values[:n].astype(numpy.int64), values[n:].astype(numpy.int64)
        ends = numpy.cumsum(gaps + lengths)
        return TokenOffsets(ends - lengths, ends)
    if not isinstance(stored, list):
        raise ValueError("stored tokens: neither a list of offsets nor a packed tokenization")
    try:
        return TokenOffsets.of(stored)
    except (TypeError, ValueError, OverflowError):  # [[0, null]], [[1]], numbers beyond 64 bits
        raise ValueError("stored tokens: a list that is not of [start, end] integer pairs") from None


def token_count(column: Any, dialect: str) -> ColumnElement[Any]:
    """SQL: the number of tokens a stored tokenization holds (``n``, or the list's length); NULL for
    anything else (not tokenized, or a value of neither form)."""
    kind = func.json_typeof(column) if dialect == "postgresql" else func.json_type(column)
    return case(
        (kind == "array", func.json_array_length(column)),
        (kind == "object", column["n"].as_integer()),
        else_=None,
    ).cast(Integer)
