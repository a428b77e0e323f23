"""A small linear text classifier (TF-IDF word and character n-grams + logistic regression) that is saved
as plain arrays and JSON, not pickles: a model folder loads with any scikit-learn version and is safe to read.

Both learned components (check-worthiness, stance) use it. Each input is a *list of fields* (strings); every
field has its own vectorizer (e.g. the target-masked sentence as words and characters, and the words left
and right of the target as marker tokens), and their features are concatenated.

Folder layout: ``model.json`` (settings, classes, vocabularies, threshold, scores) and ``weights.npz``
(``idf_<i>``, ``coef``, ``intercept``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

MODEL_FILE = "model.json"
WEIGHTS_FILE = "weights.npz"


@dataclass(frozen=True)
class FieldSpec:
    """How one input field is vectorized: ``analyzer`` "word" (regular words), "char_wb" (character n-grams
    within words) or "marker" (whitespace-separated feature tokens, kept as they are)."""

    field: int
    analyzer: str
    ngram: tuple[int, int] = (1, 1)
    min_df: int = 2

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "analyzer": self.analyzer, "ngram": list(self.ngram), "min_df": self.min_df}


def _vectorizer(spec: FieldSpec, vocabulary: dict[str, int] | None = None) -> "TfidfVectorizer":
    from sklearn.feature_extraction.text import TfidfVectorizer

    common: dict[str, Any] = {"sublinear_tf": True, "dtype": np.float32, "vocabulary": vocabulary}
    if vocabulary is None:
        common["min_df"] = spec.min_df
    if spec.analyzer == "marker":
        return TfidfVectorizer(token_pattern=r"\S+", lowercase=False, **common)
    if spec.analyzer == "char_wb":
        return TfidfVectorizer(analyzer="char_wb", ngram_range=spec.ngram, **common)
    return TfidfVectorizer(ngram_range=spec.ngram, **common)


@dataclass
class LinearTextModel:
    """Fitted vectorizers and logistic-regression weights; ``predict_proba`` gives one column per class."""

    specs: list[FieldSpec]
    classes: list[str]
    vectorizers: list[Any]
    coef: np.ndarray
    intercept: np.ndarray
    info: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def fit(cls, rows: Sequence[Sequence[str]], labels: Sequence[str], specs: Sequence[FieldSpec],
            c: float = 1.0, balanced: bool = True) -> "LinearTextModel":
        """Train on ``rows`` (each a list of fields) with ``labels`` (strings)."""
        from sklearn.linear_model import LogisticRegression

        specs = list(specs)
        vectorizers = [_vectorizer(s) for s in specs]
        X = _stack([v.fit_transform([r[s.field] for r in rows]) for s, v in zip(specs, vectorizers)])
        clf = LogisticRegression(C=c, max_iter=3000, class_weight="balanced" if balanced else None)
        clf.fit(X, list(labels))
        return cls(specs, [str(k) for k in clf.classes_], vectorizers, clf.coef_.astype(np.float32),
                   clf.intercept_.astype(np.float32))

    def _features(self, rows: Sequence[Sequence[str]]) -> Any:
        return _stack([v.transform([r[s.field] for r in rows]) for s, v in zip(self.specs, self.vectorizers)])

    def decision(self, rows: Sequence[Sequence[str]]) -> np.ndarray:
        """Decision values, computed directly from each vectorizer's analyzer, vocabulary and idf (the same
        numbers as ``vectorizer.transform`` then ``coef``: sublinear tf x idf, l2 norm per field) without the
        overhead of building sparse matrices, which would dominate the cost for a document's few sentences."""
        out = np.tile(self.intercept.astype(np.float64), (len(rows), 1))
        offset = 0
        for spec, vec in zip(self.specs, self.vectorizers):
            analyzer, vocab, idf = vec.build_analyzer(), vec.vocabulary_, vec.idf_
            coef = self.coef[:, offset : offset + len(vocab)]
            for i, row in enumerate(rows):
                counts: dict[int, int] = {}
                for token in analyzer(row[spec.field]):
                    j = vocab.get(token)
                    if j is not None:
                        counts[j] = counts.get(j, 0) + 1
                if counts:
                    idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
                    w = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * idf[idx]
                    out[i] += coef[:, idx] @ (w / np.sqrt(w @ w))
            offset += len(vocab)
        return out

    def predict_proba(self, rows: Sequence[Sequence[str]]) -> np.ndarray:
        """``(len(rows), len(classes))`` probabilities (two classes: the logistic of one decision value)."""
        if not rows:
            return np.zeros((0, len(self.classes)), dtype=np.float32)
        z = self.decision(rows)
        if len(self.classes) == 2:
            p = 1.0 / (1.0 + np.exp(-z[:, 0]))
            return np.stack([1.0 - p, p], axis=1)
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        arrays = {f"idf_{i}": v.idf_.astype(np.float32) for i, v in enumerate(self.vectorizers)}
        np.savez_compressed(folder / WEIGHTS_FILE, coef=self.coef, intercept=self.intercept, **arrays)
        vocabularies = []
        for v in self.vectorizers:
            vocab = v.vocabulary_
            words = [""] * len(vocab)
            for word, index in vocab.items():
                words[index] = word
            vocabularies.append(words)
        data = {"classes": self.classes, "fields": [s.to_dict() for s in self.specs], "info": self.info,
                "vocabularies": vocabularies}
        (folder / MODEL_FILE).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "LinearTextModel":
        """Read a saved folder; ``ValueError`` names what is missing or broken."""
        try:
            data = json.loads((folder / MODEL_FILE).read_text(encoding="utf-8"))
            weights = np.load(folder / WEIGHTS_FILE)
            specs = [FieldSpec(int(f["field"]), str(f["analyzer"]), tuple(f["ngram"]), int(f["min_df"]))
                     for f in data["fields"]]
            vectorizers = []
            for i, (spec, words) in enumerate(zip(specs, data["vocabularies"])):
                vec = _vectorizer(spec, {w: j for j, w in enumerate(words)})
                vec.idf_ = weights[f"idf_{i}"]
                vectorizers.append(vec)
            return cls(specs, list(data["classes"]), vectorizers, weights["coef"], weights["intercept"],
                       dict(data.get("info") or {}))
        except (OSError, KeyError, ValueError, TypeError) as exc:
            raise ValueError(f"cannot load text model from {folder}: {exc}") from exc


def _stack(parts: Sequence[Any]) -> Any:
    import scipy.sparse as sp

    return sp.hstack(parts, format="csr")
