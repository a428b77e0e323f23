"""The second pass reads the parse from ``Doc.to_array`` columns (``attribution_clauses.Parse``), not Token
objects: it must see exactly what spaCy's Token API says, or the features would drift from the ones the
shipped weights were trained on (checked identical on the 84 tuning-split articles when it was rewritten).
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from annotator.nlp.attribution_clauses import Parse, candidates

TEXTS = [
    "The campaign sued the party in federal court, and the party said it would fight back.\n\n"
    "“We are ready,” she said. Officials told reporters that the bridge, which closed in May, would reopen.",
    "",
]


def _token_view(doc: Doc) -> list[tuple[object, ...]]:
    return [(t.head.i, [c.i for c in t.children], (t.left_edge.i, t.right_edge.i), t.dep_, t.text,
             bool(t.is_space), t.pos, t.idx) for t in doc]


def _parse_view(doc: Doc, p: Parse) -> list[tuple[object, ...]]:
    return [(p.head[i], p.children[i], p.edges(i), p.dep[i], p.text[i], bool(p.is_space[i]), p.pos[i], p.idx[i])
            for i in range(len(doc))]


def test_the_columns_say_what_the_token_api_says(nlp: Language) -> None:
    for text in TEXTS:
        doc = nlp(text)
        assert _parse_view(doc, Parse(doc)) == _token_view(doc)


def test_subtree_edges_are_spacys_even_where_a_non_projective_parse_makes_them_partial(nlp: Language) -> None:
    """In a non-projective parse spaCy's edges need not reach a subtree's extremes ("said" below: its subtree
    reaches "today", its right edge stops at "matters"); the pass was trained on spaCy's edges."""
    doc = Doc(nlp.vocab, words=["Officials", "said", "teamwork", "matters", "today"], heads=[0, 0, 3, 1, 2],
              deps=["ROOT", "ccomp", "nsubj", "ccomp", "npadvmod"], pos=["NOUN", "VERB", "NOUN", "VERB", "NOUN"])
    assert max(t.i for t in doc[1].subtree) == 4 and doc[1].right_edge.i == 3
    assert _parse_view(doc, Parse(doc)) == _token_view(doc)


def test_candidates_from_a_shared_parse_are_the_same(nlp: Language) -> None:
    doc = nlp(TEXTS[0])
    assert candidates(doc, Parse(doc)) == candidates(doc) != []
