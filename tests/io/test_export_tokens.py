"""Token layouts and span alignment: the same as spaCy's Doc and ``char_span(alignment_mode="expand")``."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language

from annotator.io.tokens import Tokenization, layout_from_offsets

TRICKY = (
    " date  2021 —\n\n “We’re ready,” Сергей Лавров 🇷🇺 said.\t\n  Done 👀  ",
    "Blinken said: “We’re ready — 🤝 — to talk.”",
    "\nx",
    "a",
)


@pytest.fixture(scope="module")
def nlp() -> Language:
    return spacy.blank("en")


@pytest.mark.parametrize("text", TRICKY)
def test_layout_from_spacy_offsets_rebuilds_the_same_doc(nlp: Language, text: str) -> None:
    doc = nlp.make_doc(text)
    layout = layout_from_offsets(text, [(t.idx, t.idx + len(t)) for t in doc])
    assert layout is not None
    assert layout.words(text) == [t.text for t in doc]
    assert list(layout.ws) == [bool(t.whitespace_) for t in doc]


@pytest.mark.parametrize("text", TRICKY)
def test_layout_from_non_spacy_offsets_covers_the_text(text: str) -> None:
    """Stored offsets that skip whitespace (e.g. str.split) still give words + spaces == text."""
    import re

    offsets = [m.span() for m in re.finditer(r"\S+", text)]
    layout = layout_from_offsets(text, offsets)
    assert layout is not None
    rebuilt = "".join(w + (" " if ws else "") for w, ws in zip(layout.words(text), layout.ws))
    assert rebuilt == text
    assert all(w for w in layout.words(text))


@pytest.mark.parametrize("text", TRICKY)
def test_align_equals_char_span_expand_for_every_span(nlp: Language, text: str) -> None:
    doc = nlp.make_doc(text)
    layout = layout_from_offsets(text, [(t.idx, t.idx + len(t)) for t in doc])
    assert layout is not None
    for start in range(len(text)):
        for end in range(start + 1, len(text) + 1):
            span = doc.char_span(start, end, alignment_mode="expand")
            got = layout.align(start, end)
            if span is None or len(span) == 0:
                assert got is None, (start, end)
            else:
                assert got == (span.start, span.end - 1), (start, end, span.text)


def test_stored_offsets_that_do_not_fit_are_refused() -> None:
    text = "Mr Blinken said."
    assert layout_from_offsets(text, [(0, 2), (1, 5)]) is None  # overlapping
    assert layout_from_offsets(text, [(3, 10), (0, 2)]) is None  # unsorted
    assert layout_from_offsets(text, [(0, 2), (3, 99)]) is None  # past the end
    assert layout_from_offsets(text, [(0, 0)]) is None  # empty token
    tokens = Tokenization("blank")
    layout = tokens.layout(text, [(0, 2), (1, 5)], doc_id="d1")
    assert layout.words(text) == ["Mr", "Blinken", "said", "."]
    assert tokens.report.bad_stored_tokens == ["d1"] and tokens.report.retokenized == 1


def test_stored_tokens_are_used_without_loading_a_tokenizer() -> None:
    tokens = Tokenization("no-such-model-is-ever-loaded")
    layout = tokens.layout("Mr Blinken said.", [(0, 10), (11, 16)])
    assert layout.words("Mr Blinken said.") == ["Mr Blinken", "said."]
    assert tokens.report.stored_tokens == 1 and tokens.report.tokenizer is None


def test_an_explicit_model_that_does_not_load_is_an_error() -> None:
    from annotator.errors import ModelError

    with pytest.raises(ModelError, match="cannot load spaCy pipeline 'no-such-model'"):
        Tokenization("no-such-model").layout("x", None)
