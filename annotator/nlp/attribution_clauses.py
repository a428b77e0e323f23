"""A second pass over verb (and noun) clauses the CRF left alone: is this word a cue and its clause a content?

PolNeAR attributes acts and stances as widely as speech ("Trump sued the DNC", "Russia opposed Assad's
removal", "she backed the deal"); the token CRF rarely tags their cue verbs, so their contents go missing.
Here every verb with a clausal complement or an object is a candidate: its content is the union of those
children's subtrees (a complementizer "that"/"whether" inside, as PolNeAR has it), its cue the verb, its
source the verb's subject. A logistic regression (scikit-learn) over the verb's parse neighbourhood says how
likely the candidate is a PolNeAR attribution; ``annotator.nlp.attribution`` adds the likely ones that
overlap nothing found before. Nouns and adjectives of the cue words the classifier learnt (``cue_nouns``:
"the claim that ...", "his warning to ...", "criticism of ...", "willing to ...") are candidates too: their
content a clause or prepositional object after them, their source the possessor ("his warning").
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import AbstractSet, Any, Sequence

import numpy as np
from spacy.attrs import DEP, HEAD, IDX, IS_SPACE, LEMMA, ORTH, POS
from spacy.symbols import ADJ, NOUN, PRON, VERB
from spacy.tokens import Doc, Token

from annotator.errors import ModelError
from annotator.nlp.char_cover import CharCover
from annotator.nlp.common import doc_text
from annotator.nlp.attribution_features import QUOTE_TOKENS

#: The file of the classifier inside the attribution model folder.
CLAUSE_FILE = "clauses.json"
#: Children whose subtree is the content.
CONTENT_DEPS = frozenset({"ccomp", "xcomp", "dobj", "oprd"})
#: ... and, after an object, the prepositional phrases that complete it ("urged Congress to act",
#: "blamed Obama for the deal").
_AFTER_OBJECT = frozenset({"prep", "xcomp", "ccomp"})
_SUBJ = frozenset({"nsubj", "nsubjpass", "csubj"})
#: A cue noun's or adjective's children whose subtree is the content ("the claim that ...", "a plan to ...",
#: "confident that ...", "willing to ..."); and its prepositions whose object is ("criticism of ...").
NOUN_CONTENT_DEPS = frozenset({"acl", "ccomp", "xcomp"})
#: The variant prefix of a noun's or adjective's candidate.
NOUN_VARIANT = "n"
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
        cols = doc.to_array([HEAD, DEP, POS, ORTH, IS_SPACE, IDX, LEMMA]).reshape(n, 7)
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
        self.pos_ids = cols[:, 2]
        self.lemma_ids = cols[:, 6]
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


def _noun_spans(p: Parse, noun: int) -> list[tuple[str, int, int, int]]:
    """``(variant, cue_end, start, end)`` of a cue noun or adjective: each clause after it ("n:acl": "the
    claim that ...", "a plan to ..."; "n:xcomp": "willing to ...") and each preposition's object right after
    it, the preposition in the cue ("n:prep:of": "criticism of the deal")."""
    out: list[tuple[str, int, int, int]] = []
    dep = p.dep
    for c in p.children[noun]:
        if c <= noun:
            continue
        if dep[c] in NOUN_CONTENT_DEPS:
            span = _cut(p, noun, [c])
            if span is not None:
                out.append((f"{NOUN_VARIANT}:{dep[c]}", noun + 1, *span))
        elif dep[c] == "prep" and c - noun <= 3:
            pobj = next((g for g in p.children[c] if dep[g] in ("pobj", "pcomp")), None)
            span = _cut(p, noun, [pobj]) if pobj is not None else None
            if span is not None:
                out.append((f"{NOUN_VARIANT}:prep:{p.text[c].lower()}", c + 1, *span))
    return out


def _listed(p: Parse, nouns: AbstractSet[str] | None) -> set[int]:
    """The nouns and adjectives whose lemma is in ``nouns`` (None: all), each distinct lemma looked up once."""
    if nouns is not None and not nouns:
        return set()
    idx = np.flatnonzero(np.isin(p.pos_ids, np.array([NOUN, ADJ], dtype=p.pos_ids.dtype)))
    if nouns is None:
        return set(idx.tolist())
    lemmas = p.lemma_ids[idx]
    hits = [lem for lem in np.unique(lemmas).tolist() if p.strings[lem].lower() in nouns]
    return set(idx[np.isin(lemmas, np.array(hits, dtype=lemmas.dtype))].tolist())


def candidates(doc: Doc, parse: Parse | None = None, nouns: AbstractSet[str] | None = frozenset()
               ) -> list[Candidate]:
    """Every way of reading a verb as a cue of its complement, object or prepositional object, and a noun or
    adjective whose lemma is in ``nouns`` (None: every one) as a cue of the clause or prepositional object
    after it (``parse``: ``Parse(doc)``, when the caller has it)."""
    p = Parse(doc) if parse is None else parse
    out: list[Candidate] = []
    listed = _listed(p, nouns)
    for i, pos in enumerate(p.pos):
        if pos == VERB:
            spans = _spans(p, i)
        elif i in listed:
            spans = _noun_spans(p, i)
        else:
            continue
        out.extend(Candidate(i, cue_end, start, end, variant) for variant, cue_end, start, end in spans)
    return out


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


def noun_source(p: Parse, noun: int) -> int | None:
    """The source of a cue noun or adjective in its own phrase: its possessor ("his warning", "Trump's
    claim"), a name or pronoun compounded or as its subject ("GOP criticism"), or the object of "from"/"by"/
    "among" after it ("a statement from the White House"); None when the phrase names none (the verb above
    it may: ``annotator.nlp.attribution._source``). PolNeAR training cues of this kind: 296 possessors, 33
    compounds, 21 subjects, 24 "from", of 1,081."""
    dep = p.dep
    kids = p.children[noun]
    for c in kids:
        if dep[c] == "poss":
            return c
    for c in kids:
        if c < noun and dep[c] in ("compound", "nsubj") and p.strings[p.pos[c]] in ("PROPN", "PRON"):
            return c
    for c in kids:
        if c > noun and dep[c] in ("prep", "agent") and p.text[c].lower() in ("from", "by", "among"):
            pobj = next((g for g in p.children[c] if dep[g] == "pobj"), None)
            if pobj is not None:
                return pobj
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
    in_rule = CharCover(len(doc_text(doc)), [(r["start"], r["end"]) for r in rules or ()])
    dep, children = p.dep, p.children
    out = []
    for c in cands:
        verb = p.token(c.verb)
        lemma = verb.lemma_.lower()
        kids = {dep[k] for k in children[c.verb]}
        obj = next((k for k in children[c.verb] if dep[k] == "dobj"), None)
        first = p.token(c.start)
        n = c.end - c.start
        vstart = p.idx[c.verb]
        var = c.variant.split(":")[0]
        noun = var == NOUN_VARIANT
        vdep = dep[c.verb]
        head = p.head[c.verb]
        if noun:  # its own possessor etc., else (as for a verb) the subject of the verb it hangs from
            subj = noun_source(p, c.verb)
            if subj is None and p.pos[head] == VERB and head != c.verb:
                subj = _subject(p, head)
        else:
            subj = _subject(p, c.verb)
        f: dict[str, Any] = {
            "variant": c.variant, f"lemma|variant={lemma}|{c.variant}": 1, f"first|variant={first.lower_}|{var}": 1,
            "lemma": lemma, "tag": verb.tag_, "dep": vdep, "head_pos": p.strings[p.pos[head]],
            "head_lemma": p.token(head).lemma_.lower() if noun or vdep in ("xcomp", "ccomp", "conj") else "-",
            "subj": _noun_kind(p, subj), "obj": _noun_kind(p, obj), "first": first.lower_ if first.is_alpha else "x",
            "first_pos": first.pos_, "len": min(n // 4, 10), "log_len": float(n).__pow__(0.5) / 5,
            "after": int(c.start > c.verb), "quoted": int(bool(quoted[c.verb])),
            "in_rule": int(in_rule.overlaps(vstart, vstart + 1)),
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
        if noun:  # "the claim" / "a claim" / "his claim"; the verb it hangs from ("made the claim")
            f["det"] = next((p.text[k].lower() for k in children[c.verb] if dep[k] in ("det", "poss")), "-")
            f[f"lemma|head={lemma}|{f['head_lemma']}"] = 1
        out.append(f)
    return out


@dataclass(frozen=True)
class ClauseModel:
    """Logistic-regression weights by feature name (``name`` for a number, ``name=value`` for a string, as
    scikit-learn's ``DictVectorizer`` names them), saved as JSON: safe to read, any scikit-learn version.
    ``cue_nouns``: the noun and adjective lemmas whose clauses are candidates (none in a file from before)."""

    weights: dict[str, float]
    intercept: float
    threshold: float
    info: dict[str, Any] = field(default_factory=dict)
    cue_nouns: frozenset[str] = frozenset()

    @classmethod
    def fit(cls, rows: Sequence[dict[str, Any]], labels: Sequence[int], c: float, threshold: float,
            cue_nouns: AbstractSet[str] = frozenset()) -> "ClauseModel":
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression

        vec = DictVectorizer()
        x = vec.fit_transform(rows)
        clf = LogisticRegression(C=c, max_iter=2000)
        clf.fit(x, list(labels))
        weights = {name: round(float(w), 5) for name, w in zip(vec.get_feature_names_out(), clf.coef_[0]) if w}
        return cls(weights, float(clf.intercept_[0]), threshold,
                   {"candidates": len(rows), "positives": int(sum(labels)), "C": c}, frozenset(cue_nouns))

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
        data: dict[str, Any] = {"threshold": self.threshold, "intercept": self.intercept, "info": self.info}
        if self.cue_nouns:
            data["cue_nouns"] = sorted(self.cue_nouns)
        data["weights"] = self.weights
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
                               float(data["threshold"]), dict(data.get("info") or {}),
                               frozenset(str(n) for n in data.get("cue_nouns") or ()))
                except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
                    raise ModelError(f"cannot read {path}: {exc}") from exc
        return None
