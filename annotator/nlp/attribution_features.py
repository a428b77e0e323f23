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


def _quote_state(doc: Doc, idx: Sequence[int]) -> list[str]:
    """``in``/``out``/``mark`` per token: inside a quotation counted from the paragraph start."""
    inside = False
    out = []
    for i in idx:
        t = doc[i].text
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


def _cue_ancestor(tok: Token, cue_lemmas: AbstractSet[str]) -> str:
    """The dependency label of the child, on the path up from ``tok``, of the nearest cue-word ancestor."""
    child = tok
    head = tok.head
    for depth in range(8):
        if head is child:
            return "none"
        if head.lemma_.lower() in cue_lemmas:
            return f"{child.dep_}|{min(depth, 2)}"
        child, head = head, head.head
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
    is_cue = [t.lemma_.lower() in cue_lemmas for t in doc]
    sent_has: dict[int, tuple[bool, bool]] = {}
    for start, end in set(zip(starts, ends)):
        sent_has[start] = (any(is_cue[start:end]), any(doc[i].text in QUOTE_TOKENS for i in range(start, end)))
    out = []
    open_before = False
    for idx in paragraphs(doc):
        feats = token_features(doc, idx, cue_lemmas, bounds)
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
        qstate = _quote_state(doc, idx)
        open_before = bool(qstate) and qstate[-1] == "in"  # no closing mark: the quotation goes on
        out.append((idx, feats))
    return out


def token_features(doc: Doc, idx: Sequence[int], cue_lemmas: AbstractSet[str],
                   bounds: tuple[list[int], list[int]] | None = None) -> list[list[str]]:
    """Feature strings for the tokens ``idx`` (one paragraph) of a parsed doc (``bounds``: each token's
    sentence start and end, ``_sentence_bounds``)."""
    starts, ends = bounds or _sentence_bounds(doc)
    qstate = _quote_state(doc, idx)
    base: list[list[str]] = []
    short: list[tuple[str, str, str, str]] = []  # (lower, lemma, tag, cue flag) for the window
    sent_i = -1
    last_sent = None
    prev_sent_quote = prev_sent_cue = "0"
    sent_quote = sent_cue = "0"
    for k, i in enumerate(idx):
        tok = doc[i]
        if starts[i] != last_sent:
            if last_sent is not None:
                prev_sent_quote, prev_sent_cue = sent_quote, sent_cue
            last_sent = starts[i]
            sent_i += 1
            sent_quote = sent_cue = "0"
        lemma = tok.lemma_.lower()
        is_cue = lemma in cue_lemmas
        if is_cue:
            sent_cue = "1"
        sent_quote = "1" if qstate[k] == "in" else ("0" if qstate[k] == "out" else sent_quote)
        head = tok.head
        pos_in_sent = i - starts[i]
        to_end = ends[i] - 1 - i
        feats = [
            "b",
            f"w={tok.lower_}",
            f"l={lemma}",
            f"p={tok.pos_}",
            f"t={tok.tag_}",
            f"d={tok.dep_}",
            f"hl={head.lemma_.lower()}",
            f"hd={head.dep_}",
            f"hp={head.pos_}",
            f"dh={tok.dep_}|{head.pos_}",
            f"q={qstate[k]}",
            f"cue={int(is_cue)}",
            f"hcue={int(head.lemma_.lower() in cue_lemmas)}",
            f"anc={_cue_ancestor(tok, cue_lemmas)}",
            f"e={tok.ent_iob_}{tok.ent_type_}",
            f"sh={'X' if tok.is_upper else 'Xx' if tok.is_title else 'x' if tok.is_alpha else tok.shape_[:3]}",
            f"ss={min(pos_in_sent, 3)}",
            f"se={min(to_end, 3)}",
            f"si={min(sent_i, 2)}",
            f"pq={prev_sent_quote}",
            f"pc={prev_sent_cue}",
            f"suf={tok.lower_[-3:]}",
        ]
        if tok.lower_ in lx.PERSON_PRONOUNS or tok.lower_ in lx.GROUP_PRONOUNS:
            feats.append("pron")
        if tok.lower_ in ("according", "that", "whether") or lemma in lx.REPORTING_VERBS:
            feats.append(f"lex={tok.lower_ if not lemma in lx.REPORTING_VERBS else 'rv'}")
        base.append(feats)
        short.append((tok.lower_, lemma, tok.tag_, "1" if is_cue else "0"))
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
