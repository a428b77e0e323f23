"""A ready ``spacy train`` config for the span groups of an exported DocBin.

A stock ``spacy init config --pipeline spancat`` cannot train on our DocBin: its ``spans_key`` is ``"sc"``,
its score weights name ``spans_sc_f`` and its 1–3 token n-gram suggester never proposes a quote (median
14 tokens). The config written here has, on one shared ``tok2vec``, one span categorizer per exported key
whose candidates fit that key's span lengths as measured during the export:

- short layers (cues, speakers: at most :data:`NGRAM_MAX` tokens) get a ``spancat`` whose candidates are
  all n-grams from 1 to the longest span seen (``spacy.ngram_range_suggester.v1``);
- long layers (quotes, claims) get a ``span_finder``, which learns where spans start and end and writes
  them to the key (one label per key, so no categorizer is needed on top). A ``spancat`` over n-grams of
  up to 140 tokens, or over an untrained finder's proposals, costs gigabytes per article.

Score weights are the F-scores of our keys (``spans_quotes_f``...), weighted by how many spans each key has.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from annotator.scheme import LAYER_LABELS, LAYERS

#: Layers whose longest span is at most this many tokens are suggested as all n-grams up to that length.
NGRAM_MAX = 8
#: Longest span a span finder proposes (tokens): 1.5 x the longest exported span, at most this.
MAX_SPAN = 200


@dataclass
class SpanLengths:
    """Token lengths of the exported spans, per spans key (collected while the DocBin is written)."""

    counts: dict[str, Counter[int]] = field(default_factory=dict)

    def add(self, key: str, length: int) -> None:
        counts = self.counts.get(key)
        if counts is None:  # not setdefault: a Counter made per call was 2 % of a DocBin export
            counts = self.counts[key] = Counter()
        counts[length] += 1

    def total(self, key: str) -> int:
        return sum(self.counts.get(key, Counter()).values())

    def longest(self, key: str) -> int:
        c = self.counts.get(key)
        return max(c) if c else 0

    def keys(self) -> list[str]:
        """Keys with at least one span, in layer order."""
        return [k for k in LAYERS if self.total(k)]


def _tok2vec_listener() -> dict[str, Any]:
    return {"@architectures": "spacy.Tok2VecListener.v1", "width": "${components.tok2vec.model.encode.width}",
            "upstream": "tok2vec"}


def _spancat(key: str, suggester: dict[str, Any]) -> dict[str, Any]:
    return {
        "factory": "spancat", "spans_key": key, "threshold": 0.5, "max_positive": 1,
        "model": {
            "@architectures": "spacy.SpanCategorizer.v1",
            "reducer": {"@layers": "spacy.mean_max_reducer.v1", "hidden_size": 128},
            "scorer": {"@layers": "spacy.LinearLogistic.v1", "nO": None, "nI": None},
            "tok2vec": _tok2vec_listener(),
        },
        "suggester": suggester,
        "scorer": {"@scorers": "spacy.spancat_scorer.v1"},
    }


def _span_finder(key: str, longest: int) -> dict[str, Any]:
    return {
        "factory": "span_finder", "spans_key": key, "threshold": 0.5, "min_length": 1,
        "max_length": min(MAX_SPAN, longest + longest // 2),
        "model": {
            "@architectures": "spacy.SpanFinder.v1",
            "scorer": {"@layers": "spacy.LinearLogistic.v1", "nO": 2},
            "tok2vec": _tok2vec_listener(),
        },
        "scorer": {"@scorers": "spacy.span_finder_scorer.v1"},
    }


def config_dict(lengths: SpanLengths, train: str, dev: str) -> dict[str, Any]:
    """The (unfilled) config: pipeline, components, score weights and corpus paths."""
    keys = lengths.keys()
    if not keys:
        raise ValueError("no spans exported: nothing to train")
    pipeline = ["tok2vec"]
    components: dict[str, Any] = {
        "tok2vec": {
            "factory": "tok2vec",
            "model": {
                "@architectures": "spacy.Tok2Vec.v2",
                "embed": {"@architectures": "spacy.MultiHashEmbed.v2", "width": 96,
                          "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"], "rows": [5000, 1000, 2500, 2500],
                          "include_static_vectors": False},
                "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": 96, "depth": 4,
                           "window_size": 1, "maxout_pieces": 3},
            },
        }
    }
    for key in keys:
        longest = lengths.longest(key)
        if longest <= NGRAM_MAX:
            suggester = {"@misc": "spacy.ngram_range_suggester.v1", "min_size": 1, "max_size": longest}
            components[f"spancat_{key}"] = _spancat(key, suggester)
            pipeline.append(f"spancat_{key}")
        else:
            components[f"span_finder_{key}"] = _span_finder(key, longest)
            pipeline.append(f"span_finder_{key}")
    total = sum(lengths.total(k) for k in keys)
    weights: dict[str, float | None] = {"spans_sc_f": None, "spans_sc_p": None, "spans_sc_r": None}  # factory defaults
    for key in keys:
        weights[f"spans_{key}_f"] = round(lengths.total(key) / total, 3)
        weights[f"spans_{key}_p"] = 0.0
        weights[f"spans_{key}_r"] = 0.0
    return {
        "paths": {"train": train, "dev": dev},
        "system": {"seed": 0, "gpu_allocator": None},
        "nlp": {"lang": "en", "pipeline": pipeline, "batch_size": 64},
        "components": components,
        "corpora": {
            "train": {"@readers": "spacy.Corpus.v1", "path": "${paths.train}", "max_length": 0},
            "dev": {"@readers": "spacy.Corpus.v1", "path": "${paths.dev}", "max_length": 0},
        },
        "training": {
            "dev_corpus": "corpora.dev", "train_corpus": "corpora.train",
            "max_steps": 20000, "patience": 1600, "eval_frequency": 200, "dropout": 0.1,
            "score_weights": weights,
            "batcher": {"@batchers": "spacy.batch_by_words.v1", "discard_oversize": False, "tolerance": 0.2,
                        "size": {"@schedules": "compounding.v1", "start": 100, "stop": 1000, "compound": 1.001}},
            "optimizer": {"@optimizers": "Adam.v1", "learn_rate": 0.001},
        },
    }


def train_config(lengths: SpanLengths, train: str, dev: str) -> str:
    """The full config text (every default filled in by spaCy, validated), ready for ``spacy train``."""
    from spacy.util import load_model_from_config
    from thinc.api import Config

    cfg = Config(config_dict(lengths, train, dev))
    nlp = load_model_from_config(cfg, auto_fill=True, validate=True)
    header = (
        "# Written by `annotator export docbin`: one span finder or categorizer per exported spans key\n"
        f"# ({', '.join(f'{k}: {LAYER_LABELS[k]}, {lengths.total(k)} spans, longest {lengths.longest(k)} tokens' for k in lengths.keys())}).\n"
        "# Train: python -m spacy train THIS_FILE --output DIR --paths.dev YOUR_DEV.spacy\n"
    )
    return header + nlp.config.to_str()
