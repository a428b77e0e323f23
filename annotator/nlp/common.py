"""What the rule components (``annotator.nlp.boundaries``, ``quotes``, ``speakers``, ``stance``, ``claims``)
and the learned ones share: span-group keys, extension and factory names, the idempotent factory decorator,
entity and span-group helpers.

Attribution records are plain dicts of ints and strings (so docs survive ``nlp.pipe(n_process=2)``):
``{"start", "end", "kind", "cue": [s, e] | None, "speaker": [s, e] | None, "name": str | None,
"stance": [target, label] | None}``, character offsets into ``doc.text``, in ``doc._.attributions``.
"""

from __future__ import annotations

import weakref
from typing import Any, Callable, Iterable, TypeVar

from spacy.language import Language
from spacy.tokens import Doc

from annotator.nlp import lexicon as lx


QUOTES_KEY = "quotes"
CUES_KEY = "cues"
SPEAKERS_KEY = "speakers"
CLAIMS_KEY = "claims"
ATTRIBUTIONS_EXT = "attributions"
CLAIM_SPEAKERS_EXT = "claim_speakers"

QUOTES_FACTORY = "annotator_quotes"
SPEAKERS_FACTORY = "annotator_speakers"
STANCE_FACTORY = "annotator_stance"
CLAIMS_FACTORY = "annotator_claims"
BOUNDARIES_FACTORY = "annotator_boundaries"

#: A quotation mark left open for longer than this (characters) is treated as unbalanced.
MAX_QUOTE_CHARS = 3000

_QUOTE_CHARS = lx.OPEN_QUOTES | lx.CLOSE_QUOTES | lx.STRAIGHT_QUOTES


F = TypeVar("F", bound=Callable[..., Any])


def _factory(name: str, **kwargs: Any) -> Callable[[F], F]:
    """``Language.factory`` that does nothing when ``name`` is already registered (importing twice is harmless)."""

    def register(func: F) -> F:
        if Language.has_factory(name):
            return func
        return Language.factory(name, **kwargs)(func)

    return register


def _set_extensions() -> None:
    if not Doc.has_extension(ATTRIBUTIONS_EXT):
        Doc.set_extension(ATTRIBUTIONS_EXT, default=None)
    if not Doc.has_extension(CLAIM_SPEAKERS_EXT):
        Doc.set_extension(CLAIM_SPEAKERS_EXT, default=None)


_set_extensions()


#: A line ending in one of these ends a sentence (boundaries) and may state a claim (claims).
_FINAL_PUNCT = ".!?…:;\"'”’)"


def _ents_in(doc: Doc, start: int, end: int) -> list[tuple[int, int, str]]:
    """Entities ``(start, end, label)`` inside tokens ``[start, end)``, read from the token IOB tags
    (``doc.ents`` is rebuilt from the whole doc on every access: too slow inside loops)."""
    out = []
    i = start
    while i < end:
        t = doc[i]
        if t.ent_iob_ == "B" or (t.ent_iob_ == "I" and i == start):
            j = i + 1
            while j < len(doc) and doc[j].ent_iob_ == "I":
                j += 1
            if j <= end:
                out.append((i, j, t.ent_type_))
            i = j
        else:
            i += 1
    return out


_TEXTS: "weakref.WeakKeyDictionary[Doc, str]" = weakref.WeakKeyDictionary()


def doc_text(doc: Doc) -> str:
    """``doc.text``, joined once per document: spaCy joins every token's text on each access, and each of our
    components reads it. Kept while the doc lives: a doc's text never changes (retokenizing keeps it, and
    spaCy deserializes only into an empty doc, whose text is not kept)."""
    text = _TEXTS.get(doc)
    if text is None:
        text = doc.text
        if len(doc):
            _TEXTS[doc] = text
    return text


def _span_group(doc: Doc, key: str, ranges: Iterable[tuple[Any, ...]]) -> None:
    """``doc.spans[key]`` from ``(start, end, label[, kb_id])`` character ranges (duplicates once)."""
    spans = []
    seen = set()
    for start, end, label, *rest in ranges:
        if (start, end, label) in seen:
            continue
        seen.add((start, end, label))
        span = doc.char_span(start, end, label=label, kb_id=rest[0] if rest and rest[0] else 0,
                             alignment_mode="expand")
        if span is not None:
            spans.append(span)
    doc.spans[key] = spans


PIPE_NAMES: tuple[str, ...] = (BOUNDARIES_FACTORY, QUOTES_FACTORY, SPEAKERS_FACTORY, STANCE_FACTORY, CLAIMS_FACTORY)
