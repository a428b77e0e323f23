"""Token features for the attribution CRF (Citron-style: words, lemmas, parse, quotation state, cue words).

A *sequence* is one paragraph (text between newlines) without its whitespace tokens: attributions rarely
cross paragraphs, and a paragraph gives the CRF the sentence before (previous-sentence context). Features
are plain strings, UTF-8 encoded (``b"l=say"``: python-crfsuite encodes a ``str`` on every call), which
crfsuite reads as binary features.

What a token carries: its word, lemma, part of speech, dependency and head; whether it is a quotation mark
and whether it sits inside quotation marks (counted from the paragraph start); whether its lemma is a cue
word (``cue_lemmas``, learnt from the training cues, plus the rule lexicon) and its relation to the nearest
cue-word ancestor in the parse (``ccomp`` below "said" is content, ``nsubj`` is the source); entity type;
position in the sentence and the paragraph; and whether the previous sentence ended inside a quotation or
had a cue word. Neighbours within two tokens add their words, lemmas, tags and cue flags.

Context beyond the token (``sequences``): the rules' attribution records (``doc._.attributions`` as
``annotator_quotes`` leaves them: whether the token is in a rule content of which kind, a rule cue or a rule
speaker; stacking: the CRF learns where to trust them), the signed distance to the nearest cue word in the
paragraph and whether it is in the same sentence, whether the sentence holds a cue word or a quotation
mark, and whether the paragraph before ended inside an open quotation (PolNeAR's multi-paragraph quotes).
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Any, AbstractSet, Callable, Iterator, Sequence, cast

import numpy as np
from spacy.tokens import Doc

from annotator.nlp import lexicon as lx

#: Quotation marks as spaCy tokens (NYT ``''`` and ````` included).
QUOTE_TOKENS = frozenset({'"', "“", "”", "„", "‟", "«", "»", "''", "``"})
_OPENERS = frozenset({"“", "„", "«", "``"})
_CLOSERS = frozenset({"”", "»"})
_IOB = ("", "I", "O", "B")  # Token.ent_iob_ by the ENT_IOB value
_OFFSETS = (-2, -1, 1, 2)
_LEX_WORDS = frozenset({"according", "that", "whether"})
_Q = {q: f"q={q}".encode() for q in ("in", "out", "mark")}
_QOFF = [{q: f"{off}q={q}".encode() for q in ("in", "out", "mark")} for off in _OFFSETS]
_SS = [f"ss={k}".encode() for k in range(4)]
_SE = [f"se={k}".encode() for k in range(4)]
_STATE = {(si, pq, pc): (f"si={si}".encode(), f"pq={pq}".encode(), f"pc={pc}".encode())
          for si in range(3) for pq in "01" for pc in "01"}
_DCS = (b"dcs=0", b"dcs=1")


def paragraphs(doc: Doc) -> list[list[int]]:
    """Token indices of each paragraph, whitespace tokens left out."""
    strings = doc.vocab.strings
    out: list[list[int]] = []
    cur: list[int] = []
    for i, (orth, space) in enumerate(doc.to_array(["ORTH", "IS_SPACE"]).tolist()):
        if space:  # a token is never empty: IS_SPACE is "its text strips to nothing"
            if cur and "\n" in strings[orth]:
                out.append(cur)
                cur = []
            continue
        cur.append(i)
    if cur:
        out.append(cur)
    return out


def _quote_state(idx: Sequence[int], texts: Sequence[str]) -> list[str]:
    """``in``/``out``/``mark`` per token: inside a quotation counted from the paragraph start."""
    if QUOTE_TOKENS.isdisjoint([texts[i] for i in idx]):
        return ["out"] * len(idx)
    inside = False
    out = []
    for i in idx:
        t = texts[i]
        if t in QUOTE_TOKENS:
            if t in _OPENERS:
                inside = True
            elif t in _CLOSERS:
                inside = False
            else:
                inside = not inside
            out.append("mark")
        else:
            out.append("in" if inside else "out")
    return out


def rule_tags(doc: Doc, records: Sequence[dict[str, Any]] | None) -> list[str]:
    """Per token: ``CON-<kind>`` inside a rule content, ``CUE``/``SRC`` in a rule cue/speaker, else ``O``."""
    tags = ["O"] * len(doc)
    for rec in records or []:
        for key, tag in (("speaker", "SRC"), ("cue", "CUE")):
            if rec.get(key):
                span = doc.char_span(rec[key][0], rec[key][1], alignment_mode="expand")
                if span is not None:
                    tags[span.start:span.end] = [tag] * (span.end - span.start)
        span = doc.char_span(rec["start"], rec["end"], alignment_mode="expand")
        if span is not None and span.end > span.start:
            con = f"CON-{rec['kind']}"
            tags[span.start:span.end] = [con + "|b"] + [con] * (span.end - span.start - 1)
    return tags


def _bin(n: int) -> str:
    return str(n) if abs(n) <= 3 else ("near" if abs(n) <= 8 else "far") + ("+" if n > 0 else "-")


_DC = {n: f"dc={_bin(n)}".encode() for n in range(-9, 10)}  # beyond 8: far


def _rule_features(tag: str) -> tuple[bytes, bytes, bytes, bytes]:
    """``r=``, ``rk=``, ``-1r=``, ``1r=`` of a ``rule_tags`` tag (``rk``: without the ``|b`` of a first token)."""
    kind = tag.split("|")[0]
    return f"r={tag}".encode(), f"rk={kind}".encode(), f"-1r={kind}".encode(), f"1r={kind}".encode()


def _sentence_bounds(doc: Doc) -> tuple[list[int], list[int]]:
    """Per token, its sentence's start and end (``Token.sent`` walks the doc on every call: too slow)."""
    starts, ends = [0] * len(doc), [0] * len(doc)
    for sent in doc.sents:
        s, e = sent.start, sent.end
        starts[s:e] = [s] * (e - s)
        ends[s:e] = [e] * (e - s)
    return starts, ends


class _Columns:
    """What the features read of each token, from ``Doc.to_array`` once per doc, as feature strings where
    the feature is a function of one vocabulary entry (looked up in the ``Featurizer``'s caches): Token
    objects (one per ``doc[i]``, per ``.head``, per attribute read) were most of the component's time."""

    ATTRS = ("ORTH", "LEMMA", "POS", "TAG", "DEP", "HEAD", "ENT_IOB", "ENT_TYPE")

    def __init__(self, doc: Doc, fz: "Featurizer"):
        n = len(doc)
        array = doc.to_array(list(self.ATTRS)).reshape(n, len(self.ATTRS))
        cols = cast(list[list[int]], array.T.tolist()) if n else [[] for _ in self.ATTRS]  # to_array: uint64
        orth, lemma, pos, tag, dep, _head, iob, ent = cols
        self.head: list[int] = (np.arange(n) + array[:, 5].astype(np.int64)).tolist()  # HEAD: offset, wrapped
        strings = doc.vocab.strings
        fz.fill(fz.lexeme, orth, lambda v: _lexeme_features(doc.vocab[v]))
        fz.fill(fz.lemma, lemma, lambda v: fz.lemma_features(strings[v].lower()))
        fz.fill(fz.pos, pos, lambda v: (f"p={strings[v]}".encode(), f"hp={strings[v]}".encode(), strings[v]))
        fz.fill(fz.tag, tag, lambda v: _encoded(f"t={strings[v]}", *(f"{off}t={strings[v]}" for off in _OFFSETS)))
        fz.fill(fz.dep, dep, lambda v: (f"d={strings[v]}".encode(), f"hd={strings[v]}".encode(), strings[v]))
        self.lex = [fz.lexeme[v] for v in orth]
        self.lem = [fz.lemma[v] for v in lemma]
        self.pos = [fz.pos[v] for v in pos]
        self.tag = [fz.tag[v] for v in tag]
        self.dep = [fz.dep[v] for v in dep]
        ents = fz.ent
        self.ent = [ents.get(k) or ents.setdefault(k, f"e={_IOB[k[0]]}{strings[k[1]] if k[1] else ''}".encode())
                    for k in zip(iob, ent)]
        self.text = [x[0] for x in self.lex]
        self.is_cue = [x[1] for x in self.lem]
        self.dep_ids, self.pos_ids = dep, pos


def _encoded(*features: str) -> tuple[bytes, ...]:
    return tuple(f.encode() for f in features)


def _lexeme_features(lex: Any) -> tuple[Any, ...]:
    """``(text, lower, w=, sh=, suf=, pron, lex= or None, -1w=, 1w=)`` of a vocabulary entry."""
    lower = lex.lower_
    shape = "X" if lex.is_upper else "Xx" if lex.is_title else "x" if lex.is_alpha else lex.shape_[:3]
    w, sh, suf, before, after = _encoded(f"w={lower}", f"sh={shape}", f"suf={lower[-3:]}", f"-1w={lower}",
                                         f"1w={lower}")
    return (lex.orth_, lower, w, sh, suf, lower in lx.PERSON_PRONOUNS or lower in lx.GROUP_PRONOUNS,
            f"lex={lower}".encode() if lower in _LEX_WORDS else None, before, after)


class Featurizer:
    """Feature strings for one model's cue words, with the strings that depend on one vocabulary entry (a
    word's ``w=``/``sh=``/``suf=``, a lemma's ``l=``/``hl=``/``-1l=`` ..., a tag's, a dependency's) built once
    per entry and kept (caches cleared past ``MAX_ENTRIES``): building ~55 strings per token was the
    attribution component's biggest cost."""

    MAX_ENTRIES = 200_000

    def __init__(self, cue_lemmas: AbstractSet[str]):
        self.cue_lemmas = cue_lemmas
        self._clear()

    def __getstate__(self) -> dict[str, Any]:
        return {"cue_lemmas": self.cue_lemmas}  # a pipeline copied to worker processes: caches start empty

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.cue_lemmas = state["cue_lemmas"]
        self._clear()

    def _clear(self) -> None:
        self.lexeme: dict[int, tuple[Any, ...]] = {}
        self.lemma: dict[int, tuple[Any, ...]] = {}
        self.pos: dict[int, tuple[bytes, bytes, str]] = {}
        self.tag: dict[int, tuple[bytes, ...]] = {}
        self.dep: dict[int, tuple[bytes, bytes, str]] = {}
        self.pair: dict[tuple[int, int], bytes] = {}
        self.anc: dict[tuple[int, int], bytes] = {}
        self.ent: dict[tuple[int, int], bytes] = {}
        self.rule: dict[str, tuple[bytes, bytes, bytes, bytes]] = {}

    @staticmethod
    def fill(cache: dict[int, Any], ids: Sequence[int], make: Callable[[int], Any]) -> None:
        """Add the entries of ``ids`` missing from ``cache``."""
        for v in set(ids).difference(cache):
            cache[v] = make(v)

    def lemma_features(self, lemma: str) -> tuple[Any, ...]:
        """``(lemma, is cue, is reporting verb, l=, hl=, cue=, hcue=, -2l=, -1l=, 1l=, 2l=, -2c=, ..., 2c=,
        the lemma encoded)``."""
        cue = lemma in self.cue_lemmas
        flag = int(cue)
        return (lemma, cue, lemma in lx.REPORTING_VERBS,
                *_encoded(f"l={lemma}", f"hl={lemma}", f"cue={flag}", f"hcue={flag}",
                          *(f"{off}l={lemma}" for off in _OFFSETS), *(f"{off}c={flag}" for off in _OFFSETS), lemma))

    def sequences(self, doc: Doc, records: Sequence[dict[str, Any]] | None = None
                  ) -> Iterator[tuple[list[int], list[list[bytes]]]]:
        """``(token indices, features)`` of each paragraph in turn (see the module doc; ``records``: the rules'
        attribution records). A token's list, in this order (the order crfsuite sums weights in): its own
        and its head's features, the quotation state, the sentence position, the neighbours', the bigram,
        then the context features. One paragraph's lists at a time: a whole long document's were ~0.5 kB a
        token (a 5 MB article: 0.5 GB)."""
        if max(len(self.lexeme), len(self.lemma), len(self.pair)) > self.MAX_ENTRIES:
            self._clear()
        starts, ends = _sentence_bounds(doc)
        cols = _Columns(doc, self)
        own, mid, tail = self._token_parts(cols, starts, ends)
        rules = self.rule
        rule_feats = [rules.get(f) or rules.setdefault(f, _rule_features(f)) for f in rule_tags(doc, records)]
        is_cue, text = cols.is_cue, cols.text
        sent_has = {start: (f"sc={int(any(is_cue[start:end]))}".encode(),
                            f"sq={int(not QUOTE_TOKENS.isdisjoint(text[start:end]))}".encode())
                    for start, end in set(zip(starts, ends))}
        open_before = False
        for idx in paragraphs(doc):
            qstate = _quote_state(idx, text)
            state = self._sentence_state(idx, starts, is_cue, qstate)
            window = self._window(cols, idx, qstate)
            context = self._context(idx, starts, is_cue, rule_feats, sent_has, open_before)
            feats = [[*own[i], _Q[q], *mid[i], *st, *tail[i], *m2, *m1, *p1, *p2, *b, *c]
                     for i, q, st, m2, m1, p1, p2, b, c in zip(idx, qstate, state, *window, context)]
            open_before = bool(qstate) and qstate[-1] == "in"  # no closing mark: the quotation goes on
            yield idx, feats

    def _token_parts(self, cols: _Columns, starts: Sequence[int], ends: Sequence[int]
                     ) -> tuple[list[tuple[bytes, ...]], list[tuple[bytes, ...]], list[tuple[bytes, ...]]]:
        """Per token of the doc, what its features say of itself and its head: ``b w= l= p= t= d= hl= hd= hp=
        dh=`` (before the quotation state), ``cue= hcue= anc= e= sh= ss= se=`` (before the sentence state),
        ``suf= [pron] [lex=]`` (after it)."""
        lex, lem, heads, pos, dep, tag = cols.lex, cols.lem, cols.head, cols.pos, cols.dep, cols.tag
        pair = self.pair
        dhs = [pair.get(key) or pair.setdefault(key, f"dh={dep[i][2]}|{pos[h][2]}".encode())
               for i, (h, key) in enumerate(zip(heads, zip(cols.dep_ids, (cols.pos_ids[h] for h in heads))))]
        own: list[tuple[bytes, ...]] = [(b"b", w[2], le[3], p[0], t[0], d[0], lem[h][4], dep[h][1], pos[h][1], dh)
               for w, le, p, t, d, h, dh in zip(lex, lem, pos, tag, dep, heads, dhs)]
        ss = [_SS[min(i - st, 3)] for i, st in enumerate(starts)]
        se = [_SE[min(e - 1 - i, 3)] for i, e in enumerate(ends)]
        mid: list[tuple[bytes, ...]] = [(le[5], lem[h][6], self._cue_ancestor(cols, i), e, w[3], s1, s2)
               for i, (w, le, h, e, s1, s2) in enumerate(zip(lex, lem, heads, cols.ent, ss, se))]
        tail: list[tuple[bytes, ...]] = [(w[4],) if not (w[5] or w[6] or le[2]) else
                                         (w[4], *((b"pron",) if w[5] else ()), *((b"lex=rv" if le[2] else w[6],)
                                                                                if w[6] or le[2] else ()))
                                         for w, le in zip(lex, lem)]
        return own, mid, tail

    @staticmethod
    def _window(cols: _Columns, idx: Sequence[int], qstate: Sequence[str]) -> list[list[tuple[bytes, ...]]]:
        """Per token of a paragraph, the features of the neighbours 2 before, 1 before, 1 after and 2 after
        (``-2l= -2t= -2c= -2q=``, ..., ``-1w=``/``1w=`` too; ``-2edge`` past the paragraph's edge), and the
        lemma bigram with the next token (``bi=``)."""
        lex, lem, tag = cols.lex, cols.lem, cols.tag
        n = len(idx)
        window: list[list[tuple[bytes, ...]]] = []
        for o, off in enumerate(_OFFSETS):
            qo = _QOFF[o]
            seen: list[tuple[bytes, ...]]
            if off in (-1, 1):
                wk = 7 if off == -1 else 8
                seen = [(lem[t][7 + o], tag[t][1 + o], lem[t][11 + o], qo[q], lex[t][wk]) for t, q in zip(idx, qstate)]
            else:
                seen = [(lem[t][7 + o], tag[t][1 + o], lem[t][11 + o], qo[q]) for t, q in zip(idx, qstate)]
            edge = [(f"{off}edge".encode(),)] * abs(off)
            window.append((edge + seen)[:n] if off < 0 else (seen[off:] + edge)[:n])
        bi: list[tuple[bytes, ...]] = [(b"bi=" + lem[x][15] + b"|" + lem[y][15],) for x, y in zip(idx, idx[1:])]
        bi.append(())
        window.append(bi)
        return window

    @staticmethod
    def _context(idx: Sequence[int], starts: Sequence[int], is_cue: Sequence[bool],
                 rule_feats: Sequence[tuple[bytes, bytes, bytes, bytes]], sent_has: dict[int, tuple[bytes, bytes]],
                 open_before: bool) -> list[tuple[bytes, ...]]:
        """Per token of a paragraph, the context features: ``r= rk= -1r= 1r=`` (the rules' records), ``dc=
        [dcs=]`` (nearest cue word), ``sc= sq=`` (the sentence has a cue word, a quotation mark), ``popen``."""
        n = len(idx)
        cues = [i for i in idx if is_cue[i]]
        popen = (b"popen",) if open_before else ()
        out = []
        for k, i in enumerate(idx):
            r = rule_feats[i]
            pos = bisect_left(cues, i)
            near = None
            if pos < len(cues):
                near = cues[pos]
            if pos > 0 and (near is None or i - cues[pos - 1] <= near - i):
                near = cues[pos - 1]
            dc = (b"dc=none",) if near is None else (_DC[max(-9, min(near - i, 9))], _DCS[starts[near] == starts[i]])
            out.append((r[0], r[1], rule_feats[idx[k - 1]][2] if k > 0 else b"-1r=edge",
                        rule_feats[idx[k + 1]][3] if k + 1 < n else b"1r=edge", *dc, *sent_has[starts[i]], *popen))
        return out

    @staticmethod
    def _sentence_state(idx: Sequence[int], starts: Sequence[int], is_cue: Sequence[bool], qstate: Sequence[str]
                        ) -> list[tuple[bytes, bytes, bytes]]:
        """Per token of a paragraph: ``si=`` (its sentence's place in the paragraph), ``pq=``/``pc=``
        (whether the sentence before ended inside a quotation / had a cue word)."""
        out = []
        sent_i = -1
        last_sent = None
        prev_sent_quote = prev_sent_cue = "0"
        sent_quote = sent_cue = "0"
        for k, i in enumerate(idx):
            if starts[i] != last_sent:
                if last_sent is not None:
                    prev_sent_quote, prev_sent_cue = sent_quote, sent_cue
                last_sent = starts[i]
                sent_i += 1
                sent_quote = sent_cue = "0"
            if is_cue[i]:
                sent_cue = "1"
            q = qstate[k]
            sent_quote = "1" if q == "in" else ("0" if q == "out" else sent_quote)
            out.append(_STATE[min(sent_i, 2), prev_sent_quote, prev_sent_cue])
        return out

    def _cue_ancestor(self, cols: _Columns, i: int) -> bytes:
        """``anc=``: the dependency label of the child, on the path up from token ``i``, of the nearest
        cue-word ancestor (``far`` when there is none within 8 steps; the root is its own head, so a cue-word
        root counts as the ancestor of itself, as the shipped model was trained)."""
        heads, is_cue = cols.head, cols.is_cue
        child = i
        head = heads[i]
        for depth in range(8):
            if is_cue[head]:
                key = (cols.dep_ids[child], min(depth, 2))
                got = self.anc.get(key)
                if got is None:
                    got = self.anc[key] = f"anc={cols.dep[child][2]}|{key[1]}".encode()
                return got
            child, head = head, heads[head]
        return b"anc=far"

