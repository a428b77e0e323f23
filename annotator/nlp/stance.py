"""``annotator_stance`` (rules): a target from the configured list and a favor/against/neutral label
from cue words, per attribution record."""

from __future__ import annotations

import re
from typing import Sequence

from spacy.language import Language
from spacy.tokens import Doc

from annotator.nlp import lexicon as lx
from annotator.nlp.common import ATTRIBUTIONS_EXT, STANCE_FACTORY, _factory
from annotator.scheme import DEFAULT_STANCE_TARGETS


def _alias_patterns(targets: Sequence[str]) -> list[tuple[str, re.Pattern[str]]]:
    out = []
    for target in targets:
        aliases = lx.TARGET_ALIASES.get(target.lower(), (target.lower(),))
        words = sorted({target.lower(), *aliases}, key=len, reverse=True)
        out.append((target, re.compile(r"(?<![\w.])(" + "|".join(re.escape(w) for w in words) + r")(?![\w])")))
    return out


def stance_of(text: str, lemmas: Sequence[str], patterns: list[tuple[str, re.Pattern[str]]],
              case_sensitive_us: bool = True) -> tuple[str, str] | None:
    """The most mentioned target in the quote, labelled from cue words (negation flips a cue)."""
    lower = text.lower()
    best = None
    for order, (target, pattern) in enumerate(patterns):
        hits = [m for m in pattern.finditer(lower)
                if not (m.group(0) == "us" and text[m.start() : m.end()] != "US")]
        if hits:
            key = (len(hits), -hits[0].start())
            if best is None or key > best[0]:
                best = (key, target)
    if best is None:
        return None
    score = 0
    for i, lemma in enumerate(lemmas):
        sign = 1 if lemma in lx.POSITIVE_WORDS else -1 if lemma in lx.NEGATIVE_WORDS else 0
        if sign and any(w in lx.NEGATION_WORDS for w in lemmas[max(0, i - 3) : i]):
            sign = -sign
        score += sign
    label = "favor" if score > 0 else "against" if score < 0 else "neutral"
    return best[1], label


@_factory(STANCE_FACTORY, default_config={"targets": list(DEFAULT_STANCE_TARGETS)},
                  requires=[f"doc._.{ATTRIBUTIONS_EXT}"])
def make_stance(nlp: Language, name: str, targets: list[str]) -> "StanceComponent":
    return StanceComponent(targets)


class StanceComponent:
    def __init__(self, targets: Sequence[str]):
        self.targets = list(targets)
        self.patterns = _alias_patterns(self.targets)

    def __call__(self, doc: Doc) -> Doc:
        for r in doc._.get(ATTRIBUTIONS_EXT) or []:
            span = doc.char_span(r["start"], r["end"], alignment_mode="expand")
            if span is None:
                continue
            result = stance_of(span.text, [t.lemma_.lower() for t in span], self.patterns)
            r["stance"] = list(result) if result else None
        return doc
