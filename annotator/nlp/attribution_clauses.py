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
from spacy.attrs import DEP, HEAD, IDX, IS_SPACE, ORTH, POS
from spacy.symbols import PRON, VERB
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


class _Children(dict[int, list[int]]):
    """Token index -> its children's indices in text order (spaCy's ``Token.children``), listed when asked."""

    def __init__(self, order: list[int], bounds: list[int]):
        super().__init__()
        self._order, self._bounds = order, bounds

    def __missing__(self, i: int) -> list[int]:
        kids = self[i] = [c for c in self._order[self._bounds[i]:self._bounds[i + 1]] if c != i]
        return kids


class _Texts(dict[int, str]):
    """Token index -> its text, looked up when asked."""

    def __init__(self, orth: list[int], strings: Any):
        super().__init__()
        self._orth, self._strings = orth, strings

    def __missing__(self, i: int) -> str:
        text = self[i] = self._strings[self._orth[i]]
        return text


class Parse:
    """A parsed doc's columns (one ``Doc.to_array``) as Python lists: heads, dependency labels, parts of speech;
    children (spaCy's order), texts and subtree edges (spaCy's own: in a non-projective parse they are not
    always the subtree's extremes) looked up per token when asked. The pass reads the parse around every
    verb several times; a Token object per look-up was most of its cost."""

    def __init__(self, doc: Doc):
        n = len(doc)
        cols = doc.to_array([HEAD, DEP, POS, ORTH, IS_SPACE, IDX]).reshape(n, 6)
        heads = np.arange(n, dtype=np.int64) + cols[:, 0].view(np.int64)
        order = np.argsort(heads, kind="stable")  # children grouped by head, each group in text order
        self.head: list[int] = heads.tolist()
        self.children = _Children(order.tolist(), np.searchsorted(heads[order], np.arange(n + 1)).tolist())
        strings = doc.vocab.strings
        self.strings = strings
        deps = cols[:, 1].tolist()
        names = {key: strings[key] for key in set(deps)}
        self.dep: list[str] = [names[key] for key in deps]
        self.text = _Texts(cols[:, 3].tolist(), strings)
        self.pos: list[int] = cols[:, 2].tolist()
        self.is_space: list[int] = cols[:, 4].tolist()
        self.idx: list[int] = cols[:, 5].tolist()
        self._doc = doc
        self._edges: dict[int, tuple[int, int]] = {}

    def token(self, i: int) -> Token:
        return self._doc[i]

    def edges(self, i: int) -> tuple[int, int]:
        """spaCy's left and right edge of token ``i``'s subtree."""
        edges = self._edges.get(i)
        if edges is None:
            tok = self._doc[i]
            edges = self._edges[i] = (tok.left_edge.i, tok.right_edge.i)
        return edges


def _cut(p: Parse, verb: int, kids: Sequence[int]) -> tuple[int, int] | None:
    """The token range of ``kids``' subtrees (those after the verb when it sits among them), edge
    punctuation trimmed."""
    if any(c < verb for c in kids) and any(c > verb for c in kids):
        kids = [c for c in kids if c > verb]
    edges = [p.edges(c) for c in kids]
    start = min(a for a, _b in edges)
    end = max(b for _a, b in edges) + 1
    text, space = p.text, p.is_space
    while end > start and (text[end - 1] in _EDGE or space[end - 1]):
        end -= 1
    while start < end and (text[start] in _EDGE or space[start]):
        start += 1
    return (start, end) if end > start else None


def _spans(p: Parse, verb: int) -> list[tuple[str, int, int, int]]:
    """``(variant, cue_end, start, end)``: the verb's complements and object ("core"); the object with the
    phrases completing it ("full": "blamed Obama for the deal"); a preposition's object with the
    preposition in the cue ("prep": "called for the overthrow of Assad")."""
    out: list[tuple[str, int, int, int]] = []
    dep, children = p.dep, p.children
    kids = [c for c in children[verb] if dep[c] in CONTENT_DEPS]
    core = _cut(p, verb, kids) if kids else None
    if core is not None:
        out.append(("core", verb + 1, *core))
    obj = next((c for c in kids if dep[c] == "dobj"), None)
    if obj is not None:
        more = [c for c in children[verb] if dep[c] in _AFTER_OBJECT and c > obj and c not in kids]
        full = _cut(p, verb, kids + more) if more else None
        if full is not None and full != core:
            out.append(("full", verb + 1, *full))
    if not any(dep[c] in ("ccomp", "dobj") for c in kids):
        for prep in children[verb]:
            if prep <= verb or prep - verb > 3 or dep[prep] != "prep":
                continue
            pobj = next((g for g in children[prep] if dep[g] in ("pobj", "pcomp")), None)
            if pobj is not None:
                span = _cut(p, verb, [pobj])
                if span is not None:
                    out.append((f"prep:{p.token(prep).lower_}", prep + 1, *span))
    return out


def candidates(doc: Doc, parse: Parse | None = None) -> list[Candidate]:
    """Every way of reading a verb as a cue of its complement, object or prepositional object (``parse``:
    ``Parse(doc)``, when the caller has it)."""
    p = Parse(doc) if parse is None else parse
    return [Candidate(i, cue_end, start, end, variant) for i, pos in enumerate(p.pos) if pos == VERB
            for variant, cue_end, start, end in _spans(p, i)]


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


def _subject(p: Parse, verb: int) -> int | None:
    t = verb
    for _ in range(3):
        subj = next((c for c in p.children[t] if p.dep[c] in _SUBJ), None)
        if subj is not None:
            return subj
        if p.dep[t] not in ("xcomp", "conj", "advcl", "acl", "relcl"):
            return None
        if p.dep[t] == "relcl":
            return p.head[t]
        t = p.head[t]
    return None


def _noun_kind(p: Parse, i: int | None) -> str:
    if i is None:
        return "none"
    tok = p.token(i)
    if p.pos[i] == PRON:
        return f"pron:{tok.lower_}"
    return tok.ent_type_ or tok.pos_


def features(doc: Doc, cands: Sequence[Candidate], rules: Sequence[dict[str, Any]] | None,
             parse: Parse | None = None) -> list[dict[str, Any]]:
    """Each candidate's features (strings for one-hot, numbers as they are)."""
    p = Parse(doc) if parse is None else parse
    quoted = _quoted(doc)
    rule_spans = [(r["start"], r["end"]) for r in rules or ()]
    dep, children = p.dep, p.children
    out = []
    for c in cands:
        verb = p.token(c.verb)
        lemma = verb.lemma_.lower()
        kids = {dep[k] for k in children[c.verb]}
        subj = _subject(p, c.verb)
        obj = next((k for k in children[c.verb] if dep[k] == "dobj"), None)
        first = p.token(c.start)
        n = c.end - c.start
        vstart = p.idx[c.verb]
        var = c.variant.split(":")[0]
        vdep = dep[c.verb]
        head = p.head[c.verb]
        f: dict[str, Any] = {
            "variant": c.variant, f"lemma|variant={lemma}|{c.variant}": 1, f"first|variant={first.lower_}|{var}": 1,
            "lemma": lemma, "tag": verb.tag_, "dep": vdep, "head_pos": p.strings[p.pos[head]],
            "head_lemma": p.token(head).lemma_.lower() if vdep in ("xcomp", "ccomp", "conj") else "-",
            "subj": _noun_kind(p, subj), "obj": _noun_kind(p, obj), "first": first.lower_ if first.is_alpha else "x",
            "first_pos": first.pos_, "len": min(n // 4, 10), "log_len": float(n).__pow__(0.5) / 5,
            "after": int(c.start > c.verb), "quoted": int(bool(quoted[c.verb])),
            "in_rule": int(any(s <= vstart < e for s, e in rule_spans)),
            "neg": int("neg" in kids), "sent_root": int(vdep == "ROOT"),
        }
        for kid_dep in ("ccomp", "xcomp", "dobj", "oprd", "prep", "prt", "dative", "aux", "auxpass", "agent"):
            if kid_dep in kids:
                f[f"kid={kid_dep}"] = 1
                f[f"lemma|kid={lemma}|{kid_dep}"] = 1
        f[f"lemma|subj={lemma}|{f['subj'].split(':')[0]}"] = 1
        f[f"lemma|first={lemma}|{f['first']}"] = 1
        prt = next((p.token(k).lower_ for k in children[c.verb] if dep[k] == "prt"), None)
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

    def probabilities(self, doc: Doc, cands: Sequence[Candidate], rules: Sequence[dict[str, Any]] | None,
                      parse: Parse | None = None) -> list[float]:
        """Each candidate's probability of being a PolNeAR attribution (a few hundred look-ups per doc)."""
        return [self.probability(f) for f in features(doc, cands, rules, parse)]

    def probability(self, f: dict[str, Any]) -> float:
        """The logistic of one row of features (strings one-hot, numbers as they are)."""
        w = self.weights
        z = self.intercept
        for k, v in f.items():
            z += w.get(f"{k}={v}", 0.0) if isinstance(v, str) else w.get(k, 0.0) * v
        return 1.0 / (1.0 + math.exp(-z))

    def save(self, folder: Path, name: str = CLAUSE_FILE) -> None:
        data = {"threshold": self.threshold, "intercept": self.intercept, "info": self.info,
                "weights": self.weights}
        (folder / name).write_text(json.dumps(data, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def find(cls, folder: Path, name: str = CLAUSE_FILE) -> "ClauseModel | None":
        """The model of an attribution folder (or of its base, for a model stacked by ``annotator train``);
        None when it has none (trained before the second pass existed): the CRF then works alone. ``name``:
        the file (the record filter's, ``attribution_records``, has the same form)."""
        for path in (folder / name, folder / "base" / name):
            if path.is_file():
                try:
                    data = json.loads(path.read_text(encoding="utf-8"))
                    return cls({str(k): float(v) for k, v in data["weights"].items()}, float(data["intercept"]),
                               float(data["threshold"]), dict(data.get("info") or {}))
                except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
                    raise ModelError(f"cannot read {path}: {exc}") from exc
        return None
