"""``annotator_speakers``: resolves each quote's speaker mention to a canonical name within the article
(coref-lite: pronouns, surnames, titles, role descriptions learnt from appositions/compounds, organisations,
capitals used for states). Writes ``doc.spans["speakers"]`` (one span per distinct mention)."""

from __future__ import annotations

import re
from typing import Any, Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from annotator.nlp import lexicon as lx
from annotator.nlp.common import ATTRIBUTIONS_EXT, SPEAKERS_FACTORY, SPEAKERS_KEY, _factory, _span_group


_WORD_RE = re.compile(r"[\w.'’-]+")


def _name_words(tokens: Sequence[Token]) -> list[str]:
    """Name words without honorifics, possessive 's and middle initials."""
    words = [t.text for t in tokens if t.lower_ not in lx.HONORIFICS and t.is_alpha or (t.text.endswith(".") and len(t.text) == 2)]
    words = [w for w in words if w.lower() not in ("the",)]
    if len(words) > 2:
        words = [words[0], *[w for w in words[1:-1] if len(w.rstrip(".")) > 1], words[-1]]
    return words


def _lower_first(text: str) -> str:
    first, _, rest = text.partition(" ")
    if first in ("The", "A", "An") or (first.isalpha() and first[:1].isupper() and first[1:].islower() and rest == ""):
        return first.lower() + ((" " + rest) if rest else "")
    return text


def _in_possessor(tok: Token, span: Span) -> bool:
    """Whether ``tok`` is (inside) a possessive modifier of the phrase ``span``."""
    t = tok
    while t.i != span.root.i and span.start <= t.i < span.end:
        if t.dep_ == "poss":
            return True
        t = t.head
    return False


class SpeakerResolver:
    """Maps speaker mentions to canonical names, in document order (see module docstring)."""

    def __init__(self, doc: Doc):
        self.doc = doc
        self.persons: list[tuple[int, str]] = []  # (position, canonical) of full-name mentions
        self.surnames: dict[str, str] = {}
        self.roles: list[tuple[int, frozenset[str], str]] = []
        self.genders: dict[str, str] = {}
        self.orgs: list[tuple[int, str, str]] = []  # (position, head word, canonical)
        self.resolved: list[tuple[int, str, str]] = []  # (position, kind person/group, name)
        for ent in doc.ents:
            if ent.label_ == "PERSON":
                words = _name_words(list(ent))
                if len(words) >= 2:
                    surname = words[-1].lower()
                    canonical = self.surnames.setdefault(surname, " ".join(words))
                    self.persons.append((ent.start_char, canonical))
                    role = self._role_words(ent)
                    if role:
                        self.roles.append((ent.start_char, role, canonical))
                if ent.start > 0 and doc[ent.start - 1].lower_ in lx.HONORIFICS:
                    gender = lx.HONORIFICS[doc[ent.start - 1].lower_]
                    if gender and words:
                        self.genders[words[-1].lower()] = gender
            elif ent.label_ == "ORG":
                canonical = ent.text
                if ent.start > 0 and doc[ent.start - 1].lower_ == "the":
                    canonical = "the " + ent.text
                elif canonical.startswith("The "):
                    canonical = "the " + canonical[4:]
                self.orgs.append((ent.start_char, ent[-1].lemma_.lower(), canonical))

    @staticmethod
    def _role_words(ent: Span) -> frozenset[str]:
        doc = ent.doc
        root = ent.root
        tokens: list[Token] = []
        if root.left_edge.i < ent.start:
            tokens = [t for t in doc[root.left_edge.i : ent.start]]
        if root.dep_ == "appos":
            head = root.head
            tokens += [t for t in doc[head.left_edge.i : head.i + 1]]
            tokens += [t for t in head.rights if t.dep_ == "prep" for t in t.subtree if t.i < ent.start]
        for child in root.rights:
            if child.dep_ == "appos":
                tokens += list(child.subtree)
        words = {t.lower_ for t in tokens if t.is_alpha and not t.is_stop and t.pos_ != "PRON"
                 and t.lower_ not in lx.HONORIFICS} - {"the"}
        if not words & lx.ROLE_NOUNS:
            return frozenset()
        return frozenset(words)

    def _by_surname(self, word: str) -> str | None:
        return self.surnames.get(word.lower())

    def resolve(self, start: int, end: int) -> tuple[str | None, str]:
        """(canonical name, kind) for the mention ``text[start:end]``; kind is person, group or other."""
        doc = self.doc
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or not span.text.strip():
            return None, "other"
        text = span.text.strip()
        lower = text.lower()
        toks = [t for t in span if not t.is_punct]
        if len(toks) == 1 and toks[0].pos_ == "PRON":
            return self._pronoun(toks[0].lower_, start)
        # place names used for states
        bare = lower[4:] if lower.startswith("the ") else lower
        if lower in lx.PLACE_ALIASES or bare in lx.PLACE_ALIASES:
            return lx.PLACE_ALIASES.get(lower) or lx.PLACE_ALIASES[bare], "group"
        # a possessor names someone else: "Obama's former campaign strategist" is not Obama
        toks_own = [t for t in toks if not _in_possessor(t, span)]
        propn = [t for t in toks_own if t.pos_ == "PROPN" or t.ent_type_ == "PERSON"]
        # names: full name, surname, "Mr X", "Secretary X"
        person_ent = any(t.ent_type_ == "PERSON" for t in toks_own)
        if propn and (person_ent or self._by_surname(propn[-1].text)):
            words = _name_words(propn)
            if words:
                known = self._by_surname(words[-1])
                name = known or " ".join(words[-2:] if len(words) >= 2 else words)
                if len(words) >= 2 and known is None:
                    name = " ".join(words)
                if toks[0].lower_ in lx.HONORIFICS and lx.HONORIFICS[toks[0].lower_]:
                    self.genders.setdefault(words[-1].lower(), lx.HONORIFICS[toks[0].lower_])  # type: ignore[arg-type]
                return name, "person"
        content = {t.lower_ for t in toks if t.is_alpha and not t.is_stop and t.pos_ not in ("PRON", "DET")}
        head = toks[-1] if toks else span.root
        for t in toks:
            if t.dep_ != "compound" and t.pos_ in ("NOUN", "PROPN") and (t.head not in toks or t.head == t):
                head = t
                break
        head = span.root if span.root in toks else head
        # role descriptions: the most recent person introduced with that role
        if content & lx.ROLE_NOUNS and head.lemma_.lower() in lx.ROLE_NOUNS - lx.ORG_NOUNS:
            matches = [(pos, name) for pos, role, name in self.roles if content <= role and pos < start]
            if not matches:
                matches = [(pos, name) for pos, role, name in self.roles if content <= role]
            if matches:
                return max(matches)[1], "person"
        # definite descriptions: "the ministry", "the official" -> the last source with that head word
        if toks and toks[0].lower_ in ("the", "this", "that") and len(toks) <= 3:
            head_lemma = head.lemma_.lower()
            for pos, word, name in reversed(self.orgs):
                if pos < start and word == head_lemma:
                    return name, "group"
            for pos, kind, name in reversed(self.resolved):
                if pos < start and name.lower().split()[-1].rstrip("s") == head_lemma:
                    return name, kind
        if any(t.ent_type_ in ("ORG", "NORP", "GPE") for t in toks) or head.lemma_.lower() in lx.ORG_NOUNS:
            for pos, word, name in self.orgs:
                if name.lower() == lower or name.lower() == "the " + lower:
                    return name, "group"
            return _lower_first(text) if not propn else text if not lower.startswith("the ") else "the " + text[4:], "group"
        return _lower_first(text), ("group" if head.tag_ in ("NNS", "NNPS") else "other")

    def _pronoun(self, word: str, start: int) -> tuple[str | None, str]:
        if word in lx.PERSON_PRONOUNS:
            gender = lx.PERSON_PRONOUNS[word]
            tok = self.doc.char_span(start, start + len(word), alignment_mode="expand")
            if tok is not None:
                sent = tok[0].sent
                for t in reversed(list(self.doc[sent.start : tok[0].i])):
                    if t.ent_type_ == "PERSON" and t.pos_ == "PROPN" and t.dep_ in ("nsubj", "nsubjpass"):
                        known = self._by_surname(t.text)
                        if known and self.genders.get(t.text.lower()) in (None, gender):
                            return known, "person"
            for pos, kind, name in reversed(self.resolved):
                if pos < start and kind == "person":
                    g = self.genders.get(name.split()[-1].lower())
                    if g is None or g == gender:
                        return name, "person"
            earlier = [name for pos, name in self.persons if pos < start]
            return (earlier[-1], "person") if earlier else (None, "person")
        if word in lx.GROUP_PRONOUNS:
            for pos, kind, name in reversed(self.resolved):
                if pos < start and kind == "group":
                    return name, "group"
        return None, "other"

    def add(self, start: int, name: str | None, kind: str) -> None:
        if name:
            self.resolved.append((start, kind, name))


def resolve_speakers(doc: Doc, records: list[dict[str, Any]]) -> None:
    resolver = SpeakerResolver(doc)
    order = sorted((r for r in records if r["speaker"]), key=lambda r: r["speaker"][0])
    cache: dict[tuple[int, int], tuple[str | None, str]] = {}
    for r in order:
        key = (r["speaker"][0], r["speaker"][1])
        if key not in cache:
            cache[key] = resolver.resolve(*key)
            resolver.add(key[0], *cache[key])
        r["name"] = cache[key][0]


@_factory(SPEAKERS_FACTORY, requires=[f"doc._.{ATTRIBUTIONS_EXT}"], assigns=["doc.spans"])
def make_speakers(nlp: Language, name: str) -> "SpeakerComponent":
    return SpeakerComponent()


class SpeakerComponent:
    def __call__(self, doc: Doc) -> Doc:
        records = doc._.get(ATTRIBUTIONS_EXT) or []
        resolve_speakers(doc, records)
        _span_group(doc, SPEAKERS_KEY, ((r["speaker"][0], r["speaker"][1], "SPEAKER", r["name"] or "")
                                        for r in records if r["speaker"]))
        return doc
