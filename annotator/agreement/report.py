"""Inter-annotator agreement over a dataset (docs/contract.md section 6): the computation (records in ``results``, tables in ``render``).

``compute_agreement`` takes every annotator's done versions of the documents and returns an
``AgreementReport``: per layer and label, for each annotator pair and overall,

* span F1 with exact and with overlap matching (see :func:`metrics.match_spans`);
* token-level Krippendorff's alpha (nominal), Cohen's kappa (pairs; overall with two annotators),
  Fleiss' kappa (overall, three or more annotators, on documents all of them did), Gwet's AC1
  and percent agreement. Tokens are the whitespace tokens of the text (regex ``\\S+``); a token
  carries a label when any of its characters is inside a span of that label, else ``O``. A
  document an annotator did not do is missing data for that annotator;
* speaker agreement: on quotes matched across a pair (overlap matching), the share given the same
  canonical speaker name (case and spacing ignored), over the matched quotes where at least one of
  the two named a speaker;
* stance agreement on the same matched quotes: labels ``favor/against/neutral`` and ``none`` (no
  stance); kappa, alpha, AC1 (``q`` = all labels), percent agreement, a confusion matrix, and the
  share of same targets where both gave a stance;
* attributes over multi-annotator units (``report.units``; :mod:`annotator.agreement.units`):
  quotes (claims) matched across annotators form one unit per group, with a missing value for an
  annotator without a matching item; stance, speaker, quote kind and checkworthiness agreement
  (alpha, Cohen's or Fleiss' kappa, AC1, percent agreement). The overall stance figures are these.

Documents done by fewer than two of the annotators, whose text differs between annotators, or
that have no token are left out, each with its reason in ``report.documents.excluded``.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain, combinations
from typing import Callable, Hashable, Iterable, Iterator, Mapping, Sequence

import numpy as np

from annotator.agreement.metrics import (
    SpanF1,
    match_arrays,
    cohen_kappa_from_confusion,
    fleiss_kappa_from_counts,
    gwet_ac1_from_counts,
    krippendorff_alpha_from_counts,
    percent_agreement_from_counts,
    span_f1_from_counts,
)
from annotator.agreement.collect import (
    CHUNK_DOCUMENTS,
    Collected,
    Documents,
    Rows,
    SpanKey,
    TokenCounts,
    collect,
    collect_rows,
    documents_of,
    stream_documents,
)
from annotator.agreement.results import (
    ALL_LAYERS,
    NO_SPEAKER,
    NO_STANCE,
    SPAN_LAYERS,
    AgreementReport,
    DocumentCounts,
    LayerAgreement,
    Number,
    OverallLayerAgreement,
    PairLayerAgreement,
    SpeakerAgreement,
    SpeakerPair,
    StanceAgreement,
    StanceOverall,
    StancePair,
    TokenAgreement,
)
from annotator.agreement.unitizing import (
    Segments,
    UnitizingAlpha,
    coder_segments,
    segment_distance,
    unitizing_segments,
)
from annotator.agreement.units import UnitAgreement, group_units, unit_agreement_of
from annotator.errors import UserError
from annotator.records import VersionRows
from annotator.scheme import QUOTE_KINDS, STANCE_LABELS, Annotation

__all__ = ["compute_agreement", "compute_agreement_rows", "compute_agreement_streamed"]

_CHECKWORTHY = ("checkworthy", "not_checkworthy")

# ============================================================================ computation


@dataclass(slots=True)
class _Spans:
    """One annotator's distinct spans of one layer/label over the compared documents (global offsets)."""

    starts: np.ndarray
    ends: np.ndarray
    docs: np.ndarray


@dataclass(slots=True)
class _Quotes:
    """One annotator's distinct quote spans with the attributes compared on matched quotes."""

    spans: _Spans
    speaker: list[str | None]
    stance: list[str]
    target: list[str | None]
    kind: list[str]


def _select_annotators(
    versions: Mapping[str, Mapping[str, Annotation]], annotators: Sequence[str] | None
) -> list[str]:
    def done_docs(name: str) -> int:
        return sum(1 for a in (versions.get(name) or {}).values() if a.status == "done")

    if annotators is None:
        names = sorted(name for name in versions if done_docs(name) > 0)
    else:
        names = list(dict.fromkeys(annotators))
    _check_names(names, done_docs)
    return names


def _check_names(names: Sequence[str], done_docs: Callable[[str], int]) -> None:
    lacking = [name for name in names if done_docs(name) == 0]
    if lacking:
        raise UserError(
            "no done documents by annotator(s) " + ", ".join(repr(n) for n in lacking)
            + ": agreement compares annotators' done documents"
        )
    if len(names) < 2:
        found = f"only {names[0]!r} has" if names else "no annotator has"
        raise UserError(f"agreement needs at least two annotators with done documents; {found} any")


def _popcount(values: np.ndarray) -> np.ndarray:
    v = values.astype(np.int64)
    out = np.zeros_like(v)
    while np.any(v):
        out += v & 1
        v >>= 1
    return out


def compute_agreement(
    versions: Mapping[str, Mapping[str, Annotation]],
    layers: Sequence[str] = ALL_LAYERS,
    annotators: Sequence[str] | None = None,
) -> AgreementReport:
    """Agreement between annotators' done versions of documents.

    ``versions`` maps annotator name -> document id -> that annotator's ``Annotation`` (only done
    documents are expected; other statuses are left out with a reason). ``annotators`` picks and
    orders the annotators (default: every annotator with a done document, sorted). Raises
    ``UserError`` when fewer than two annotators have done documents, or a named annotator has none.
    """
    wanted = _wanted_layers(layers)
    names = _select_annotators(versions, annotators)
    with _collector_running():
        return _report(collect(documents_of(versions, names), names, _span_layers(wanted)), names, wanted)


def compute_agreement_streamed(
    versions: Iterable[Annotation], annotators: Sequence[str], layers: Sequence[str] = ALL_LAYERS,
    chunk: int = CHUNK_DOCUMENTS,
) -> AgreementReport:
    """The report of :func:`compute_agreement` from a stream of versions in which each document's versions
    come together (``Repository.versions``), in memory that does not grow with the documents' texts: each
    document is reduced to numbers as it arrives (:mod:`annotator.agreement.collect`). Versions by others
    than ``annotators`` are skipped. Same errors as :func:`compute_agreement` with named annotators."""
    wanted = _wanted_layers(layers)
    names = list(dict.fromkeys(annotators))
    with _collector_running():
        collected = collect(stream_documents(versions, names), names, _span_layers(wanted), chunk)
        _check_names(names, lambda name: collected.done_counts[names.index(name)])
        return _report(collected, names, wanted)


def compute_agreement_rows(
    batches: Iterable[VersionRows], annotators: Sequence[str], layers: Sequence[str] = ALL_LAYERS,
    chunk: int = CHUNK_DOCUMENTS,
) -> AgreementReport:
    """The report of :func:`compute_agreement_streamed` from batches of plain rows
    (``Repository.version_rows``: the columns agreement uses, read in SQL) instead of Annotations: the same
    numbers, without an object per version and item."""
    wanted = _wanted_layers(layers)
    names = list(dict.fromkeys(annotators))
    with _collector_running():
        collected = collect_rows(batches, names, _span_layers(wanted), chunk)
        _check_names(names, lambda name: collected.done_counts[names.index(name)])
        return _report(collected, names, wanted)


@contextmanager
def _collector_running() -> Iterator[None]:
    """The cyclic garbage collector paused: collecting a dataset makes millions of small acyclic objects
    (rows, lists, strings), and the collector's passes over them (and over the versions held) were a
    quarter of the time."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _wanted_layers(layers: Sequence[str]) -> list[str]:
    wanted = list(dict.fromkeys(layers))
    unknown = [layer for layer in wanted if layer not in ALL_LAYERS]
    if unknown:
        raise UserError(f"unknown layer(s) {', '.join(map(repr, unknown))}; choose from {', '.join(ALL_LAYERS)}")
    return wanted


def _span_layers(wanted: Sequence[str]) -> list[str]:
    return [layer for layer in wanted if layer in SPAN_LAYERS]


def _report(collected: Collected, names: list[str], wanted: list[str]) -> AgreementReport:
    k = len(names)
    docs = collected.docs
    span_layers = _span_layers(wanted)
    need_quotes = "quotes" in span_layers or "speakers" in wanted or "stance" in wanted
    keys, extra_kinds = collected.keys, collected.extra_kinds
    items = [_annotator_items(rows, docs, keys) for rows in collected.rows]
    spans = [i.spans for i in items]
    quotes = [i.quotes for i in items]
    pairs = list(combinations(range(k), 2))
    both_docs = {(a, b): docs.done[a] & docs.done[b] for a, b in pairs}
    layer_results = [
        _layer_agreement(key, names, spans, pairs, both_docs, docs, collected.tokens[key]) for key in keys
    ]

    speakers = stance = None
    unit_results: list[UnitAgreement] = []
    if need_quotes:
        quote_matches = {(a, b): _pair_matches(quotes[a].spans, quotes[b].spans, both_docs[(a, b)]) for a, b in pairs}
        q_units = _units([q.spans for q in quotes], quote_matches)
        if "quotes" in span_layers:
            kinds = (*QUOTE_KINDS, *sorted(extra_kinds))
            unit_results.append(unit_agreement_of("kind", q_units, [q.kind for q in quotes], kinds))
        if "speakers" in wanted:
            speakers = _speaker_agreement(names, quotes, pairs, quote_matches)
            spk_values = [[NO_SPEAKER if s is None else s for s in q.speaker] for q in quotes]
            spk_labels = sorted({v for vs in spk_values for v in vs})
            unit_results.append(unit_agreement_of("speaker", q_units, spk_values, spk_labels))
        if "stance" in wanted:
            stance = _stance_agreement(names, quotes, pairs, quote_matches, q_units)
            unit_results.append(stance.units)
    if "claims" in span_layers:
        claims = [i.claims for i in items]
        c_matches = {(a, b): _pair_matches(claims[a][0], claims[b][0], both_docs[(a, b)]) for a, b in pairs}
        c_units = _units([c[0] for c in claims], c_matches)
        unit_results.append(unit_agreement_of("checkworthy", c_units, [c[1] for c in claims], _CHECKWORTHY))

    done = docs.done
    documents = DocumentCounts(
        total=docs.total,
        compared=len(docs.ids),
        complete=int(done.all(axis=0).sum()) if docs.ids else 0,
        done=tuple((names[a], int(done[a].sum())) for a in range(k)),
        missing=tuple((names[a], tuple(docs.ids[d] for d in np.flatnonzero(~done[a]))) for a in range(k)),
        excluded=tuple(sorted(collected.excluded, key=lambda e: (e.doc_id, e.annotator or ""))),
    )
    return AgreementReport(
        annotators=tuple(names),
        documents=documents,
        layers=tuple(layer_results),
        speakers=speakers,
        stance=stance,
        units=tuple(unit_results),
    )


def _distinct(gs: np.ndarray, ge: np.ndarray, doc: np.ndarray) -> tuple[_Spans, np.ndarray]:
    """Distinct spans sorted by (start, end), and the index of each one's first occurrence."""
    if len(gs) == 0:
        return _Spans(gs, ge, doc), np.zeros(0, dtype=np.int64)
    order = np.lexsort((ge, gs))
    gs_o, ge_o = gs[order], ge[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (gs_o[1:] != gs_o[:-1]) | (ge_o[1:] != ge_o[:-1])
    # lexsort is stable: within equal spans the earliest row comes first.
    keep = order[first]
    return _Spans(gs[keep], ge[keep], doc[keep]), keep


@dataclass(slots=True)
class _Items:
    """One annotator's items over the compared documents."""

    spans: dict[tuple[str, str | None], _Spans]  #: per (layer, label)
    quotes: _Quotes
    claims: tuple[_Spans, list[str]]  #: distinct claim spans and their checkworthiness label


def _annotator_items(rows: Rows, docs: Documents, keys: Sequence[SpanKey]) -> _Items:
    """One annotator's kept quotes, cues, speakers and claims in global offsets: clipping, de-duplication
    and sorting vectorised."""
    per_key: dict[SpanKey, _Spans] = {}
    for key in keys:
        doc, s, e = rows.key_spans(key)
        per_key[key] = _distinct(*docs.global_spans(doc, s, e), doc)[0]
    q_spans, first_rows = _distinct(*docs.global_spans(rows.q_doc, rows.q_start, rows.q_end), rows.q_doc)
    picked = first_rows.tolist()  # (lists by map, arrays by one fancy index: no numpy scalar per item)
    quotes = _Quotes(q_spans, list(map(rows.speaker.__getitem__, picked)), list(map(rows.stance.__getitem__, picked)),
                     list(map(rows.target.__getitem__, picked)), rows.q_kind[first_rows].tolist())
    c_spans, c_first = _distinct(*docs.global_spans(rows.c_doc, rows.c_start, rows.c_end), rows.c_doc)
    claims = (c_spans, [_CHECKWORTHY[0 if cw else 1] for cw in rows.checkworthy[c_first].tolist()])
    return _Items(per_key, quotes, claims)


def _pair_matches(sa: _Spans, sb: _Spans, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Overlap matching of two annotators' items on the documents both did: matched indices of
    each side, and the indices of the items that took part."""
    sel_a = np.flatnonzero(mask[sa.docs]) if len(sa.docs) else sa.docs
    sel_b = np.flatnonzero(mask[sb.docs]) if len(sb.docs) else sb.docs
    ia, ib = match_arrays(sa.starts[sel_a], sa.ends[sel_a], sb.starts[sel_b], sb.ends[sel_b], "overlap")
    return sel_a[ia], sel_b[ib], sel_a, sel_b


def _units(
    spans: list[_Spans], matches: Mapping[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]
) -> np.ndarray:
    """Multi-annotator units (see :mod:`annotator.agreement.units`) from the pairwise matchings."""
    weighted = {}
    for (a, b), (ia, ib, _, _) in matches.items():
        shared = np.minimum(spans[a].ends[ia], spans[b].ends[ib]) - np.maximum(spans[a].starts[ia], spans[b].starts[ib])
        weighted[(a, b)] = (ia, ib, shared)
    return group_units([len(s.starts) for s in spans], weighted)


def _pair_counts_binary(conf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two raters, binary labels: the distinct unit rows of the count table and their weights."""
    table = np.array([[2, 0], [0, 2], [1, 1]], dtype=np.float64)
    weights = np.array([conf[0, 0], conf[1, 1], conf[0, 1] + conf[1, 0]], dtype=np.float64)
    return table, weights


def _layer_agreement(
    key: tuple[str, str | None],
    names: list[str],
    spans: list[dict[tuple[str, str | None], _Spans]],
    pairs: list[tuple[int, int]],
    both_docs: dict[tuple[int, int], np.ndarray],
    docs: Documents,
    tokens: TokenCounts,
) -> LayerAgreement:
    """Span F1, unitizing alpha and the token statistics of one (layer, label), per pair and overall."""
    k = len(names)
    done, doc_start, lengths = docs.done, docs.starts, docs.lengths

    # A coder's segments and a pair's distances depend only on the documents compared: computed once per
    # set of documents (every pair and the overall figure share them when everyone did every document).
    segments: dict[tuple[int, bytes], Segments] = {}
    distances: dict[tuple[int, int, bytes], int] = {}

    def unitizing(coders: Sequence[int], docs: np.ndarray) -> UnitizingAlpha:
        """alpha_U of ``coders`` on the documents ``docs`` (a mask), pooled in document order."""
        chosen = np.flatnonzero(docs)
        position = np.cumsum(docs) - 1  # document -> its place among the chosen
        which = docs.tobytes()
        for a in coders:
            if (a, which) not in segments:
                sp = spans[a][key]
                keep = docs[sp.docs] if len(sp.docs) else np.zeros(0, dtype=bool)
                d = sp.docs[keep]
                units = (position[d], sp.starts[keep] - doc_start[d], sp.ends[keep] - doc_start[d])
                segments[(a, which)] = coder_segments(lengths[chosen], units)
        ours = [segments[(a, which)] for a in coders]

        def distance(x: int, y: int) -> int:
            pair = (coders[x], coders[y], which)
            if pair not in distances:
                distances[pair] = segment_distance(ours[x], ours[y])
            return distances[pair]

        return unitizing_segments(int(lengths[chosen].sum()), ours, distance)

    # Per token, who did its document and who labelled it (bit a: annotator a), counted per distinct
    # pair: everything the token statistics need (collect.TokenCounts).
    pat, lab, weight = tokens.pattern, tokens.labels, tokens.weight
    full = (1 << k) - 1

    m = _popcount(pat)
    n1 = _popcount(lab & pat)
    table = np.stack([m - n1, n1], axis=1).astype(np.float64)
    w = weight.astype(np.float64)
    pairable = m >= 2
    complete = pat == full
    fleiss = None
    fleiss_tokens = 0
    if k >= 3:
        fleiss_tokens = int(w[complete].sum())
        fleiss = fleiss_kappa_from_counts(table[complete], w[complete]) if fleiss_tokens else None

    pair_results: list[PairLayerAgreement] = []
    pair_kappa: Number = None
    for a, b in pairs:
        has_both = ((pat >> a) & 1).astype(bool) & ((pat >> b) & 1).astype(bool)
        la = (lab[has_both] >> a) & 1
        lb = (lab[has_both] >> b) & 1
        conf = np.bincount(la * 2 + lb, weights=weight[has_both], minlength=4).reshape(2, 2)
        ptable, pweights = _pair_counts_binary(conf)
        kappa = cohen_kappa_from_confusion(conf)
        token = TokenAgreement(
            tokens=int(conf.sum()),
            alpha=krippendorff_alpha_from_counts(ptable, pweights),
            cohen_kappa=kappa,
            fleiss_kappa=None,
            fleiss_tokens=0,
            ac1=gwet_ac1_from_counts(ptable, pweights),
            percent_agreement=percent_agreement_from_counts(ptable, pweights),
        )
        pair_kappa = kappa
        sa, sb = spans[a][key], spans[b][key]
        mask = both_docs[(a, b)]
        keep_a = mask[sa.docs] if len(sa.docs) else np.zeros(0, dtype=bool)
        keep_b = mask[sb.docs] if len(sb.docs) else np.zeros(0, dtype=bool)
        a_s, a_e, b_s, b_e = sa.starts[keep_a], sa.ends[keep_a], sb.starts[keep_b], sb.ends[keep_b]
        n_a, n_b = len(a_s), len(b_s)
        tp_x = len(match_arrays(a_s, a_e, b_s, b_e, "exact")[0])
        tp_o = len(match_arrays(a_s, a_e, b_s, b_e, "overlap")[0])
        pair_results.append(
            PairLayerAgreement(
                annotators=(names[a], names[b]),
                documents=int(mask.sum()),
                spans=(n_a, n_b),
                exact=span_f1_from_counts(tp_x, n_a, n_b),
                overlap=span_f1_from_counts(tp_o, n_a, n_b),
                token=token,
                unitizing=unitizing((a, b), mask),
            )
        )

    def pooled(attr: str) -> SpanF1:
        tp = sum(getattr(p, attr).tp for p in pair_results)
        fp = sum(getattr(p, attr).fp for p in pair_results)
        fn = sum(getattr(p, attr).fn for p in pair_results)
        return SpanF1(tp=tp, fp=fp, fn=fn, precision=None, recall=None,
                      f1=2.0 * tp / (2 * tp + fp + fn) if 2 * tp + fp + fn else None)

    overall_token = TokenAgreement(
        tokens=int(w[pairable].sum()),
        alpha=krippendorff_alpha_from_counts(table, w),
        cohen_kappa=pair_kappa if k == 2 else None,
        fleiss_kappa=fleiss,
        fleiss_tokens=fleiss_tokens,
        ac1=gwet_ac1_from_counts(table, w),
        percent_agreement=percent_agreement_from_counts(table, w),
    )
    total_spans = sum(len(spans[a][key].starts) for a in range(k))
    overall = OverallLayerAgreement(
        documents=int(done.shape[1]),
        spans=total_spans,
        exact=pooled("exact"),
        overlap=pooled("overlap"),
        token=overall_token,
        unitizing=unitizing(range(k), np.asarray(done.all(axis=0))),
        unitizing_documents=int(done.all(axis=0).sum()),
    )
    return LayerAgreement(layer=key[0], label=key[1], pairs=tuple(pair_results), overall=overall)


def _speaker_agreement(
    names: list[str],
    quotes: list[_Quotes],
    pairs: list[tuple[int, int]],
    matches: Mapping[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
) -> SpeakerAgreement:
    results = []
    totals = [0, 0, 0, 0]
    codes = _codes([q.speaker for q in quotes], {None: 0})  # 0: no speaker
    for a, b in pairs:
        ia, ib, _, _ = matches[(a, b)]
        x, y = codes[a][ia], codes[b][ib]
        matched = len(ia)
        both_missing = int(((x == 0) & (y == 0)).sum())
        compared = matched - both_missing
        same = int(((x == y) & (x != 0)).sum())
        totals = [totals[0] + matched, totals[1] + compared, totals[2] + same, totals[3] + both_missing]
        results.append(
            SpeakerPair((names[a], names[b]), matched, compared, same, both_missing, same / compared if compared else None)
        )
    overall = SpeakerPair(("*", "*"), totals[0], totals[1], totals[2], totals[3], totals[2] / totals[1] if totals[1] else None)
    return SpeakerAgreement(tuple(results), overall)


def _codes(values: Sequence[Sequence[Hashable]], index: dict[Hashable, int]) -> list[np.ndarray]:
    """Per annotator, each item's value as an integer (``index`` first, new values numbered as met): equal
    codes for equal values, so comparisons of matched items are array operations."""
    for v in dict.fromkeys(chain.from_iterable(values)):  # the distinct values in the order met
        index.setdefault(v, len(index))
    code = index.__getitem__
    return [np.fromiter(map(code, vs), dtype=np.int64, count=len(vs)) for vs in values]


def _label_table(conf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Count-table rows (one per cell of a confusion matrix) for units rated by two coders."""
    q = conf.shape[0]
    rows, weights = [], []
    for i in range(q):
        for j in range(q):
            if conf[i, j]:
                row = np.zeros(q)
                row[i] += 1
                row[j] += 1
                rows.append(row)
                weights.append(conf[i, j])
    if not rows:
        return np.zeros((0, q)), np.zeros(0)
    return np.array(rows), np.array(weights, dtype=np.float64)


def _stance_agreement(
    names: list[str],
    quotes: list[_Quotes],
    pairs: list[tuple[int, int]],
    matches: Mapping[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
    units: np.ndarray,
) -> StanceAgreement:
    extra = sorted({lab for q in quotes for lab in q.stance} - set(STANCE_LABELS) - {NO_STANCE})
    labels = (*STANCE_LABELS, NO_STANCE, *extra)
    index = {lab: i for i, lab in enumerate(labels)}
    q = len(labels)
    t_compared = t_same = 0
    results = []
    known: dict[Hashable, int] = {lab: i for i, lab in enumerate(labels)}
    stances = _codes([x.stance for x in quotes], known)
    targets = _codes([x.target for x in quotes], {})
    none = index[NO_STANCE]
    for a, b in pairs:
        ia, ib, _, _ = matches[(a, b)]
        sa, sb = stances[a][ia], stances[b][ib]
        conf = np.bincount(sa * q + sb, minlength=q * q).reshape(q, q).astype(np.int64)
        both = (sa != none) & (sb != none)
        compared = int(both.sum())
        same = int((targets[a][ia] == targets[b][ib])[both].sum())
        table, weights = _label_table(conf)
        kappa = cohen_kappa_from_confusion(conf)
        results.append(
            StancePair(
                annotators=(names[a], names[b]),
                matched_quotes=int(conf.sum()),
                cohen_kappa=kappa,
                alpha=krippendorff_alpha_from_counts(table, weights),
                ac1=gwet_ac1_from_counts(table, weights),
                percent_agreement=percent_agreement_from_counts(table, weights),
                confusion=tuple(tuple(int(v) for v in row) for row in conf),
                target_compared=compared,
                target_agreement=same / compared if compared else None,
            )
        )
        t_compared += compared
        t_same += same
    on_units = unit_agreement_of("stance", units, [q.stance for q in quotes], labels)
    overall = StanceOverall(
        matched_quotes=on_units.pairable,
        complete=on_units.complete,
        cohen_kappa=on_units.cohen_kappa,
        fleiss_kappa=on_units.fleiss_kappa,
        alpha=on_units.alpha,
        ac1=on_units.ac1,
        percent_agreement=on_units.percent_agreement,
        coincidence=on_units.coincidence,
        target_compared=t_compared,
        target_agreement=t_same / t_compared if t_compared else None,
    )
    return StanceAgreement(labels=tuple(labels), pairs=tuple(results), overall=overall, units=on_units)

