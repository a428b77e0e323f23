"""A document's packed word bounds give back its whitespace tokens and length, alone or many joined."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest

from annotator.word_bounds import WHITESPACE_CODEPOINTS, pack_word_bounds, token_bounds, unpack_many, word_count

TEXTS = [
    "", " ", "\n\t \u3000", "word", "  two  words ", "Talks\n\nin\u00a0Vienna,\u2028said the minister.",
    "x" * 300 + " " * 70_000 + "y",  # a token and a gap beyond one byte and beyond two
    "\ud800 lone surrogates \udfff count as word characters",
]


def _random_text(rng: random.Random) -> str:
    alphabet = ["a", "é", "語", "\U0001F600", "\ud800", *map(chr, WHITESPACE_CODEPOINTS)]
    return "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 60)))


def _regex_tokens(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(r"\S+", text)]


@pytest.mark.parametrize("seed", range(3))
def test_packed_bounds_are_the_regex_tokens_and_the_length_of_each_text(seed: int) -> None:
    rng = random.Random(seed)
    for text in TEXTS + [_random_text(rng) for _ in range(200)]:
        packed = pack_word_bounds(text)
        joined = unpack_many([packed])
        assert list(zip(joined.token_starts.tolist(), joined.token_ends.tolist())) == _regex_tokens(text)
        assert joined.lengths.tolist() == [len(text)] and joined.starts.tolist() == [0]
        assert word_count(packed) == joined.token_counts[0] == len(_regex_tokens(text))
        assert (word_count(packed) == 0) == (not text or text.isspace())


def test_many_documents_unpack_as_their_texts_joined_with_one_newline() -> None:
    """What agreement's token statistics use: one call for a chunk of documents, offsets in the joined text."""
    rng = random.Random(7)
    texts = TEXTS + [_random_text(rng) for _ in range(300)]
    joined = unpack_many([pack_word_bounds(t) for t in texts])
    starts, ends = token_bounds("\n".join(texts))
    assert np.array_equal(joined.token_starts, starts) and np.array_equal(joined.token_ends, ends)
    assert joined.lengths.tolist() == [len(t) for t in texts]
    assert joined.starts.tolist() == [sum(len(t) + 1 for t in texts[:i]) for i in range(len(texts))]
    assert joined.token_counts.tolist() == [len(_regex_tokens(t)) for t in texts]
    assert all(len(a) == 0 for a in unpack_many([]))


def test_the_narrowest_width_that_holds_every_gap_and_length_is_stored() -> None:
    assert pack_word_bounds("a bc")[0] == 1 and len(pack_word_bounds("a bc")) == 1 + 5
    assert pack_word_bounds("a" * 256)[0] == 2
    assert pack_word_bounds(" " * 70_000)[0] == 4


@pytest.mark.parametrize("bad", [b"", b"\x03\x00", b"\x01\x00\x01", b"\x02\x00\x00\x00"])
def test_a_value_that_is_not_a_packed_form_is_refused(bad: bytes) -> None:
    with pytest.raises(ValueError, match="not a packed form"):
        unpack_many([pack_word_bounds("fine"), bad])
