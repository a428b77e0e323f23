"""An attribution CRF updated on a team's gold without the base corpus: a second CRF stacked on the base.

python-crfsuite cannot continue training a model, and re-training on the base corpus (PolNeAR) needs that
corpus parsed on the user's machine. Instead ``annotator train`` fits a small CRF on the gold only whose
features are the base features *plus what the base CRF says* about each token (its label, the labels of its
neighbours, how sure it is): it learns where to trust the base and how the team's conventions differ from
PolNeAR's. The folder of such a model holds the stacked ``model.crfsuite`` and ``cue_lemmas.json`` and the
base model in ``base/`` (marked by ``STACK_FILE``); ``open_tagger`` opens either kind.

Both kinds of tagger also give each tagged span a score: the mean marginal probability of its labels.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, AbstractSet, Iterator, Sequence

from spacy.tokens import Doc

from annotator.errors import ModelError
from annotator.nlp.attribution_clauses import CLAUSE_FILE
from annotator.nlp.attribution_records import RECORD_FILE
from annotator.nlp.attribution_features import Featurizer
from annotator.nlp.common import ATTRIBUTIONS_EXT

STACK_FILE = "stacked.json"
BASE_DIR = "base"

#: ``(label, start_token, end_token, score)``
ScoredSpan = tuple[str, int, int, float]


def _bucket(p: float) -> str:
    return str(min(int(p * 5), 4))


def base_features(labels: Sequence[str], probs: Sequence[float]) -> list[list[bytes]]:
    """What the base CRF says about each token of a sequence, as feature strings (encoded, as
    ``attribution_features``' are)."""
    n = len(labels)
    out = []
    for k in range(n):
        feats = [f"B={labels[k]}", f"Bp={labels[k]}|{_bucket(probs[k])}"]
        for off in (-1, 1):
            j = k + off
            feats.append(f"B{off}={labels[j] if 0 <= j < n else 'EDGE'}")
        out.append([f.encode() for f in feats])
    return out


def decode_scored(idx: Sequence[int], labels: Sequence[str], probs: Sequence[float]) -> list[ScoredSpan]:
    """BIO labels to spans (an ``I`` after another label starts one), each scored by its mean marginal."""
    out: list[list[Any]] = []
    prev = "O"
    for i, label, p in zip(idx, labels, probs):
        if label == "O":
            prev = "O"
            continue
        bio, kind = label.split("-", 1)
        if bio == "I" and prev == kind and out:
            out[-1][2] = i + 1
            out[-1][3].append(p)
        else:
            out.append([kind, i, i + 1, [p]])
        prev = kind
    return [(k, s, e, sum(ps) / len(ps)) for k, s, e, ps in out]


class _Crf:
    """One crfsuite model, opened lazily (a pipeline is copied to worker processes before it runs)."""

    def __init__(self, path: Path):
        if not path.is_file():
            raise ModelError(f"no attribution model at {path} (train one with `annotator train-base`)")
        self.path = path
        self._tagger: Any = None
        self.content_labels: list[str] = []

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_tagger": None}

    def _open(self) -> Any:
        if self._tagger is None:
            import pycrfsuite

            self._tagger = pycrfsuite.Tagger()
            self._tagger.open(str(self.path))
            self.content_labels = [y for y in self._tagger.labels() if y.endswith("-CON")]
        return self._tagger

    def tag(self, xseq: list[list[bytes]], outside: bool = True) -> tuple[list[str], list[float]]:
        """Labels of a sequence and the marginal probability of each (``outside=False``: of each label but
        ``O``, whose probability is left 0.0: ``decode_scored`` reads only the tagged tokens')."""
        tagger = self._open()
        tagger.set(xseq)
        labels = tagger.tag()
        marginal = tagger.marginal
        if outside:
            return labels, [marginal(y, i) for i, y in enumerate(labels)]
        return labels, [0.0 if y == "O" else marginal(y, i) for i, y in enumerate(labels)]

    def content_probs(self, n: int) -> list[float]:
        """Right after ``tag`` of ``n`` tokens: each token's marginal probability of being content (the
        content labels' marginals added up in the model's label order)."""
        marginal = self._open().marginal
        probs = [0.0] * n
        for y in self.content_labels:
            probs = [p + marginal(y, i) for i, p in enumerate(probs)]
        return probs


def _cue_lemmas(folder: Path) -> frozenset[str]:
    try:
        return frozenset(json.loads((folder / "cue_lemmas.json").read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read {folder / 'cue_lemmas.json'}: {exc}") from exc


class ScoredTagger:
    """A CRF tagger (the shipped kind, or one stacked on a base) whose spans carry a score."""

    def __init__(self, model_dir: Path):
        self.model_dir = Path(model_dir).resolve()  # opened lazily: the working directory may change first
        self.stacked = (self.model_dir / STACK_FILE).is_file()
        self.base = ScoredTagger(self.model_dir / BASE_DIR) if self.stacked else None
        self.cue_lemmas: AbstractSet[str] = _cue_lemmas(self.model_dir)
        self.features = Featurizer(self.cue_lemmas)
        self.crf = _Crf(self.model_dir / "model.crfsuite")

    def sequences(self, doc: Doc) -> Iterator[tuple[list[int], list[list[bytes]]]]:
        """``(token indices, features)`` of each paragraph in turn, as this tagger's CRF reads them (the rules'
        records in ``doc._.attributions`` are features: ``attribution_features.Featurizer``)."""
        if self.base is None:
            return self.features.sequences(doc, doc._.get(ATTRIBUTIONS_EXT))
        return stacked_sequences(self.base, doc)

    def tag_all(self, doc: Doc) -> tuple[list[ScoredSpan], dict[int, float]]:
        """Every tagged span ``(label, start_token, end_token, score)`` in text order, and each token's
        probability of being content (what a quote's score is made of, whoever found the quote)."""
        spans: list[ScoredSpan] = []
        content: dict[int, float] = {}
        for idx, feats in self.sequences(doc):
            labels, probs = self.crf.tag(feats, outside=False)
            spans.extend(decode_scored(idx, labels, probs))
            content.update(zip(idx, self.crf.content_probs(len(idx))))
        return spans, content

    def tag_scored(self, doc: Doc) -> list[ScoredSpan]:
        """``(label, start_token, end_token, score)`` of every tagged span, in text order."""
        return self.tag_all(doc)[0]

    def tag(self, doc: Doc) -> list[tuple[str, int, int]]:
        """``(label, start_token, end_token)`` of every tagged span (``CrfTagger.tag``'s shape)."""
        return [(k, s, e) for k, s, e, _p in self.tag_scored(doc)]


def stacked_sequences(base: ScoredTagger, doc: Doc) -> Iterator[tuple[list[int], list[list[bytes]]]]:
    """The base's features of each paragraph in turn plus what the base CRF says about each token."""
    for idx, feats in base.sequences(doc):
        labels, probs = base.crf.tag(feats)
        yield idx, [f + b for f, b in zip(feats, base_features(labels, probs))]


def score_records(doc: Doc, records: Sequence[dict[str, Any]], content: dict[int, float]) -> None:
    """Each attribution record's ``score``: the mean probability, by the CRF, that its tokens are content
    (rule and learned quotes alike; the side panel shows it and ``annotate --order uncertain`` sorts by it)."""
    for r in records:
        span = doc.char_span(r["start"], r["end"], alignment_mode="expand")
        probs = [content[i] for i in (range(span.start, span.end) if span is not None else ()) if i in content]
        r["score"] = round(sum(probs) / len(probs), 4) if probs else None


#: The files of a tagger folder (a stacked one also has ``base/``; the second pass's and the record filter's
#: models are its base's).
TAGGER_FILES = ("model.crfsuite", "cue_lemmas.json", STACK_FILE, CLAUSE_FILE, RECORD_FILE)


def save_tagger(src: Path, dst: Path) -> None:
    """Copy the tagger folder ``src`` (only its model files) to ``dst``."""
    dst.mkdir(parents=True, exist_ok=True)
    for name in TAGGER_FILES:
        if (src / name).is_file():
            shutil.copy2(src / name, dst / name)
    if (src / STACK_FILE).is_file():
        save_tagger(src / BASE_DIR, dst / BASE_DIR)
