"""The compared documents of an agreement report, collected from a stream of versions in bounded memory.

Agreement used to hold every version as an ``Annotation`` (text, items as objects) and the whitespace tokens
of all documents joined: 1.4 GB at 10k documents, 6.6 GB at 50k. Here each document's versions are reduced as
they arrive to what the statistics need: per annotator one row of numbers per kept quote and claim (columns,
in document offsets), and the token statistics per (layer, label) as a histogram of (who did the document,
who labelled the token), added up chunk by chunk (a token's label never depends on another document). A
document's tokens come from its text's packed word bounds (``annotator.word_bounds``: stored with each
document, so rows read from the database bring no text; an Annotation's text is packed here), a chunk's
dropped once its tokens are counted. Documents end in the order of their ids, as the report has always
listed them, so every number equals the whole-dataset computation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from annotator.agreement.results import LAYER_LABELS, NO_STANCE, Exclusion
from annotator.records import VersionRows
from annotator.scheme import KEPT_STATUSES, QUOTE_KINDS, Annotation
from annotator.word_bounds import pack_word_bounds, unpack_many, word_count

SpanKey = tuple[str, str | None]
#: Documents whose tokens are counted together (their packed word bounds are held until then).
CHUNK_DOCUMENTS = 500
#: Up to this many annotators the token histograms are dense arrays of 4^k counts; beyond, sparse.
_DENSE_ANNOTATORS = 8


def norm_name(name: str | None) -> str | None:
    """A speaker name or stance target compared case- and spacing-insensitively."""
    if name is None:
        return None
    norm = " ".join(name.split()).casefold()
    return norm or None


@dataclass(slots=True)
class Documents:
    """The compared documents, as if joined into one text with one newline between documents: an item's
    global offset is its document's start plus its offset in the document."""

    ids: list[str]  #: sorted
    lengths: np.ndarray
    starts: np.ndarray
    done: np.ndarray  #: (annotators, documents): who did which document
    total: int  #: documents done by at least one of the annotators

    def global_spans(self, doc: np.ndarray, start: Any, end: Any) -> tuple[np.ndarray, np.ndarray]:
        """Offsets of the documents ``doc`` clipped to their text, in global offsets."""
        return _clipped(self.starts, self.lengths, doc, start, end)


def _clipped(doc_starts: np.ndarray, lengths: np.ndarray, doc: np.ndarray, start: Any,
             end: Any) -> tuple[np.ndarray, np.ndarray]:
    length = lengths[doc]
    s = np.clip(np.array(start, dtype=np.int64), 0, length)
    e = np.minimum(np.maximum(np.array(end, dtype=np.int64), s), length)
    return doc_starts[doc] + s, doc_starts[doc] + e


@dataclass(slots=True)
class Rows:
    """One annotator's kept quotes and claims as columns: document index, offsets in the document (cue and
    speaker -1 when absent), speaker and target already normalised (:func:`norm_name`)."""

    q_doc: np.ndarray
    q_start: np.ndarray
    q_end: np.ndarray
    q_kind: np.ndarray  #: object array of kind names
    cue_start: np.ndarray
    cue_end: np.ndarray
    spk_start: np.ndarray
    spk_end: np.ndarray
    speaker: list[str | None]
    stance: list[str]
    target: list[str | None]
    c_doc: np.ndarray
    c_start: np.ndarray
    c_end: np.ndarray
    checkworthy: np.ndarray  #: bool

    def key_spans(self, key: SpanKey) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(document, start, end) of the items of one (layer, label); label None: the whole layer."""
        layer, label = key
        if layer == "quotes":
            sel = slice(None) if label is None else self.q_kind == label
            return self.q_doc[sel], self.q_start[sel], self.q_end[sel]
        if layer in ("cues", "speakers"):
            s, e = (self.cue_start, self.cue_end) if layer == "cues" else (self.spk_start, self.spk_end)
            has = s >= 0
            return self.q_doc[has], s[has], e[has]
        sel = slice(None) if label is None else self.checkworthy == (label == "checkworthy")
        return self.c_doc[sel], self.c_start[sel], self.c_end[sel]


def _ints(values: Sequence[int]) -> np.ndarray:
    return np.array(values, dtype=np.int64)


@dataclass(slots=True)
class _RowBuffer:
    """One annotator's rows of the current chunk, as Python lists until the chunk ends."""

    quotes: list[tuple[int, int, int, str, int, int, int, int, str | None, str, str | None]] = field(default_factory=list)
    claims: list[tuple[int, int, int, bool]] = field(default_factory=list)
    pieces: list[Rows] = field(default_factory=list)  #: rows already made columns (``add_rows``)

    def add(self, d: int, ann: Annotation, names: dict[str | None, str | None]) -> None:
        for q in ann.quotes:
            if q.status not in KEPT_STATUSES:
                continue
            cue, spk, st = q.cue, q.speaker, q.stance
            speaker = None if spk is None else spk.name
            target = None if st is None else st.target
            for value in (speaker, target):
                if value not in names:
                    names[value] = norm_name(value)
            self.quotes.append((
                d, q.start, q.end, q.kind,
                -1 if cue is None else cue.start, -1 if cue is None else cue.end,
                -1 if spk is None else spk.start, -1 if spk is None else spk.end,
                names[speaker], NO_STANCE if st is None else st.label, names[target],
            ))  # fmt: skip
        self.claims.extend((d, c.start, c.end, c.checkworthy) for c in ann.claims if c.status in KEPT_STATUSES)

    def add_rows(self, rows: Rows) -> None:
        """Rows of later documents, already columns (read from SQL rows, ``_Collector.batch``)."""
        if self.quotes or self.claims:
            self.pieces.append(self._tuple_rows())
            self.quotes, self.claims = [], []
        self.pieces.append(rows)

    def rows(self) -> Rows:
        if not self.pieces:
            return self._tuple_rows()
        if self.quotes or self.claims:
            self.pieces.append(self._tuple_rows())
        return concat_rows(self.pieces, None)

    def _tuple_rows(self) -> Rows:
        q: list[Sequence[Any]] = [list(col) for col in zip(*self.quotes)] if self.quotes else [[]] * 11
        c: list[Sequence[Any]] = [list(col) for col in zip(*self.claims)] if self.claims else [[]] * 4
        return Rows(
            _ints(q[0]), _ints(q[1]), _ints(q[2]), np.array(q[3], dtype=object), _ints(q[4]), _ints(q[5]),
            _ints(q[6]), _ints(q[7]), list(q[8]), list(q[9]), list(q[10]),
            _ints(c[0]), _ints(c[1]), _ints(c[2]), np.array(c[3], dtype=bool),
        )


def concat_rows(parts: Sequence[Rows], doc_rank: np.ndarray | None) -> Rows:
    """One annotator's rows of every chunk, document indices renumbered by ``doc_rank`` (when given)."""
    def cat(name: str, dtype: Any) -> np.ndarray:
        arrays = [getattr(p, name) for p in parts]
        return np.concatenate(arrays) if arrays else np.zeros(0, dtype=dtype)

    def joined(name: str) -> list[Any]:
        return [v for p in parts for v in getattr(p, name)]

    q_doc, c_doc = cat("q_doc", np.int64), cat("c_doc", np.int64)
    if doc_rank is not None:
        q_doc, c_doc = doc_rank[q_doc], doc_rank[c_doc]
    return Rows(
        q_doc, cat("q_start", np.int64), cat("q_end", np.int64), cat("q_kind", object),
        cat("cue_start", np.int64), cat("cue_end", np.int64), cat("spk_start", np.int64), cat("spk_end", np.int64),
        joined("speaker"), joined("stance"), joined("target"),
        c_doc, cat("c_start", np.int64), cat("c_end", np.int64), cat("checkworthy", bool),
    )


_Slots = tuple[np.ndarray, np.ndarray, np.ndarray]  #: compared versions: (version id, document index, annotator)


def item_rows(items: Sequence[Sequence[Any]], slots: _Slots, k: int,
              names: dict[str | None, str | None], extra_kinds: set[str]) -> list[Rows]:
    """Per annotator, the rows of the kept items of the versions in ``slots`` (version ids, their document
    indices and annotators), from item columns (``records.VersionRows.items``), as :meth:`_RowBuffer.add` makes them
    from Annotations: the same defaults (``scheme.quote_from_dict``), rows in document then item order.
    Quote kinds outside the scheme (of any item, rejected too) are added to ``extra_kinds``. Column by
    column: one pass per field, no per-item objects."""
    (vid_col, layer_col, position_col, status_col, start_col, end_col, kind_col, cue_s_col, cue_e_col, spk_s_col,
     spk_e_col, name_col, label_col, target_col, cw_col) = items
    vid = np.array(vid_col, dtype=np.int64)
    by_id = np.argsort(slots[0], kind="stable")
    keys, slot_doc, slot_ann = slots[0][by_id], slots[1][by_id], slots[2][by_id]
    at = np.minimum(np.searchsorted(keys, vid), max(len(keys) - 1, 0))
    code = _mapped(layer_col, lambda x: _LAYER_CODES.get(x, -1), np.int64)  # 0 quotes, 1 claims
    sel = np.flatnonzero((keys[at] == vid) & (code >= 0)) if len(keys) else at[:0]
    code, at = code[sel], at[sel]
    kinds = _mapped(kind_col, lambda x: str(x or "direct"), object)[sel]
    extra_kinds.update(set(kinds[code == 0].tolist()) - set(QUOTE_KINDS))
    kept = _mapped(status_col, lambda x: (x or "accepted") in KEPT_STATUSES, bool)[sel]
    doc, ann, pos = slot_doc[at], slot_ann[at], np.array(position_col, dtype=np.int64)[sel]
    order = np.flatnonzero(kept)
    order = order[np.lexsort((pos[order], doc[order], ann[order], code[order]))]
    group = code[order] * k + ann[order]  # sorted: (quotes, annotator 0), ..., (claims, annotator 0), ...
    bounds = np.searchsorted(group, np.arange(2 * k + 1, dtype=np.int64))
    start, end = np.array(start_col, dtype=np.int64)[sel], np.array(end_col, dtype=np.int64)[sel]
    (cue_s, _), (cue_e, _), (spk_e, _) = (_ints_or_none(col, sel) for col in (cue_s_col, cue_e_col, spk_e_col))
    spk_s, no_speaker = _ints_or_none(spk_s_col, sel)
    no_stance = (_mapped(label_col, _none, bool) & _mapped(target_col, _none, bool))[sel]
    speaker = _mapped(name_col, lambda x: _norm(names, str(x)), object)[sel]
    speaker[no_speaker] = None
    stance = _mapped(label_col, str, object)[sel]
    stance[no_stance] = NO_STANCE
    target = _mapped(target_col, lambda x: _norm(names, str(x)), object)[sel]
    target[no_stance] = None
    cw = _mapped(cw_col, lambda x: True if x is None else bool(x), bool)[sel]
    out = []
    for a in range(k):
        q, c = order[bounds[a]:bounds[a + 1]], order[bounds[k + a]:bounds[k + a + 1]]
        out.append(Rows(
            doc[q], start[q], end[q], kinds[q], cue_s[q], cue_e[q], spk_s[q], spk_e[q],
            speaker[q].tolist(), stance[q].tolist(), target[q].tolist(), doc[c], start[c], end[c], cw[c],
        ))  # fmt: skip
    return out


_LAYER_CODES = {"quotes": 0, "claims": 1}


def _mapped(values: Sequence[Any], f: Callable[[Any], Any], dtype: Any) -> np.ndarray:
    """``f`` of each value of a column, as an array; ``f`` runs once per distinct value (a column of statuses,
    kinds or names has few), the rest is a dictionary lookup per value at C speed."""
    table = {v: f(v) for v in set(values)}
    return np.fromiter(map(table.__getitem__, values), dtype=dtype, count=len(values))


def _none(value: Any) -> bool:
    return value is None


def _ints_or_none(values: Sequence[int | None], sel: np.ndarray, missing: int = -1) -> tuple[np.ndarray, np.ndarray]:
    """The ``sel`` entries of a column of offsets or None, as integers (``missing`` for None) and where None
    was (through float: exact for offsets below 2**53)."""
    floats = np.array(values, dtype=np.float64)[sel]
    absent = np.isnan(floats)
    return np.where(absent, missing, floats).astype(np.int64), absent


def _norm(names: dict[str | None, str | None], name: str) -> str | None:
    """``norm_name`` through the collector's cache (a dataset has few distinct names)."""
    if name not in names:
        names[name] = norm_name(name)
    return names[name]


def labelled_bits(tok_starts: np.ndarray, tok_ends: np.ndarray,
                  spans: Sequence[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Per token, bit ``a`` set when one of annotator ``a``'s spans (``spans[a]``: starts, ends) covers one of
    its characters (``metrics.covered_tokens`` of every annotator at once): each annotator's covered token
    ranges joined where they overlap, then one running sum of +bit / -bit at their ends."""
    n = len(tok_starts)
    # the narrowest integers that hold every bit: the running sum is memory-bound (8x less to move for 3)
    dtype = next((t for t in (np.int8, np.int16, np.int32) if len(spans) < np.iinfo(t).bits), np.int64)
    delta: np.ndarray = np.zeros(n + 1, dtype=dtype)
    for a, (gs, ge) in enumerate(spans):
        valid = ge > gs
        first = np.searchsorted(tok_ends, gs[valid], side="right")  # first token ending after the span starts
        stop = np.searchsorted(tok_starts, ge[valid], side="left")  # tokens starting before the span ends
        keep = first < stop
        first, stop = first[keep], stop[keep]
        if not len(first):
            continue
        order = np.argsort(first, kind="stable")
        first, stop = first[order], np.maximum.accumulate(stop[order])
        new = np.ones(len(first), dtype=bool)
        new[1:] = first[1:] > stop[:-1]  # a range starting inside (or right after) the one before joins it
        last = np.append(np.flatnonzero(new)[1:], len(first)) - 1
        delta[first[new]] += 1 << a  # joined ranges are apart: their firsts (and stops) are distinct
        delta[stop[last]] -= 1 << a
    return np.cumsum(delta[:n], dtype=dtype)


class _Histogram:
    """Counts of token codes ``(done pattern << k) | labelled pattern``, added chunk by chunk."""

    def __init__(self, k: int):
        self.k = k
        self.dense: np.ndarray | None = np.zeros(1 << (2 * k), dtype=np.int64) if k <= _DENSE_ANNOTATORS else None
        self.sparse: dict[int, int] = {}

    def copy(self) -> "_Histogram":
        other = _Histogram(self.k)
        other.dense = None if self.dense is None else self.dense.copy()
        other.sparse = dict(self.sparse)
        return other

    def add(self, codes: np.ndarray) -> None:
        if self.dense is not None:
            self.dense += np.bincount(codes, minlength=len(self.dense))
            return
        values, counts = np.unique(codes, return_counts=True)
        for v, c in zip(values.tolist(), counts.tolist()):
            self.sparse[v] = self.sparse.get(v, 0) + c

    def counts(self) -> "TokenCounts":
        if self.dense is not None:
            codes = np.flatnonzero(self.dense)
            weight = self.dense[codes]
        else:
            codes = np.array(sorted(self.sparse), dtype=np.int64)
            weight = np.array([self.sparse[v] for v in codes.tolist()], dtype=np.int64)
        full = (1 << self.k) - 1
        return TokenCounts(codes >> self.k, codes & full, weight)


@dataclass(slots=True)
class TokenCounts:
    """Token statistics of one (layer, label): distinct (done pattern, labelled pattern) pairs (bit ``a`` for
    annotator ``a``) and how many tokens have each."""

    pattern: np.ndarray
    labels: np.ndarray
    weight: np.ndarray


@dataclass(slots=True)
class Collected:
    docs: Documents
    rows: list[Rows]  #: per annotator
    keys: list[SpanKey]  #: the (layer, label) pairs reported
    extra_kinds: set[str]  #: quote kinds outside the scheme's
    tokens: dict[SpanKey, TokenCounts]
    excluded: list[Exclusion]
    done_counts: list[int]  #: per annotator: done versions among all documents


def span_keys(span_layers: Sequence[str], extra_kinds: Iterable[str]) -> list[SpanKey]:
    """The (layer, label) pairs reported (label None: the whole layer)."""
    extra = tuple(sorted(extra_kinds))
    keys: list[SpanKey] = []
    for layer in span_layers:
        keys.append((layer, None))
        keys.extend((layer, label) for label in LAYER_LABELS[layer] + (extra if layer == "quotes" else ()))
    return keys


class _Collector:
    def __init__(self, names: Sequence[str], span_layers: Sequence[str], chunk: int):
        self.names, self.k, self.span_layers, self.chunk = list(names), len(names), list(span_layers), chunk
        self.index = {name: a for a, name in enumerate(self.names)}
        self.ids: list[str] = []
        self.lengths: list[int] = []
        self.patterns: list[int] = []
        self.excluded: list[Exclusion] = []
        self.done_counts = [0] * self.k
        self.total = 0
        self.extra_kinds: set[str] = set()
        self.parts: list[list[Rows]] = [[] for _ in names]
        self.buffers = [_RowBuffer() for _ in names]
        self.words: list[bytes] = []  #: the chunk's documents' packed word bounds (``annotator.word_bounds``)
        self.first = 0  #: index of the chunk's first document
        self.hist: dict[SpanKey, _Histogram] = {}
        self.untouched = _Histogram(self.k)  #: codes with no label: a key first met later starts from these
        self.name_cache: dict[str | None, str | None] = {None: None}

    def document(self, doc_id: str, versions: Iterable[tuple[int, Annotation]]) -> None:
        versions = list(versions)
        statuses = [(a, ann.status) for a, ann in versions]
        done = {a: ann for a, ann in versions if ann.status == "done"}
        if self._compared(doc_id, statuses, [ann.text for ann in done.values()], None) is None:
            return
        d = len(self.ids) - 1
        for a, ann in done.items():
            self.extra_kinds.update(q.kind for q in ann.quotes if q.kind not in QUOTE_KINDS)
            self.buffers[a].add(d, ann, self.name_cache)
        if len(self.words) >= self.chunk:
            self.flush()

    def _compared(self, doc_id: str, statuses: Sequence[tuple[int, str]], texts: Sequence[str] | None,
                  words: bytes | None) -> list[int] | None:
        """Count a document's versions ((annotator, status); ``texts`` of the done ones, or None when they
        share one text whose packed word bounds are ``words``); the annotators whose done versions are
        compared, the document added, or None (the document left out, why noted)."""
        done = []
        for a, status in statuses:
            if status != "done":
                self.excluded.append(Exclusion(doc_id, f"status is {status!r}, not 'done'", self.names[a]))
            else:
                done.append(a)
        if not done:
            return None
        self.total += 1
        for a in done:
            self.done_counts[a] += 1
        if len(done) < 2:
            self.excluded.append(Exclusion(doc_id, f"done by only one annotator ({self._who(done)})"))
            return None
        if texts is not None:
            text = texts[done.index(min(done))]
            if any(t != text for t in texts):
                why = f"the text differs between the annotators' versions ({self._who(done)})"
                self.excluded.append(Exclusion(doc_id, why))
                return None
            words = pack_word_bounds(text)
        assert words is not None
        if not word_count(words):  # whitespace tokens are runs of what ``str.isspace`` is false for
            self.excluded.append(Exclusion(doc_id, "empty text: no tokens to compare"))
            return None
        self.ids.append(doc_id)
        self.patterns.append(sum(1 << a for a in done))
        self.words.append(words)
        return done

    def _who(self, done: Sequence[int]) -> str:
        return ", ".join(self.names[a] for a in sorted(done))

    def batch(self, batch: VersionRows) -> None:
        """A batch of documents read as plain rows (``Repository.version_rows``): the same checks and rows as
        :meth:`document` gives their versions as Annotations, the items made columns with numpy."""
        if batch.versions:
            vid_col, doc_col, name_col, status_col = zip(*batch.versions)
            ann = _mapped(name_col, lambda name: self.index.get(name, -1), np.int64)
            known = np.flatnonzero(ann >= 0)
            vid, doc = np.array(vid_col, dtype=np.int64)[known], np.array(doc_col, dtype=np.int64)[known]
            ann = ann[known]
            if _mapped(status_col, lambda status: status == "done", bool)[known].all():
                slots = self._done_batch(batch, vid, doc, ann)
            else:
                slots = self._mixed_batch(batch, [batch.versions[i] for i in known.tolist()], ann.tolist())
            if len(slots[0]) and batch.n_items:
                for a, rows in enumerate(item_rows(batch.items, slots, self.k, self.name_cache, self.extra_kinds)):
                    self.buffers[a].add_rows(rows)
        if len(self.words) >= self.chunk:
            self.flush()

    def _done_batch(self, batch: VersionRows, vid: np.ndarray, doc: np.ndarray, ann: np.ndarray) -> _Slots:
        """:meth:`batch` when every version is done (what agreement reads): ``_compared`` of each document
        with arrays (an annotator has one version of a document: the database's unique key)."""
        n_docs = len(batch.doc_ids)
        count = np.bincount(doc, minlength=n_docs)
        pattern = np.zeros(n_docs, dtype=np.int64)
        np.bitwise_or.at(pattern, doc, np.left_shift(1, ann))
        present = np.flatnonzero(count)  # documents with versions, in order (``_compared`` sees only those)
        self.total += len(present)
        for a, n in enumerate(np.bincount(ann, minlength=self.k).tolist()):
            self.done_counts[a] += n
        words = batch.word_bounds
        tokens = np.fromiter((word_count(words[d]) for d in present.tolist()), dtype=np.int64, count=len(present))
        ok = (count[present] >= 2) & (tokens > 0)
        for d in present[~ok].tolist():  # in document order, as ``_compared`` notes them
            if count[d] < 2:
                why = f"done by only one annotator ({self._who([a for a in range(self.k) if pattern[d] >> a & 1])})"
            else:
                why = "empty text: no tokens to compare"
            self.excluded.append(Exclusion(batch.doc_ids[d], why))
        kept = present[ok]
        index = np.full(n_docs, -1, dtype=np.int64)
        index[kept] = len(self.ids) + np.arange(len(kept), dtype=np.int64)
        self.ids.extend(batch.doc_ids[d] for d in kept.tolist())
        self.patterns.extend(pattern[kept].tolist())
        self.words.extend(words[d] for d in kept.tolist())
        compared = index[doc] >= 0
        return vid[compared], index[doc[compared]], ann[compared]

    def _mixed_batch(self, batch: VersionRows, versions: Sequence[tuple[int, int, str, str]],
                     annotators: Sequence[int]) -> _Slots:
        """:meth:`batch` with versions not done among them: ``_compared`` document by document."""
        by_doc: dict[int, list[tuple[int, int, str]]] = {}
        for (vid, d, _, status), a in zip(versions, annotators):
            by_doc.setdefault(d, []).append((a, vid, status))
        slots: list[tuple[int, int, int]] = []  # (version id, document index, annotator)
        for d in sorted(by_doc):
            versions_of = by_doc[d]  # the versions of one document share its text (and its word bounds)
            done = self._compared(batch.doc_ids[d], [(a, st) for a, _, st in versions_of], None, batch.word_bounds[d])
            if done is not None:
                slots.extend((vid, len(self.ids) - 1, a) for a, vid, st in versions_of if st == "done")
        columns = np.array(slots, dtype=np.int64).reshape(-1, 3)
        return columns[:, 0], columns[:, 1], columns[:, 2]

    def flush(self) -> None:
        """Count the chunk's tokens for every key and keep its rows as columns; drop its word bounds."""
        rows = [b.rows() for b in self.buffers]
        self.buffers = [_RowBuffer() for _ in self.names]
        first, n = self.first, len(self.words)
        if n:
            joined = unpack_many(self.words)  # as if the chunk's texts were joined with one newline between
            starts, lengths = joined.starts, joined.lengths
            tok_starts, tok_ends = joined.token_starts, joined.token_ends
            self.lengths.extend(lengths.tolist())
            pattern = np.repeat(np.array(self.patterns[first:], dtype=np.int64), joined.token_counts) << self.k
            keys = span_keys(self.span_layers, self.extra_kinds)
            bits: dict[SpanKey, np.ndarray] = {}
            for key in reversed(keys):  # a layer's labels come after it: theirs are known when it is reached
                labels = [bits[k] for k in keys if k[0] == key[0] and k[1] is not None] if key[1] is None else []
                if labels:  # every item has one label (a kind, checkworthy or not): the layer is their union
                    bits[key] = np.bitwise_or.reduce(labels)
                    continue
                spans = []
                for r in rows:
                    doc, s, e = r.key_spans(key)
                    spans.append(_clipped(starts, lengths, doc - first, s, e))
                bits[key] = labelled_bits(tok_starts, tok_ends, spans)
            for key in keys:
                if key not in self.hist:
                    self.hist[key] = self.untouched.copy()
                self.hist[key].add(pattern | bits[key])
            self.untouched.add(pattern)
        for a, r in enumerate(rows):
            self.parts[a].append(r)
        self.words = []
        self.first = len(self.ids)

    def result(self) -> Collected:
        self.flush()
        n = len(self.ids)
        order = sorted(range(n), key=self.ids.__getitem__)
        rank = np.zeros(n, dtype=np.int64)
        rank[order] = np.arange(n, dtype=np.int64)
        lengths = np.array(self.lengths, dtype=np.int64)[order] if n else np.zeros(0, dtype=np.int64)
        starts = np.zeros(n, dtype=np.int64)
        if n:
            starts[1:] = np.cumsum(lengths + 1)[:-1]
        patterns = np.array(self.patterns, dtype=np.int64)[order] if n else np.zeros(0, dtype=np.int64)
        done = ((patterns[None, :] >> np.arange(self.k, dtype=np.int64)[:, None]) & 1).astype(bool)
        docs = Documents([self.ids[i] for i in order], lengths, starts, done, self.total)
        keys = span_keys(self.span_layers, self.extra_kinds)
        tokens = {key: self.hist.get(key, self.untouched).counts() for key in keys}
        rows = [concat_rows(parts, rank) for parts in self.parts]
        return Collected(docs, rows, keys, set(self.extra_kinds), tokens, self.excluded, self.done_counts)


def collect(
    documents: Iterable[tuple[str, Iterable[tuple[int, Annotation]]]], names: Sequence[str],
    span_layers: Sequence[str], chunk: int = CHUNK_DOCUMENTS,
) -> Collected:
    """Reduce ``documents`` (document id, its versions as (annotator index into ``names``, version)) to what
    agreement needs. Documents not done by two or more annotators, whose text differs between them or that
    have no token are left out with their reason, as are versions not done."""
    collector = _Collector(names, span_layers, chunk)
    for doc_id, versions in documents:
        collector.document(str(doc_id), versions)
    return collector.result()


def collect_rows(batches: Iterable[VersionRows], names: Sequence[str], span_layers: Sequence[str],
                 chunk: int = CHUNK_DOCUMENTS) -> Collected:
    """:func:`collect` over batches of plain rows (``Repository.version_rows``); versions by annotators not
    in ``names`` are skipped."""
    collector = _Collector(names, span_layers, chunk)
    for batch in batches:
        collector.batch(batch)
    return collector.result()


def documents_of(versions: Mapping[str, Mapping[str, Annotation]],
                 names: Sequence[str]) -> Iterable[tuple[str, list[tuple[int, Annotation]]]]:
    """The documents of annotator -> document id -> version, in id order."""
    by_doc: dict[str, list[tuple[int, Annotation]]] = {}
    for a, name in enumerate(names):
        for doc_id, ann in (versions.get(name) or {}).items():
            by_doc.setdefault(str(doc_id), []).append((a, ann))
    return ((doc_id, by_doc[doc_id]) for doc_id in sorted(by_doc))


def stream_documents(versions: Iterable[Annotation],
                     names: Sequence[str]) -> Iterable[tuple[str, list[tuple[int, Annotation]]]]:
    """The documents of a stream of versions in which each document's versions come together (as
    ``Repository.versions`` yields them); versions by annotators not in ``names`` are skipped."""
    index = {name: a for a, name in enumerate(names)}
    current: str | None = None
    group: list[tuple[int, Annotation]] = []
    for ann in versions:
        a = index.get(str(ann.annotator))
        if a is None:
            continue
        if ann.doc_id != current:
            if group and current is not None:
                yield current, group
            current, group = ann.doc_id, []
        group.append((a, ann))
    if group and current is not None:
        yield current, group
