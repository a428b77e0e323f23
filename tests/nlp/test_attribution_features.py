"""The attribution CRF's token features: what the shipped model was trained on, token by token.

``Featurizer`` builds them from ``Doc.to_array`` columns and per-word caches (for speed); the reference below
reads the same things plainly through spaCy's Token objects, as the features were first written. A speed-up
must not change one string or its place in a token's list (crfsuite sums the weights in that order): the two
are compared exactly (the featurizer's are UTF-8 encoded, as crfsuite reads them), on texts written for this test (quotation marks of every kind, a quotation running on
into the next paragraph, a heading, a byline, one-word paragraphs, runs of spaces).
"""

from __future__ import annotations

import json
import pickle
from typing import Any, AbstractSet, Sequence

import pytest
from spacy.language import Language
from spacy.tokens import Doc, Token

from annotator.nlp import common as comp
from annotator.nlp import lexicon as lx
from annotator.nlp.attribution import DEFAULT_MODEL_DIR
from annotator.nlp.attribution_features import Featurizer, rule_tags

TEXTS = [
    "Council Passes Water Bill\n\n"
    "By Dana Ortiz in Lisbon\n\n"
    "“We will not back down,” said Maria Lopez, the mayor of Porto. “The river belongs to everyone.”\n\n"
    "Lopez told reporters that the plan, which critics called ``a giveaway,'' would cost $40 million. "
    "According to the ministry, the deal is final.\n"
    '"It is a disaster," one official said, adding that talks   would resume on Monday in the U.S.\n\n'
    "“This quotation runs on\n\n"
    "into the next paragraph,” she said.\n"
    "Hope.\n"
    "They hope so. NATO officials were sharply critical of the deal and had harsh words about its costs, "
    "whether or not it passes.",
    "Wow\n\n"
    "The report, released on Tuesday, found that 12 percent of voters had changed their minds. "
    "Smith, who denied the claims, insisted he was innocent; his lawyer said nothing. He declined to comment.\n"
    "“Nobody,” he said, “knows what happens next.” Analysts believe the vote will be close.",
]

_QUOTES = frozenset({'"', "“", "”", "„", "‟", "«", "»", "''", "``"})


def _reference(doc: Doc, cue: AbstractSet[str], records: Sequence[dict[str, Any]] | None
               ) -> list[tuple[list[int], list[list[str]]]]:
    """Each paragraph's token indices and feature lists, read through Token objects (see the module doc of
    ``annotator.nlp.attribution_features`` for what each feature means)."""
    paragraphs: list[list[Token]] = [[]]
    for tok in doc:
        if tok.is_space or not tok.text.strip():
            if "\n" in tok.text and paragraphs[-1]:
                paragraphs.append([])
        else:
            paragraphs[-1].append(tok)
    paragraphs = [p for p in paragraphs if p]
    tags = rule_tags(doc, records)
    kinds = [t.split("|")[0] for t in tags]

    def lemma(tok: Token) -> str:
        return tok.lemma_.lower()

    def ancestor(tok: Token) -> str:
        child, head = tok, tok.head
        for depth in range(8):
            if lemma(head) in cue:
                return f"{child.dep_}|{min(depth, 2)}"
            child, head = head, head.head  # the root is its own head
        return "far"

    out = []
    open_before = False
    for para in paragraphs:
        inside, qstate = False, []
        for tok in para:
            if tok.text in _QUOTES:
                inside = True if tok.text in ("“", "„", "«", "``") else False if tok.text in ("”", "»") else not inside
                qstate.append("mark")
            else:
                qstate.append("in" if inside else "out")
        cues = [t.i for t in para if lemma(t) in cue]
        feats = []
        sent_i, last, prev_q, prev_c, cur_q, cur_c = -1, None, "0", "0", "0", "0"
        for k, tok in enumerate(para):
            head, sent = tok.head, tok.sent
            if sent.start != last:
                if last is not None:
                    prev_q, prev_c = cur_q, cur_c
                last, sent_i, cur_q, cur_c = sent.start, sent_i + 1, "0", "0"
            if lemma(tok) in cue:
                cur_c = "1"
            cur_q = "1" if qstate[k] == "in" else "0" if qstate[k] == "out" else cur_q
            shape = "X" if tok.is_upper else "Xx" if tok.is_title else "x" if tok.is_alpha else tok.shape_[:3]
            f = ["b", f"w={tok.lower_}", f"l={lemma(tok)}", f"p={tok.pos_}", f"t={tok.tag_}", f"d={tok.dep_}",
                 f"hl={lemma(head)}", f"hd={head.dep_}", f"hp={head.pos_}", f"dh={tok.dep_}|{head.pos_}",
                 f"q={qstate[k]}", f"cue={int(lemma(tok) in cue)}", f"hcue={int(lemma(head) in cue)}",
                 f"anc={ancestor(tok)}", f"e={tok.ent_iob_}{tok.ent_type_}", f"sh={shape}",
                 f"ss={min(tok.i - sent.start, 3)}", f"se={min(sent.end - 1 - tok.i, 3)}", f"si={min(sent_i, 2)}",
                 f"pq={prev_q}", f"pc={prev_c}", f"suf={tok.lower_[-3:]}"]
            if tok.lower_ in lx.PERSON_PRONOUNS or tok.lower_ in lx.GROUP_PRONOUNS:
                f.append("pron")
            if lemma(tok) in lx.REPORTING_VERBS:
                f.append("lex=rv")
            elif tok.lower_ in ("according", "that", "whether"):
                f.append(f"lex={tok.lower_}")
            for off in (-2, -1, 1, 2):
                if 0 <= k + off < len(para):
                    other = para[k + off]
                    f += [f"{off}l={lemma(other)}", f"{off}t={other.tag_}", f"{off}c={int(lemma(other) in cue)}",
                          f"{off}q={qstate[k + off]}"]
                    if abs(off) == 1:
                        f.append(f"{off}w={other.lower_}")
                else:
                    f.append(f"{off}edge")
            if k + 1 < len(para):
                f.append(f"bi={lemma(tok)}|{lemma(para[k + 1])}")
            f += [f"r={tags[tok.i]}", f"rk={kinds[tok.i]}", f"-1r={kinds[para[k - 1].i] if k else 'edge'}",
                  f"1r={kinds[para[k + 1].i] if k + 1 < len(para) else 'edge'}"]
            if cues:
                near = min(cues, key=lambda c: (abs(c - tok.i), c > tok.i))  # a tie goes to the one before
                d = near - tok.i
                f.append(f"dc={d if abs(d) <= 3 else ('near' if abs(d) <= 8 else 'far') + ('+' if d > 0 else '-')}")
                f.append(f"dcs={int(doc[near].sent.start == sent.start)}")
            else:
                f.append("dc=none")
            f.append(f"sc={int(any(lemma(t) in cue for t in sent))}")
            f.append(f"sq={int(any(t.text in _QUOTES for t in sent))}")
            if open_before:
                f.append("popen")
            feats.append(f)
        open_before = qstate[-1] == "in"
        out.append(([t.i for t in para], feats))
    return out


@pytest.fixture(scope="module")
def parsed(nlp: Language) -> list[Doc]:
    """The fixture texts through the rules (their records are features too)."""
    return list(nlp.pipe(TEXTS))


@pytest.fixture(scope="module")
def cue_lemmas() -> frozenset[str]:
    return frozenset(json.loads((DEFAULT_MODEL_DIR / "cue_lemmas.json").read_text(encoding="utf-8")))


def test_features_are_exactly_those_read_through_token_objects(parsed: list[Doc], cue_lemmas: frozenset[str]
                                                               ) -> None:
    featurizer = Featurizer(cue_lemmas)
    for doc in parsed + parsed:  # the second time from the filled caches
        records = doc._.get(comp.ATTRIBUTIONS_EXT)
        assert records, "the rules found attributions: their records are features"
        got = list(featurizer.sequences(doc, records))
        want = _reference(doc, cue_lemmas, records)
        assert [idx for idx, _f in got] == [idx for idx, _f in want]  # the paragraphs, spaces left out
        for (idx, feats), (_idx, ref) in zip(got, want):
            for i, f, r in zip(idx, feats, ref):
                assert [x.decode() for x in f] == r, f"token {i} {doc[i].text!r}"
            assert len(feats) == len(ref)


def test_the_features_cover_what_the_fixture_is_for(parsed: list[Doc], cue_lemmas: frozenset[str]) -> None:
    feats = {f.decode() for doc in parsed
             for _idx, fs in Featurizer(cue_lemmas).sequences(doc, doc._.get(comp.ATTRIBUTIONS_EXT)) for token in fs
             for f in token}
    assert {"popen", "q=mark", "q=in", "-2edge", "2edge", "dc=none", "dcs=0", "lex=rv", "lex=according", "pron",
            "r=CON-direct|b", "r=CUE", "r=SRC", "si=2", "pq=1", "pc=1", "sq=1", "sh=X"} <= feats
    assert any(f.startswith("e=B") for f in feats) and any(f.startswith("anc=") and f != "anc=far" for f in feats)


def test_cleared_or_copied_caches_give_the_same_features(parsed: list[Doc], cue_lemmas: frozenset[str]) -> None:
    first = Featurizer(cue_lemmas)
    want = [list(first.sequences(doc, doc._.get(comp.ATTRIBUTIONS_EXT))) for doc in parsed]
    copied = pickle.loads(pickle.dumps(first))  # a pipeline copied to a worker process
    assert copied.lexeme == {} and copied.cue_lemmas == cue_lemmas
    small = Featurizer(cue_lemmas)
    small.MAX_ENTRIES = 5  # cleared before every document
    for fz in (copied, small):
        assert [list(fz.sequences(doc, doc._.get(comp.ATTRIBUTIONS_EXT))) for doc in parsed] == want
    assert len(small.lexeme) < len(first.lexeme)
