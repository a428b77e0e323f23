"""A second pass over verb clauses the CRF left alone: is this verb a cue and its clause or object a content?

PolNeAR attributes acts and stances as widely as speech ("Trump sued the DNC", "Russia opposed Assad's
removal", "she backed the deal"); the token CRF rarely tags their cue verbs, so their contents go missing.
Here every verb with a clausal complement or an object is a candidate: its content is the union of those
children's subtrees (a complementizer "that"/"whether" inside, as PolNeAR has it), its cue the verb, its
source the verb's subject. A logistic regression (scikit-learn) over the verb's parse neighbourhood says how
likely the candidate is a PolNeAR attribution; ``annotator.nlp.attribution`` adds the likely ones that
overlap nothing found before.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from spacy.attrs import ORTH, POS
from spacy.symbols import VERB
from spacy.tokens import Doc, Token

from annotator.errors import ModelError
from annotator.nlp.attribution_features import QUOTE_TOKENS

#: The file of the classifier inside the attribution model folder.
CLAUSE_FILE = "clauses.json"
#: Children whose subtree is the content.
CONTENT_DEPS = frozenset({"ccomp", "xcomp", "dobj", "oprd"})
#: ... and, after an object, the prepositional phrases that complete it ("urged Congress to act",
#: "blamed Obama for the deal").
_AFTER_OBJECT = frozenset({"prep", "xcomp", "ccomp"})
_SUBJ = frozenset({"nsubj", "nsubjpass", "csubj"})
_EDGE = frozenset({",", ".", ";", ":", "-", "—", "–"})


@dataclass(frozen=True)
class Candidate:
    """A cue (from the verb, token index, to ``cue_end``) and its content's token range ``[start, end)``;
    ``variant`` names how the content was cut (one verb may have several)."""

    verb: int
    cue_end: int
    start: int
    end: int
    variant: str


def _cut(verb: Token, kids: Sequence[Token]) -> tuple[int, int] | None:
    """The token range of ``kids``' subtrees (those after the verb when it sits among them), edge
    punctuation trimmed."""
    if any(c.i < verb.i for c in kids) and any(c.i > verb.i for c in kids):
        kids = [c for c in kids if c.i > verb.i]
    start = min(c.left_edge.i for c in kids)
    end = max(c.right_edge.i for c in kids) + 1
    doc = verb.doc
    while end > start and (doc[end - 1].text in _EDGE or doc[end - 1].is_space):
        end -= 1
    while start < end and (doc[start].text in _EDGE or doc[start].is_space):
        start += 1
    return (start, end) if end > start else None


def _spans(verb: Token) -> list[tuple[str, int, int, int]]:
    """``(variant, cue_end, start, end)``: the verb's complements and object ("core"); the object with the
    phrases completing it ("full": "blamed Obama for the deal"); a preposition's object with the
    preposition in the cue ("prep": "called for the overthrow of Assad")."""
    out: list[tuple[str, int, int, int]] = []
    kids = [c for c in verb.children if c.dep_ in CONTENT_DEPS]
    core = _cut(verb, kids) if kids else None
    if core is not None:
        out.append(("core", verb.i + 1, *core))
    obj = next((c for c in kids if c.dep_ == "dobj"), None)
    if obj is not None:
        more = [c for c in verb.children if c.dep_ in _AFTER_OBJECT and c.i > obj.i and c not in kids]
        full = _cut(verb, kids + more) if more else None
        if full is not None and full != core:
            out.append(("full", verb.i + 1, *full))
    if not any(c.dep_ in ("ccomp", "dobj") for c in kids):
        for prep in verb.children:
            pobj = next((g for g in prep.children if g.dep_ in ("pobj", "pcomp")), None)
            if prep.dep_ == "prep" and prep.i > verb.i and pobj is not None and prep.i - verb.i <= 3:
                span = _cut(verb, [pobj])
                if span is not None:
                    out.append((f"prep:{prep.lower_}", prep.i + 1, *span))
    return out


def candidates(doc: Doc) -> list[Candidate]:
    """Every way of reading a verb as a cue of its complement, object or prepositional object."""
    verbs = np.flatnonzero(doc.to_array(POS) == VERB)  # only the verbs become Token objects
    return [Candidate(int(i), cue_end, start, end, variant) for i in verbs
            for variant, cue_end, start, end in _spans(doc[int(i)])]


def _quoted(doc: Doc) -> np.ndarray:
    """Whether each token is inside quotation marks: an odd count of marks before it in its paragraph (a
    token with a line break starts one). Array arithmetic: one Python object per token cost more than the
    rest of the pass."""
    strings = doc.vocab.strings
    orth = doc.to_array(ORTH)
    if not len(orth):
        return np.zeros(0, dtype=bool)
    is_mark = np.isin(orth, np.array([strings.add(q) for q in QUOTE_TOKENS], dtype=orth.dtype))
    breaks = [o for o in set(orth.tolist()) if "\n" in strings[o]]
    is_break = np.isin(orth, np.array(breaks, dtype=orth.dtype))
    is_break[0] = True
    before: np.ndarray = np.cumsum(is_mark) - is_mark
    starts = np.flatnonzero(is_break)
    para = np.cumsum(is_break) - 1
    return np.asarray((before - before[starts][para]) % 2 == 1)


def _subject(verb: Token) -> Token | None:
    t = verb
    for _ in range(3):
        subj = next((c for c in t.children if c.dep_ in _SUBJ), None)
        if subj is not None:
            return subj
        if t.dep_ not in ("xcomp", "conj", "advcl", "acl", "relcl") or t.head is t:
            return None
        if t.dep_ == "relcl":
            return t.head
        t = t.head
    return None


def _noun_kind(tok: Token | None) -> str:
    if tok is None:
        return "none"
    if tok.pos_ == "PRON":
        return f"pron:{tok.lower_}"
    return tok.ent_type_ or tok.pos_


def features(doc: Doc, cands: Sequence[Candidate], rules: Sequence[dict[str, Any]] | None
             ) -> list[dict[str, Any]]:
    """Each candidate's features (strings for one-hot, numbers as they are)."""
    quoted = _quoted(doc)
    rule_spans = [(r["start"], r["end"]) for r in rules or ()]
    out = []
    for c in cands:
        verb = doc[c.verb]
        lemma = verb.lemma_.lower()
        kids = {k.dep_ for k in verb.children}
        subj = _subject(verb)
        obj = next((k for k in verb.children if k.dep_ == "dobj"), None)
        first = doc[c.start]
        n = c.end - c.start
        vstart = verb.idx
        var = c.variant.split(":")[0]
        f: dict[str, Any] = {
            "variant": c.variant, f"lemma|variant={lemma}|{c.variant}": 1, f"first|variant={first.lower_}|{var}": 1,
            "lemma": lemma, "tag": verb.tag_, "dep": verb.dep_, "head_pos": verb.head.pos_,
            "head_lemma": verb.head.lemma_.lower() if verb.dep_ in ("xcomp", "ccomp", "conj") else "-",
            "subj": _noun_kind(subj), "obj": _noun_kind(obj), "first": first.lower_ if first.is_alpha else "x",
            "first_pos": first.pos_, "len": min(n // 4, 10), "log_len": float(n).__pow__(0.5) / 5,
            "after": int(c.start > c.verb), "quoted": int(bool(quoted[c.verb])),
            "in_rule": int(any(s <= vstart < e for s, e in rule_spans)),
            "neg": int("neg" in kids), "sent_root": int(verb.dep_ == "ROOT"),
        }
        for dep in ("ccomp", "xcomp", "dobj", "oprd", "prep", "prt", "dative", "aux", "auxpass", "agent"):
            if dep in kids:
                f[f"kid={dep}"] = 1
                f[f"lemma|kid={lemma}|{dep}"] = 1
        f[f"lemma|subj={lemma}|{f['subj'].split(':')[0]}"] = 1
        f[f"lemma|first={lemma}|{f['first']}"] = 1
        prt = next((k.lower_ for k in verb.children if k.dep_ == "prt"), None)
        if prt:
            f["prt"] = f"{lemma} {prt}"
        out.append(f)
    return out


@dataclass(frozen=True)
class ClauseModel:
    """Logistic-regression weights by feature name (``name`` for a number, ``name=value`` for a string, as
    scikit-learn's ``DictVectorizer`` names them), saved as JSON: safe to read, any scikit-learn version."""

    weights: dict[str, float]
    intercept: float
    threshold: float
    info: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def fit(cls, rows: Sequence[dict[str, Any]], labels: Sequence[int], c: float, threshold: float
            ) -> "ClauseModel":
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression

        vec = DictVectorizer()
        x = vec.fit_transform(rows)
        clf = LogisticRegression(C=c, max_iter=2000)
        clf.fit(x, list(labels))
        weights = {name: round(float(w), 5) for name, w in zip(vec.get_feature_names_out(), clf.coef_[0]) if w}
        return cls(weights, float(clf.intercept_[0]), threshold,
                   {"candidates": len(rows), "positives": int(sum(labels)), "C": c})

    def probabilities(self, doc: Doc, cands: Sequence[Candidate], rules: Sequence[dict[str, Any]] | None
                      ) -> list[float]:
        """Each candidate's probability of being a PolNeAR attribution (a few hundred look-ups per doc)."""
        w = self.weights
        out = []
        for f in features(doc, cands, rules):
            z = self.intercept
            for k, v in f.items():
                z += w.get(f"{k}={v}", 0.0) if isinstance(v, str) else w.get(k, 0.0) * v
            out.append(1.0 / (1.0 + math.exp(-z)))
        return out

    def save(self, folder: Path) -> None:
        data = {"threshold": self.threshold, "intercept": self.intercept, "info": self.info,
                "weights": self.weights}
        (folder / CLAUSE_FILE).write_text(json.dumps(data, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def find(cls, folder: Path) -> "ClauseModel | None":
        """The model of an attribution folder (or of its base, for a model stacked by ``annotator train``);
        None when it has none (trained before the second pass existed): the CRF then works alone."""
        for path in (folder / CLAUSE_FILE, folder / "base" / CLAUSE_FILE):
            if path.is_file():
                try:
                    data = json.loads(path.read_text(encoding="utf-8"))
                    return cls({str(k): float(v) for k, v in data["weights"].items()}, float(data["intercept"]),
                               float(data["threshold"]), dict(data.get("info") or {}))
                except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
                    raise ModelError(f"cannot read {path}: {exc}") from exc
        return None
