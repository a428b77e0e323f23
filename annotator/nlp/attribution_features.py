"""Token features for the attribution CRF (Citron-style: words, lemmas, parse, quotation state, cue words).

A *sequence* is one paragraph (text between newlines) without its whitespace tokens: attributions rarely
cross paragraphs, and a paragraph gives the CRF the sentence before (previous-sentence context). Features
are plain strings (``"l=say"``), which crfsuite reads as binary features.

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
from dataclasses import dataclass
from typing import Any, AbstractSet, Sequence

from spacy.tokens import Doc, Token

from annotator.nlp import lexicon as lx

#: Quotation marks as spaCy tokens (NYT ``''`` and ````` included).
QUOTE_TOKENS = frozenset({'"', "“", "”", "„", "‟", "«", "»", "''", "``"})
_OPENERS = frozenset({"“", "„", "«", "``"})
_CLOSERS = frozenset({"”", "»"})


def paragraphs(doc: Doc) -> list[list[int]]:
    """Token indices of each paragraph, whitespace tokens left out."""
    out: list[list[int]] = []
    cur: list[int] = []
    for tok in doc:
        if tok.is_space or not tok.text.strip():
            if "\n" in tok.text and cur:
                out.append(cur)
                cur = []
            continue
        cur.append(tok.i)
        if "\n" in tok.whitespace_ and cur:  # pragma: no cover - spaCy keeps newlines as space tokens
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return out


@dataclass(frozen=True)
class _Tokens:
    """What the features read of each token, read once per doc: ``doc[i]`` and ``Token.head`` build a new
    Token object on every call, which made feature extraction the pipeline's biggest cost after the parser."""

    text: list[str]
    lower: list[str]
    lemma: list[str]  # lower-cased
    pos: list[str]
    tag: list[str]
    dep: list[str]
    head: list[int]
    ent: list[str]
    shape: list[str]

    @classmethod
    def of(cls, doc: Doc) -> "_Tokens":
        toks = list(doc)
        return cls(text=[t.text for t in toks], lower=[t.lower_ for t in toks],
                   lemma=[t.lemma_.lower() for t in toks], pos=[t.pos_ for t in toks],
                   tag=[t.tag_ for t in toks], dep=[t.dep_ for t in toks],
                   head=[t.head.i for t in toks],
                   ent=[t.ent_iob_ + t.ent_type_ for t in toks],
                   shape=["X" if t.is_upper else "Xx" if t.is_title else "x" if t.is_alpha else t.shape_[:3]
                          for t in toks])


def _quote_state(doc: Doc, idx: Sequence[int], texts: Sequence[str] | None = None) -> list[str]:
    """``in``/``out``/``mark`` per token: inside a quotation counted from the paragraph start."""
    inside = False
    out = []
    for i in idx:
        t = texts[i] if texts is not None else doc[i].text
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


def _cue_ancestor(toks: _Tokens, i: int, cue_lemmas: AbstractSet[str]) -> str:
    """The dependency label of the child, on the path up from token ``i``, of the nearest cue-word ancestor
    (``far`` when there is none within 8 steps; the root is its own head, so a cue-word root counts as the
    ancestor of itself, as the shipped model was trained)."""
    child = i
    head = toks.head[i]
    for depth in range(8):
        if toks.lemma[head] in cue_lemmas:
            return f"{toks.dep[child]}|{min(depth, 2)}"
        child, head = head, toks.head[head]
    return "far"


def rule_tags(doc: Doc, records: Sequence[dict[str, Any]] | None) -> list[str]:
    """Per token: ``CON-<kind>`` inside a rule content, ``CUE``/``SRC`` in a rule cue/speaker, else ``O``."""
    tags = ["O"] * len(doc)
    for rec in records or []:
        for key, tag in (("speaker", "SRC"), ("cue", "CUE")):
            if rec.get(key):
                span = doc.char_span(rec[key][0], rec[key][1], alignment_mode="expand")
                for tok in span if span is not None else ():
                    tags[tok.i] = tag
        span = doc.char_span(rec["start"], rec["end"], alignment_mode="expand")
        for k, tok in enumerate(span if span is not None else ()):
            tags[tok.i] = f"CON-{rec['kind']}" + ("|b" if k == 0 else "")
    return tags


def _bin(n: int) -> str:
    return str(n) if abs(n) <= 3 else ("near" if abs(n) <= 8 else "far") + ("+" if n > 0 else "-")


def _sentence_bounds(doc: Doc) -> tuple[list[int], list[int]]:
    """Per token, its sentence's start and end (``Token.sent`` walks the doc on every call: too slow)."""
    starts, ends = [0] * len(doc), [0] * len(doc)
    for sent in doc.sents:
        for i in range(sent.start, sent.end):
            starts[i], ends[i] = sent.start, sent.end
    return starts, ends


def sequences(doc: Doc, cue_lemmas: AbstractSet[str], records: Sequence[dict[str, Any]] | None = None
              ) -> list[tuple[list[int], list[list[str]]]]:
    """``(token indices, features)`` of each paragraph: ``token_features`` plus the context features of the
    module doc (``records``: the rules' attribution records)."""
    full_tags = rule_tags(doc, records)
    tags = [t.split("|")[0] for t in full_tags]
    bounds = _sentence_bounds(doc)
    starts, ends = bounds
    toks = _Tokens.of(doc)
    is_cue = [lemma in cue_lemmas for lemma in toks.lemma]
    sent_has: dict[int, tuple[bool, bool]] = {}
    for start, end in set(zip(starts, ends)):
        sent_has[start] = (any(is_cue[start:end]), any(t in QUOTE_TOKENS for t in toks.text[start:end]))
    out = []
    open_before = False
    for idx in paragraphs(doc):
        qstate = _quote_state(doc, idx, toks.text)
        feats = token_features(doc, idx, cue_lemmas, bounds, toks, qstate)
        cues = [i for i in idx if is_cue[i]]
        n = len(idx)
        for k, i in enumerate(idx):
            f = feats[k]
            f.append(f"r={full_tags[i]}")
            f.append(f"rk={tags[i]}")
            f.append(f"-1r={tags[idx[k - 1]] if k > 0 else 'edge'}")
            f.append(f"1r={tags[idx[k + 1]] if k + 1 < n else 'edge'}")
            pos = bisect_left(cues, i)
            near = None
            if pos < len(cues):
                near = cues[pos]
            if pos > 0 and (near is None or i - cues[pos - 1] <= near - i):
                near = cues[pos - 1]
            if near is None:
                f.append("dc=none")
            else:
                f.append(f"dc={_bin(near - i)}")
                f.append(f"dcs={int(starts[near] == starts[i])}")
            has_cue, has_mark = sent_has[starts[i]]
            f.append(f"sc={int(has_cue)}")
            f.append(f"sq={int(has_mark)}")
            if open_before:
                f.append("popen")
        open_before = bool(qstate) and qstate[-1] == "in"  # no closing mark: the quotation goes on
        out.append((idx, feats))
    return out


def token_features(doc: Doc, idx: Sequence[int], cue_lemmas: AbstractSet[str],
                   bounds: tuple[list[int], list[int]] | None = None, toks: _Tokens | None = None,
                   qstate: list[str] | None = None) -> list[list[str]]:
    """Feature strings for the tokens ``idx`` (one paragraph) of a parsed doc (``bounds``: each token's
    sentence start and end, ``_sentence_bounds``; ``toks``, ``qstate``: the doc's ``_Tokens`` and the
    paragraph's ``_quote_state`` when the caller has them)."""
    starts, ends = bounds or _sentence_bounds(doc)
    toks = toks or _Tokens.of(doc)
    qstate = qstate if qstate is not None else _quote_state(doc, idx, toks.text)
    lowers, lemmas, heads = toks.lower, toks.lemma, toks.head
    base: list[list[str]] = []
    short: list[tuple[str, str, str, str]] = []  # (lower, lemma, tag, cue flag) for the window
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
        lower = lowers[i]
        lemma = lemmas[i]
        is_cue = lemma in cue_lemmas
        if is_cue:
            sent_cue = "1"
        sent_quote = "1" if qstate[k] == "in" else ("0" if qstate[k] == "out" else sent_quote)
        head = heads[i]
        head_lemma = lemmas[head]
        pos_in_sent = i - starts[i]
        to_end = ends[i] - 1 - i
        dep = toks.dep[i]
        feats = [
            "b",
            f"w={lower}",
            f"l={lemma}",
            f"p={toks.pos[i]}",
            f"t={toks.tag[i]}",
            f"d={dep}",
            f"hl={head_lemma}",
            f"hd={toks.dep[head]}",
            f"hp={toks.pos[head]}",
            f"dh={dep}|{toks.pos[head]}",
            f"q={qstate[k]}",
            f"cue={int(is_cue)}",
            f"hcue={int(head_lemma in cue_lemmas)}",
            f"anc={_cue_ancestor(toks, i, cue_lemmas)}",
            f"e={toks.ent[i]}",
            f"sh={toks.shape[i]}",
            f"ss={min(pos_in_sent, 3)}",
            f"se={min(to_end, 3)}",
            f"si={min(sent_i, 2)}",
            f"pq={prev_sent_quote}",
            f"pc={prev_sent_cue}",
            f"suf={lower[-3:]}",
        ]
        if lower in lx.PERSON_PRONOUNS or lower in lx.GROUP_PRONOUNS:
            feats.append("pron")
        if lower in ("according", "that", "whether") or lemma in lx.REPORTING_VERBS:
            feats.append(f"lex={lower if lemma not in lx.REPORTING_VERBS else 'rv'}")
        base.append(feats)
        short.append((lower, lemma, toks.tag[i], "1" if is_cue else "0"))
    n = len(idx)
    for k in range(n):
        feats = base[k]
        for off in (-2, -1, 1, 2):
            j = k + off
            if 0 <= j < n:
                w, lem, tag, cue = short[j]
                feats.append(f"{off}l={lem}")
                feats.append(f"{off}t={tag}")
                feats.append(f"{off}c={cue}")
                feats.append(f"{off}q={qstate[j]}")
                if abs(off) == 1:
                    feats.append(f"{off}w={w}")
            else:
                feats.append(f"{off}edge")
        if k + 1 < n:
            feats.append(f"bi={short[k][1]}|{short[k + 1][1]}")
    return base
