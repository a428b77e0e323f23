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
from typing import TYPE_CHECKING, Any, ClassVar, Sequence

import numpy as np

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

MODEL_FILE = "model.json"
#: Distinct words whose character n-gram indices are kept per field (then the cache starts again).
_WORD_CACHE_SIZE = 200_000
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
    _word_ngrams: dict[FieldSpec, dict[str, np.ndarray]] = field(default_factory=dict, repr=False, compare=False)
    _analyzers: dict[FieldSpec, Any] = field(default_factory=dict, repr=False, compare=False)
    #: Rows scored at once by :meth:`decision` (its memory is bounded by these, not by a document's length).
    BATCH_ROWS: ClassVar[int] = 1_000

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
        overhead of building sparse matrices, which would dominate the cost for a document's few sentences.
        ``BATCH_ROWS`` rows at a time: the n-gram arrays of all of a 5 MB article's 23,000 candidate
        sentences at once took ~0.4 GB."""
        if len(rows) <= self.BATCH_ROWS:
            return self._decision(rows)
        return np.concatenate([self._decision(rows[i : i + self.BATCH_ROWS])
                               for i in range(0, len(rows), self.BATCH_ROWS)])

    def _decision(self, rows: Sequence[Sequence[str]]) -> np.ndarray:
        out = np.tile(self.intercept.astype(np.float64), (len(rows), 1))
        offset = 0
        for spec, vec in zip(self.specs, self.vectorizers):
            n_vocab = len(vec.vocabulary_)
            found = [self._indices(spec, vec, row[spec.field]) for row in rows]
            lengths = np.fromiter(map(len, found), dtype=np.int64, count=len(found))
            if lengths.sum():
                # every (row, n-gram) pair once with its count, all rows at once
                keys, counts = np.unique(np.repeat(np.arange(len(rows)), lengths) * n_vocab + np.concatenate(found),
                                         return_counts=True)
                row_of, idx = np.divmod(keys, n_vocab)
                w = (1.0 + np.log(counts)) * vec.idf_[idx]
                w /= np.sqrt(np.bincount(row_of, weights=w * w, minlength=len(rows)))[row_of]
                contrib = self.coef[:, offset + idx] * w
                for k in range(out.shape[1]):
                    out[:, k] += np.bincount(row_of, weights=contrib[k], minlength=len(rows))
            offset += n_vocab
        return out

    def _indices(self, spec: FieldSpec, vec: Any, text: str) -> np.ndarray:
        """Vocabulary indices of the text's n-grams, one per occurrence. Character n-grams within words are
        the concatenation of each word's n-grams, so those are looked up once per distinct word and kept
        (most of a model's time went into n-gram look-ups of the same words again and again)."""
        vocab = vec.vocabulary_
        if spec.analyzer != "char_wb":
            analyze = self._analyzers.get(spec)
            if analyze is None:  # built once: building it per text cost as much as the look-ups
                analyze = self._analyzers[spec] = vec.build_analyzer()
            return np.fromiter((j for j in map(vocab.get, analyze(text)) if j is not None), dtype=np.int64)
        cache = self._word_ngrams.setdefault(spec, {})
        if len(cache) > _WORD_CACHE_SIZE:
            cache.clear()
        parts = []
        for word in text.lower().split():
            found = cache.get(word)
            if found is None:
                grams = vec._char_wb_ngrams(word)
                found = cache[word] = np.fromiter((j for j in map(vocab.get, grams) if j is not None), dtype=np.int64)
            parts.append(found)
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

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
