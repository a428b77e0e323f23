"""Learned check-worthiness of claim candidates (sentences, and the reported content of speech reports).

``annotator_checkworthy`` replaces the rule ``annotator_claims`` component: every sentence is a candidate
(each line of it separately; a line without final punctuation, such as a heading, caption or byline, is not a
claim unless it is the whole document); in a sentence that reports speech ("X said that Y", "“Y,” X said")
the candidate is the reported content Y, keeping its speaker, and a sentence inside a quote keeps the
quote's speaker.
A TF-IDF + logistic-regression classifier (words, characters and parse features) trained on ClaimBuster (``annotator train-classifier``; packaged in
``annotator/models/checkworthy``) scores each candidate; a candidate is check-worthy when its score reaches
the model's tuned threshold; it reads the whole sentence line a candidate comes from. Only check-worthy
candidates are kept unless ``all_claims`` is set.

Writes ``doc.spans["claims"]`` (``attrs["scores"]`` aligned with the spans, label ``CLAIM``) and
``doc._.claim_speakers`` rows ``[start, end, speaker, checkworthy, score]``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any, Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span

from annotator.nlp import common as comp
from annotator.nlp import lexicon as lx
from annotator.nlp.textmodel import FieldSpec, LinearTextModel

CHECKWORTHY_FACTORY = "annotator_checkworthy"
FIELDS: tuple[FieldSpec, ...] = (FieldSpec(0, "word", (1, 2)), FieldSpec(0, "char_wb", (2, 5)),
                                 FieldSpec(1, "marker", (1, 1)))
POSITIVE = "1"
_FINAL = ".!?”\"'’)…"
_MIN_WORDS = 3


def default_model_path() -> Path:
    """The packaged ClaimBuster model folder."""
    return Path(str(resources.files("annotator") / "models" / "checkworthy"))


class _Columns:
    """A parsed document's token attributes as arrays (``Doc.to_array``) plus each token's children: reading
    them through ``Token`` objects (one Python object per access, heads and children included) was most of
    this component's time."""

    ATTRS = ("ENT_TYPE", "TAG", "DEP", "HEAD", "POS", "LOWER")

    def __init__(self, doc: Doc):
        import numpy as np

        ent, tag, dep, head, pos, lower = doc.to_array(list(self.ATTRS)).reshape(-1, len(self.ATTRS)).T
        self.n = len(doc)
        strings = doc.vocab.strings
        self.ent, self.tag, self.dep, self.pos, self.lower = ([strings[v] if v else "" for v in col.tolist()]
                                                              for col in (ent, tag, dep, pos, lower))
        self.head = (np.arange(self.n) + head.astype(np.int64)).tolist()  # HEAD: offset to the token, wrapped
        self.children: list[list[int]] = [[] for _ in range(self.n)]
        for i, h in enumerate(self.head):
            if h != i:
                self.children[h].append(i)


def syntax_marks(span: Span | Doc, columns: _Columns | None = None) -> str:
    """What the parse says about a candidate, as feature tokens: entity types (numbers, dates, percentages
    make a claim checkable), fine-grained tags and tag bigrams (tense, modals), dependency relations with the
    head's part of speech, and the root's dependents (a first-person subject, an auxiliary). ``columns``: the
    document's, when the caller reads many candidates of one document."""
    doc = span if isinstance(span, Doc) else span.doc
    first, stop = (0, len(doc)) if isinstance(span, Doc) else (span.start, span.end)
    if stop <= first:
        return ""
    c = _Columns(doc) if columns is None else columns
    ents, tags, deps, roots = [], [], [], []
    for i in range(first, stop):
        ent, tag, dep, head = c.ent[i], c.tag[i], c.dep[i], c.head[i]
        if ent:
            ents.append(f"E_{ent}")
        tags.append(tag)
        if dep:
            deps.append(f"D_{dep}_{c.pos[head]}")
        if dep == "ROOT" or head < first or head >= stop:
            roots.append(i)
    marks = ents + [f"T_{tag}" for tag in tags if tag]
    marks += [f"TT_{a}_{b}" for a, b in zip(tags, tags[1:]) if a and b]
    marks += deps
    for root in roots[:3]:
        marks += [f"RS_{c.dep[k]}_{c.lower[k] if c.pos[k] == 'PRON' else c.pos[k]}" for k in c.children[root] if c.dep[k]]
    return " ".join(marks)


def claim_row(span: Span | Doc, text: str | None = None, columns: _Columns | None = None) -> list[str]:
    """The classifier's input for one candidate: its text (``text`` when the caller has sliced it from the
    document's text already, ``span.text`` joins the tokens) and its ``syntax_marks``."""
    return [span.text if text is None else text, syntax_marks(span, columns)]


class CheckworthyClassifier:
    """Scores texts; ``threshold`` (tuned on the held-out split, in the model card) makes the decision."""

    def __init__(self, model: LinearTextModel, threshold: float | None = None):
        self.model = model
        self.threshold = float(model.info.get("threshold", 0.5) if threshold is None else threshold)

    @classmethod
    def load(cls, path: Path | None = None, threshold: float | None = None) -> "CheckworthyClassifier":
        return cls(LinearTextModel.load(path or default_model_path()), threshold)

    def scores(self, spans: Sequence[Span | Doc], texts: Sequence[str] | None = None) -> list[float]:
        """Probability that each parsed candidate is a check-worthy factual claim (``texts``: the spans' texts,
        when the caller has them)."""
        columns: dict[int, _Columns] = {}  # per document, read once for all its candidates
        for s in spans:
            doc = s if isinstance(s, Doc) else s.doc
            if id(doc) not in columns:
                columns[id(doc)] = _Columns(doc)
        docs = [id(s if isinstance(s, Doc) else s.doc) for s in spans]
        rows = [claim_row(s, None if texts is None else texts[i], columns[docs[i]]) for i, s in enumerate(spans)]
        probs = self.model.predict_proba(rows)
        k = self.model.classes.index(POSITIVE)
        return [float(p) for p in probs[:, k]]

    def decide(self, spans: Sequence[Span | Doc], texts: Sequence[str] | None = None) -> list[tuple[bool, float]]:
        return [(s >= self.threshold, s) for s in self.scores(spans, texts)]


def _lines(text: str, sent: Span) -> list[tuple[int, int]]:
    """Character ranges of the sentence's lines in the document ``text``, stripped (a sentence never crosses
    a line break)."""
    out = []
    pos = sent.start_char
    for piece in text[sent.start_char : sent.end_char].split("\n"):
        a = pos + len(piece) - len(piece.lstrip())
        b = pos + len(piece.rstrip())
        if b > a:
            out.append((a, b))
        pos += len(piece) + 1
    return out


def _letters(piece: str, n: int) -> bool:
    """Whether ``piece`` has at least ``n`` letters (stops at the n-th)."""
    for ch in piece:
        if ch.isalpha():
            n -= 1
            if not n:
                return True
    return n <= 0


def claim_candidates(doc: Doc, records: list[dict[str, Any]]) -> list[tuple[int, int, str | None]]:
    """``(start, end, speaker)`` of every claim candidate, in text order, never overlapping."""
    return [(s, e, name) for s, e, name, _ctx in candidates_in_context(doc, records)]


def candidates_in_context(doc: Doc, records: list[dict[str, Any]],
                          text: str | None = None) -> list[tuple[int, int, str | None, tuple[int, int]]]:
    """Claim candidates with the sentence line they come from, which is what the classifier scores (it was
    trained on whole sentences: "X said Y" is judged as a sentence, the claim span is Y). ``text`` is
    ``doc.text`` when the caller has it (``Doc.text`` joins every token on each access)."""
    text = comp.doc_text(doc) if text is None else text
    whole = text.strip()
    records = sorted(records, key=lambda r: r["start"])
    starts = [r["start"] for r in records]
    out: list[tuple[int, int, str | None, tuple[int, int]]] = []
    for sent in doc.sents:
        for start, end in _lines(text, sent):
            line = (start, end)
            piece = text[start:end]
            if len(piece.split()) < _MIN_WORDS or not _letters(piece, 2):
                continue
            if piece[-1] not in _FINAL and piece != whole:
                continue  # headings, captions, bylines, datelines
            while start < end and text[start] in comp._QUOTE_CHARS:
                start += 1
            window = records[bisect_left(starts, start - comp.MAX_QUOTE_CHARS) : bisect_right(starts, end)]
            chosen = _reported_content(text, sent, start, end, window)
            if chosen is None:
                speaker = next((r.get("name") for r in window if r["start"] <= start < r["end"] or (
                    start <= r["start"] and r["end"] <= end and r["end"] - r["start"] > (end - start) / 2)), None)
                chosen = (start, end, speaker)
            if out and chosen[0] < out[-1][1]:
                continue
            out.append((*chosen, line))
    return out


def _reported_content(text: str, sent: Span, start: int, end: int,
                      window: list[dict[str, Any]]) -> tuple[int, int, str | None] | None:
    """In "X said (that) Y" and "“Y,” X said" the claim is Y with X as speaker: the longest quote of the
    line when the sentence's root is a reporting verb."""
    if sent.root.lemma_.lower() not in lx.REPORTING_VERBS:
        return None
    inner = [r for r in window if start - 1 <= r["start"] and r["end"] <= end
             and len(text[r["start"] : r["end"]].split()) >= _MIN_WORDS]
    if not inner:
        return None
    r = max(inner, key=lambda r: r["end"] - r["start"])
    return r["start"], r["end"], r.get("name")


@comp._factory(CHECKWORTHY_FACTORY, default_config={"model": "", "all_claims": False, "threshold": None},
               requires=["doc.sents"], assigns=["doc.spans", f"doc._.{comp.CLAIM_SPEAKERS_EXT}"])
def make_checkworthy(nlp: Language, name: str, model: str, all_claims: bool,
                     threshold: float | None) -> "CheckworthyComponent":
    return CheckworthyComponent(CheckworthyClassifier.load(Path(model) if model else None, threshold), all_claims)


class CheckworthyComponent:
    def __init__(self, classifier: CheckworthyClassifier, all_claims: bool = False):
        self.classifier = classifier
        self.all_claims = all_claims

    def to_disk(self, path: Path, exclude: Sequence[str] = ()) -> None:
        """``nlp.to_disk``: the classifier (with the threshold in use) goes into the pipeline folder."""
        model = self.classifier.model
        replace(model, info={**model.info, "threshold": self.classifier.threshold}).save(Path(path))

    def from_disk(self, path: Path, exclude: Sequence[str] = ()) -> "CheckworthyComponent":
        self.classifier = CheckworthyClassifier.load(Path(path))
        return self

    def __call__(self, doc: Doc) -> Doc:
        text = comp.doc_text(doc)
        found = candidates_in_context(doc, doc._.get(comp.ATTRIBUTIONS_EXT) or [], text) if text.strip() else []
        contexts = [doc.char_span(a, b, alignment_mode="expand") for _s, _e, _n, (a, b) in found]
        kept = [(c, ctx) for c, ctx in zip(found, contexts) if ctx is not None]
        decisions = self.classifier.decide([ctx for _c, ctx in kept],
                                           [text[ctx.start_char : ctx.end_char] for _c, ctx in kept])
        chosen = [(s, e, name, ok, round(score, 4)) for ((s, e, name, _line), _ctx), (ok, score) in zip(kept, decisions)
                  if ok or self.all_claims]
        spans = [doc.char_span(s, e, label="CLAIM", alignment_mode="expand") for s, e, *_ in chosen]
        rows: list[list[Any]] = [list(c) for c in chosen]
        pairs = [(span, row) for span, row in zip(spans, rows) if span is not None]
        doc.spans[comp.CLAIMS_KEY] = [span for span, _ in pairs]
        doc.spans[comp.CLAIMS_KEY].attrs["scores"] = [row[4] for _, row in pairs]
        doc._.set(comp.CLAIM_SPEAKERS_EXT, rows)
        return doc
