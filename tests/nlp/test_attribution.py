"""The learned attribution component: a CRF trained here on the brat fixture, alone and joined with the rules.

A tiny model (the fixture's two texts, a few L-BFGS iterations) is enough to show the real parts work
together: brat import -> token labels -> crfsuite -> grouping into attributions -> speaker resolution.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from annotator.nlp import attribution as na
from annotator.nlp.pipeline import annotate, load_pipeline
from annotator.scheme import Annotation
from annotator.training import attribution as ta
from tests.io.brat_fixture import PRESS, write_plain, write_polnear


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory, nlp: Language) -> Path:
    root = tmp_path_factory.mktemp("brat")
    write_polnear(root / "polnear")
    write_plain(root / "plain")
    corpus = ta.load_corpus(root)
    assert sorted(a.doc_id for a in corpus.annotations) == ["note", "press"] and corpus.skipped == []
    docs = ta.parse(nlp, corpus.annotations)
    out = tmp_path_factory.mktemp("model")
    facts = ta.train_crf(docs, corpus.annotations, out, params={"max_iterations": 40, "feature.minfreq": 1})
    assert facts["documents"] == 2 and (out / "model.crfsuite").stat().st_size > 0
    return out


def _quotes(ann: Annotation) -> list[tuple[str, str, str | None, str | None]]:
    return [(q.text, q.kind, q.cue.text if q.cue else None, q.speaker.text if q.speaker else None) for q in ann.quotes]


def test_token_labels_follow_the_imported_attributions(nlp, tmp_path: Path) -> None:
    corpus = ta.load_corpus(write_polnear(tmp_path))
    alice = corpus.annotations[0]
    doc = nlp(alice.text)
    labels = dict(zip((t.text for t in doc), ta.token_labels(doc, alice)))
    assert labels["Polls"] == "B-SRC" and labels["show"] == "B-CUE"
    assert labels["voters"] == "B-CON" and labels["tired"] == "I-CON"
    assert labels["Dana"] == "O"  # a Discuss note is no attribution


def _span(text: str, piece: str, nth: int = 0) -> dict:  # type: ignore[type-arg]
    start = -1
    for _ in range(nth + 1):
        start = text.index(piece, start + 1)
    return {"start": start, "end": start + len(piece), "text": piece}


def test_a_cue_and_source_inside_their_content_keep_their_labels(nlp: Language) -> None:
    """PolNeAR joins "X, he said, Y" into one content over the cue: the cue and source stay CUE/SRC and
    the content starts again after them (before, the content's label won and the cue was lost)."""
    from annotator.scheme import annotation_from_dict

    text = "The plan, the mayor said, would fail in the spring."
    quote = {**_span(text, text[:-1]), "kind": "indirect", "cue": _span(text, "said"),
             "speaker": {**_span(text, "the mayor"), "name": "the mayor"}}
    ann = annotation_from_dict({"id": "d", "text": text, "quotes": [quote]})
    doc = nlp(text)
    labels = [(t.text, lab) for t, lab in zip(doc, ta.token_labels(doc, ann))]
    assert labels[:7] == [("The", "B-CON"), ("plan", "I-CON"), (",", "I-CON"), ("the", "B-SRC"),
                          ("mayor", "I-SRC"), ("said", "B-CUE"), (",", "B-CON")]
    assert labels[-1] == (".", "O")


def _tokens(doc: Doc, piece: str) -> tuple[int, int]:
    span = doc.char_span(doc.text.index(piece), doc.text.index(piece) + len(piece), alignment_mode="contract")
    return span.start, span.end


def test_content_pieces_around_their_cue_are_one_content_unless_each_is_a_direct_quote(nlp: Language) -> None:
    doc = nlp("The plan, the mayor said, would fail in the spring.")
    spans = [("CON", *_tokens(doc, "The plan")), ("SRC", *_tokens(doc, "the mayor")), ("CUE", *_tokens(doc, "said")),
             ("CON", *_tokens(doc, "would fail in the spring"))]
    (record,) = na.group(doc, spans)
    assert doc.text[record["start"]:record["end"]] == "The plan, the mayor said, would fail in the spring"
    assert doc.text[record["cue"][0]:record["cue"][1]] == "said"
    assert doc.text[record["speaker"][0]:record["speaker"][1]] == "the mayor"

    doc = nlp("“We are ready,” the mayor said, “to go to court.”")
    spans = [("CON", *_tokens(doc, "We are ready,")), ("SRC", *_tokens(doc, "the mayor")),
             ("CUE", *_tokens(doc, "said")), ("CON", *_tokens(doc, "to go to court."))]
    records = na.group(doc, spans)
    assert [(doc.text[r["start"]:r["end"]], r["kind"]) for r in records] == [
        ("We are ready,", "direct"), ("to go to court.", "direct")]
    assert records[0]["cue"] == records[1]["cue"]

    # two attributions, not one: a second cue between the pieces
    doc = nlp("The plan failed, he said, referring to the vote.")
    spans = [("CON", *_tokens(doc, "The plan failed")), ("SRC", *_tokens(doc, " he")), ("CUE", *_tokens(doc, "said")),
             ("CUE", *_tokens(doc, "referring to")), ("CON", *_tokens(doc, "the vote"))]
    assert len(na.group(doc, spans)) == 2


def test_joined_gives_a_learned_content_without_source_the_rules_speaker_and_keeps_other_rule_records(
        nlp: Language) -> None:
    text = "The mayor said that the plan would fail. Critics argued that taxes would rise."
    doc = nlp(text)

    def rec(piece: str, cue: str | None, speaker: str | None) -> dict:  # type: ignore[type-arg]
        s = _span(text, piece)
        return {"start": s["start"], "end": s["end"], "kind": "indirect", "name": None, "stance": None,
                "cue": [_span(text, cue)["start"], _span(text, cue)["end"]] if cue else None,
                "speaker": [_span(text, speaker)["start"], _span(text, speaker)["end"]] if speaker else None}

    rules = [rec("that the plan would fail", "said", "The mayor"), rec("that taxes would rise", "argued", "Critics")]
    learned = [rec("that the plan would fail", None, None)]
    joined = na.join(doc, rules, learned)
    assert [(text[r["start"]:r["end"]], text[r["speaker"][0]:r["speaker"][1]]) for r in joined] == [
        ("that the plan would fail", "The mayor"), ("that taxes would rise", "Critics")]
    assert [r["start"] for r in na.join(doc, rules, learned, "learned")] == [learned[0]["start"]]


def test_the_learned_component_alone_finds_source_cue_and_content(tiny_model: Path) -> None:
    nlp = load_pipeline(attribution_model=str(tiny_model), attribution_mode="learned")
    assert "annotator_attribution" in nlp.pipe_names
    ann = next(annotate(nlp, [(PRESS, "press")]))[1]
    found = _quotes(ann)
    assert ("voters are tired", "indirect", "show", "Polls") in found
    assert ("the plan, which is new, would fail", "indirect", "said", "Smith") in found
    direct = [q for q in ann.quotes if q.kind == "direct"]
    assert direct and all(q.text[0] not in "“”'\"" and q.text[-1] not in "“”'\"" for q in direct)


def test_joined_keeps_the_rules_direct_quotes_and_adds_learned_ones(tiny_model: Path, nlp) -> None:
    rules = next(annotate(nlp, [(PRESS, "p")]))[1]
    joined = next(annotate(load_pipeline(attribution_model=str(tiny_model)), [(PRESS, "p")]))[1]
    rule_direct = {(q.start, q.end) for q in rules.quotes if q.kind == "direct"}
    assert rule_direct and rule_direct <= {(q.start, q.end) for q in joined.quotes}
    assert "voters are tired" not in [q.text for q in rules.quotes]
    assert "voters are tired" in [q.text for q in joined.quotes]
    spans = sorted((q.start, q.end) for q in joined.quotes)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))  # one layer never overlaps


def test_content_span_kinds_from_quotation_marks() -> None:
    text = "He said “we are ready.” Then he said ''fine'' twice and that it was “a mess”."
    s = text.index("we")
    assert na.content_span(text, s, text.index(".”") + 1) == (s, text.index(".”") + 1, "direct")
    fine = text.index("fine")
    assert na.content_span(text, fine, fine + 4) == (fine, fine + 4, "direct")
    that = text.index("that")
    assert na.content_span(text, that, text.index("”.") + 1)[2] == "mixed"
    assert na.content_span(text, 0, 2) == (0, 2, "indirect")
    # a mixed content ending (or starting) with a quoted fragment keeps its marks, as PolNeAR's do
    text = "He called the deal “a disaster.” Then “Bad” deals, he said, were common."
    called = text.index("called")
    assert na.content_span(text, called, text.index(".”") + 1) == (called, text.index(".”") + 2, "mixed")
    bad = text.index("Bad")
    assert na.content_span(text, bad, text.index(" deals") + 6) == (bad - 1, text.index(" deals") + 6, "mixed")


def test_bio_decoding() -> None:
    assert na.decode([0, 1, 2, 4, 5], ["B-SRC", "B-CUE", "B-CON", "I-CON", "O"]) == [
        ("SRC", 0, 1), ("CUE", 1, 2), ("CON", 2, 5)]
    assert na.decode([0, 1], ["I-CON", "I-CUE"]) == [("CON", 0, 1), ("CUE", 1, 2)]


def test_unknown_mode_and_missing_model_are_user_errors(tmp_path: Path) -> None:
    from annotator.errors import ModelError

    with pytest.raises(ModelError, match="no attribution model at"):
        na.CrfTagger(tmp_path)
    with pytest.raises(ModelError, match="unknown attribution mode 'x'"):
        load_pipeline(attribution_mode="x")


def test_a_saved_pipeline_loads_with_spacy_load_in_a_fresh_process(tiny_model: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    nlp = load_pipeline(attribution_model=str(tiny_model))
    nlp.to_disk(tmp_path / "pipe")
    code = ("import spacy, sys; nlp = spacy.load(sys.argv[1]); doc = nlp(sys.argv[2]); "
            "print(nlp.pipe_names); print([(r['kind'], doc.text[r['start']:r['end']]) for r in doc._.attributions])")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "pipe"), PRESS], capture_output=True,
                         text=True, check=True).stdout
    assert "annotator_attribution" in out and "voters are tired" in out
    from importlib.metadata import entry_points

    (ep,) = [e for e in entry_points(group="spacy_factories") if e.name == "annotator_attribution"]
    assert ep.value == "annotator.nlp.attribution:make_attribution"


POLL = "Polls show that voters are tired of the war.\n"


def _run(cwd: Path, *args: str) -> str:
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "annotator", *args], cwd=cwd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


#: The shipped CRF tags nothing here; the shipped second pass (``annotator.nlp.attribution_clauses``) reads
#: "seem" as PolNeAR does: a stance of the voters.
VOTERS = "Voters in the state seem to prefer a moderate candidate this year.\n"


def test_predict_uses_the_shipped_model_by_default_and_rules_only_keeps_the_rules(tmp_path: Path) -> None:
    import json

    (tmp_path / "poll.txt").write_text(POLL, encoding="utf-8")
    (tmp_path / "voters.txt").write_text(VOTERS, encoding="utf-8")
    learned, voters = map(json.loads, _run(tmp_path, "predict", "poll.txt", "voters.txt").splitlines())
    rules = json.loads(_run(tmp_path, "predict", "poll.txt", "--rules-only"))
    assert [(q["text"], q["kind"], q["cue"]["text"], q["speaker"]["text"]) for q in learned["quotes"]] == [
        ("that voters are tired of the war", "indirect", "show", "Polls")]
    assert [(q["text"], q["kind"], q["cue"]["text"], q["speaker"]["text"]) for q in voters["quotes"]] == [
        ("to prefer a moderate candidate this year", "indirect", "seem", "Voters in the state")]
    assert rules["quotes"] == []


def test_preannotate_runs_the_learned_component_in_a_fresh_process(tmp_path: Path) -> None:
    from annotator.db.engine import open_database
    from annotator.db.repo import Repository

    (tmp_path / "poll.txt").write_text(POLL, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'a.db'}"
    _run(tmp_path, "import", "poll.txt", "--dataset", "d", "--db", url)
    _run(tmp_path, "preannotate", "--dataset", "d", "--db", url)
    (suggested,) = Repository(open_database(url)).suggestions("d")
    assert [q.text for q in suggested.quotes] == ["that voters are tired of the war"]


def test_a_noun_cue_without_a_tagged_source_takes_the_subject_of_the_verb_above_it(nlp: Language) -> None:
    """"The tycoon had harsh words about the plan": the cue "harsh words about" is no verb and has no
    subject of its own; the speaker is the subject of "had" (before, the record had no speaker)."""
    text = "The tycoon had harsh words about the plan."
    doc = nlp(text)
    records = na.group(doc, [("CUE", *_tokens(doc, "harsh words about")), ("CON", *_tokens(doc, "the plan"))])
    assert [(text[r["cue"][0]:r["cue"][1]], text[r["speaker"][0]:r["speaker"][1]]) for r in records] == [
        ("harsh words about", "The tycoon")]
