"""The learned check-worthiness and stance classifiers, each alone: trained tiny on our own fixtures
through `annotator train-classifier`, saved, loaded back, and used as spaCy components."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from annotator.nlp import common as comp
from annotator.nlp.checkworthy import (CHECKWORTHY_FACTORY, CheckworthyClassifier, CheckworthyComponent,
                                       claim_candidates, syntax_marks)
from annotator.nlp import stance_model as sm
from annotator.nlp.stance_model import (STANCE_CLF_FACTORY, StanceClassifier, StanceClfComponent, dependency_marks,
                                        find_mention, stance_fields)
from annotator.nlp.textmodel import LinearTextModel
from tests.conftest import Cli
from tests.nlp.learned_fixtures import write_claimbuster, write_newsmtsc


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from typer.testing import CliRunner

    from annotator.cli import app

    root = tmp_path_factory.mktemp("tiny")
    runner = CliRunner()
    out = {}
    for which, data in (("claims", write_claimbuster(root / "cb.json")), ("stance", write_newsmtsc(root / "mtsc.jsonl"))):
        folder = root / which
        result = runner.invoke(app, ["train-classifier", which, "--data", str(data), "--out", str(folder),
                                     "--held-out", "0.2"])
        assert result.exit_code == 0, result.output
        out[which] = folder
    return out


def test_train_base_writes_a_model_card_with_held_out_scores(tiny_models: dict[str, Path]) -> None:
    for which in ("claims", "stance"):
        folder = tiny_models[which]
        assert sorted(p.name for p in folder.iterdir()) == ["README.md", "model.json", "weights.npz"]
        card = (folder / "README.md").read_text(encoding="utf-8")
        info = json.loads((folder / "model.json").read_text(encoding="utf-8"))["info"]
        assert "Terms" in card and "Reproduce" in card and "held-out" in card
        if which == "claims":
            assert f"F1 {info['held_out']['f1']}" in card and 0.1 <= info["threshold"] <= 0.9
        else:
            assert f"macro F1 {info['held_out']['macro_f1']}" in card


@pytest.fixture(scope="module")
def parser() -> Language:
    from annotator.nlp.train_base import base_parser

    return base_parser()


def test_checkworthiness_scores_facts_above_pleasantries_and_survives_save_and_load(tiny_models: dict[str, Path], parser: Language) -> None:
    clf = CheckworthyClassifier.load(tiny_models["claims"])
    docs = [parser("Taxes rose 5 percent in 2020, the ministry said."),
            parser("Thank you, and good evening to all of you.")]
    fact, thanks = clf.scores(docs)
    assert fact > clf.threshold > thanks
    assert clf.decide(docs) == [(True, fact), (False, thanks)]
    again = CheckworthyClassifier(LinearTextModel.load(tiny_models["claims"]))
    assert again.scores(docs) == pytest.approx([fact, thanks])


def test_checkworthiness_reads_the_parse(parser: Language) -> None:
    marks = syntax_marks(parser("Unemployment fell to 4 percent in 2019."))
    assert {"E_PERCENT", "E_DATE", "T_VBD", "D_nsubj_VERB"} <= set(marks.split())


def _token_marks(span: Span) -> str:
    """syntax_marks read the plain way, through Token objects (the component reads arrays, for speed)."""
    toks = list(span)
    first, last = toks[0].i, toks[-1].i
    tags = [t.tag_ for t in toks]
    marks = [f"E_{t.ent_type_}" for t in toks if t.ent_type_] + [f"T_{tag}" for tag in tags if tag]
    marks += [f"TT_{a}_{b}" for a, b in zip(tags, tags[1:]) if a and b]
    marks += [f"D_{t.dep_}_{t.head.pos_}" for t in toks if t.dep_]
    roots = [t for t in toks if t.dep_ == "ROOT" or not first <= t.head.i <= last]
    for root in roots[:3]:
        marks += [f"RS_{c.dep_}_{c.lower_ if c.pos_ == 'PRON' else c.pos_}" for c in root.children if c.dep_]
    return " ".join(marks)


def test_parse_marks_from_arrays_equal_the_token_reading(parser: Language) -> None:
    doc = parser("“We cut taxes by 3 percent,” she said in Ohio on Monday. They rose again. He never did that!")
    spans = [*doc.sents, doc[2:9], doc[5:], doc[0:1]]  # whole sentences, and pieces whose heads are outside
    for span in spans:
        assert syntax_marks(span) == _token_marks(span)
    assert syntax_marks(doc) == _token_marks(doc[:]) and syntax_marks(doc[3:3]) == ""
    other = parser("Exports fell 5 percent.")
    assert syntax_marks(other) == _token_marks(other[:])


def test_stance_depends_on_where_the_target_is(tiny_models: dict[str, Path]) -> None:
    clf = StanceClassifier.load(tiny_models["stance"])
    text = "Clark praised Moore on Monday."
    assert clf.toward(text, "Moore")[0] == "favor"
    assert clf.toward(text, "Clark")[0] == "neutral"  # same words, other position: another label
    assert clf.toward("Clark condemned Moore on Monday.", "Moore")[0] == "against"
    label, score = clf.toward(text, "Moore")
    assert 1 / 3 < score <= 1.0


def test_stance_features_mark_the_mention_and_its_neighbours() -> None:
    masked, marks, _sentiment, near, syntax = stance_fields("Kyiv said Moscow lied again.", 10, 16)
    assert syntax == ""  # no parse given
    assert near == "Kyiv said TGT lied again."
    long = " ".join(["w"] * 20) + " Moscow " + " ".join(["v"] * 20)  # the near context: 12 words each side
    assert stance_fields(long, 40, 46)[3].split().count("w") == 12 == stance_fields(long, 40, 46)[3].split().count("v")
    assert masked == "Kyiv said  TGT  lied again." and "Moscow" not in masked
    assert {"L0_said", "R0_lied", "L_kyiv", "RB_lied_again"} <= set(marks.split())
    no_target = stance_fields("No target here.", None, None)
    assert no_target[:2] == ["No target here.", ""] and no_target[4] == ""
    assert "VL_neg" in stance_fields("Critics slammed the awful Moscow plan.", 26, 32)[2].split()
    assert {"VR_neg", "LEXr_n", "SWr_not_help"} <= set(stance_fields("Moscow did not help.", 0, 6)[2].split())
    assert {"VR_pos", "LEXr_p", "SWr_help"} <= set(stance_fields("Moscow did help.", 0, 6)[2].split())
    assert find_mention("The Kremlin denied it.", "Russia") == (4, 11)  # through the aliases
    assert find_mention("Judge Gorsuch wrote.", "Neil Gorsuch") == (6, 13)  # the last word of a name
    assert find_mention("Nothing about it.", "Russia") is None


def test_dependency_marks_read_the_mentions_place_in_the_parse(parser: Language) -> None:
    condemned = set(dependency_marks(parser("Critics condemned Moore on Monday."), 18, 23).split())
    assert {"DR_dobj", "GV_condemned", "GVR_condemned_dobj", "GVP_n_dobj"} <= condemned
    lost = set(dependency_marks(parser("Moore did not win the vote."), 0, 5).split())
    assert {"DR_nsubj", "GVR_win_nsubj", "GNEG_nsubj", "GVP_n_nsubj"} <= lost  # a negated positive verb
    praised = set(dependency_marks(parser("Moore was praised by Clark."), 21, 26).split())
    assert "PASS_AGENT" in praised and "PASS_AGENT" not in condemned  # the one who praises, not the praised
    assert "CL_nsubj_n" in set(dependency_marks(parser("Moore made a terrible mistake."), 0, 5).split())
    text = "It rained. Critics condemned Moore on Monday."
    doc = parser(text)
    quote = text[11:]  # a quote's text and where it is in the parsed document
    assert stance_fields(quote, 18, 23, (doc, 11))[4] == dependency_marks(doc, 29, 34)
    assert "GVR_condemned_dobj" in stance_fields(quote, 18, 23, (doc, 11))[4].split()
    assert stance_fields(quote, 18, 23)[4] == "" and stance_fields(quote, None, None, (doc, 11))[4] == ""


def _spy_on_parse_features(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The mentions whose parse features the classifier reads (the real features are still computed)."""
    seen: list[str] = []
    real = sm.dependency_marks

    def spy(doc: Doc, start: int, end: int) -> str:
        seen.append(doc.text[start:end])
        return real(doc, start, end)

    monkeypatch.setattr(sm, "dependency_marks", spy)
    return seen


def test_the_stance_component_reads_the_documents_parse(tiny_models: dict[str, Path], parser: Language,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _spy_on_parse_features(monkeypatch)
    component = StanceClfComponent(["Moore"], StanceClassifier.load(tiny_models["stance"]))
    text = "It rained. Clark praised Moore on Monday."
    record = {"start": 11, "end": len(text), "kind": "indirect", "cue": None, "speaker": None, "name": None, "stance": None}
    for doc in (parser(text), parser.make_doc(text)):  # parsed, then not parsed (no parse features)
        doc._.set(comp.ATTRIBUTIONS_EXT, [dict(record)])
        assert component(doc)._.get(comp.ATTRIBUTIONS_EXT)[0]["stance"][0] == "Moore"
    assert seen == ["Moore"]


def test_keep_spans_relabelling_parses_the_text_for_the_stance(joined_nlp: Language, monkeypatch: pytest.MonkeyPatch) -> None:
    from annotator.nlp.relabel import relabel
    from annotator.scheme import Annotation, Quote, Stance

    seen = _spy_on_parse_features(monkeypatch)
    text = "It rained. Critics condemned Moore on Monday."
    quote = Quote("q1", 11, len(text), text[11:], "indirect", None, None, Stance("Moore", "favor"))
    (out,) = relabel(joined_nlp, [Annotation("d1", text, "gold", "done", {}, (quote,), ())])
    assert seen == ["Moore"] and out.quotes[0].stance is not None and out.quotes[0].stance.target == "Moore"


def test_checkworthy_factory_builds_the_component_from_a_model_folder(tiny_models: dict[str, Path]) -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe(CHECKWORTHY_FACTORY, config={"model": str(tiny_models["claims"]), "threshold": 0.0})
    doc = nlp("Prices rose 5 percent. Thank you all.")
    assert [s.text for s in doc.spans[comp.CLAIMS_KEY]] == ["Prices rose 5 percent.", "Thank you all."]


def test_checkworthy_component_keeps_only_checkworthy_candidates_unless_all_claims(tiny_models: dict[str, Path], parser: Language) -> None:
    text = ("Budget figures\n\nThe deficit grew by 300 billion dollars in 2019. "
            "Thank you all for coming tonight. Exports rose 12 percent last year.")
    doc = parser(text)
    component = CheckworthyComponent(CheckworthyClassifier.load(tiny_models["claims"]))
    doc = component(doc)
    claims = doc.spans[comp.CLAIMS_KEY]
    assert [s.text for s in claims] == ["The deficit grew by 300 billion dollars in 2019.",
                                        "Exports rose 12 percent last year."]
    assert len(claims.attrs["scores"]) == 2 and all(0.0 <= s <= 1.0 for s in claims.attrs["scores"])
    every = CheckworthyComponent(CheckworthyClassifier.load(tiny_models["claims"]), all_claims=True)(parser(text))
    rows = every._.get(comp.CLAIM_SPEAKERS_EXT)
    assert [(text[s:e], ok) for s, e, _name, ok, _score in rows] == [
        ("The deficit grew by 300 billion dollars in 2019.", True),
        ("Thank you all for coming tonight.", False),
        ("Exports rose 12 percent last year.", True),
    ]  # the heading "Budget figures" (no final punctuation) is never a candidate


def test_a_claim_inside_a_quote_keeps_its_speaker(tiny_models: dict[str, Path]) -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    text = "“Exports rose 12 percent last year,” the minister said. Taxes went up 5 percent."
    doc = nlp(text)
    doc._.set(comp.ATTRIBUTIONS_EXT, [{"start": 1, "end": 34, "kind": "direct", "cue": None, "speaker": [35, 47],
                                       "name": "Ann Lee", "stance": None}])
    assert claim_candidates(doc, doc._.get(comp.ATTRIBUTIONS_EXT)) == [(1, 55, "Ann Lee"), (56, len(text), None)]


def test_stance_component_labels_each_quote_toward_the_targets_it_mentions(tiny_models: dict[str, Path]) -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe(STANCE_CLF_FACTORY, config={"model": str(tiny_models["stance"]), "targets": ["Moore", "Clark"]})
    text = "Clark praised Moore on Monday, Moore said. Nothing else happened."
    doc = nlp.make_doc(text)
    records = [{"start": 0, "end": 29, "kind": "indirect", "cue": None, "speaker": None, "name": None, "stance": None},
               {"start": 43, "end": 65, "kind": "indirect", "cue": None, "speaker": None, "name": None, "stance": None}]
    doc._.set(comp.ATTRIBUTIONS_EXT, records)
    doc = nlp.get_pipe(STANCE_CLF_FACTORY)(doc)
    first, second = doc._.get(comp.ATTRIBUTIONS_EXT)
    assert first["stance"] == ["Clark", "neutral"]  # both mentioned once: the first mentioned is the stance
    assert [s[:2] for s in first["stances"]] == [["Clark", "neutral"], ["Moore", "favor"]]
    assert 0.0 < first["stance_score"] <= 1.0
    assert second["stance"] is None and second["stances"] == []  # no target mentioned: no stance


def test_train_base_rejects_bad_files_with_file_and_line(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"sentence_normalized": "A b c.", "targets": []}\nnot json\n', encoding="utf-8")
    result = cli("train-classifier", "stance", "--data", bad, "--out", tmp_path / "m")
    assert result.exit_code == 1 and f"{bad}:2: not JSON" in result.stderr
    assert not (tmp_path / "m").exists()
    wrong = tmp_path / "cb.json"
    wrong.write_text('[{"text": "x", "label": 3}]', encoding="utf-8")
    result = cli("train-classifier", "claims", "--data", wrong, "--out", tmp_path / "m")
    assert result.exit_code == 1 and "item 1" in result.stderr and "Traceback" not in result.stderr


def test_the_fast_decision_equals_scikit_learns_sparse_transform(tiny_models: dict[str, Path]) -> None:
    for which in ("claims", "stance"):
        model = LinearTextModel.load(tiny_models[which])
        rows = [stance_fields("Clark praised Moore on Monday.", 14, 19), stance_fields("Nothing at all here.", None, None)]
        if which == "claims":
            rows = [["Prices rose 5 percent in 2019.", "T_NNS T_VBD E_PERCENT"], ["Thank you all.", ""], ["", ""],
                    ["A\tprice,  a PRICE\nand Ünïcode — “prices” I", "T_DT"]]  # whitespace, case, short words
        for _twice in range(2):  # the second time from the cache of words' character n-grams
            sparse = np.asarray(model._features(rows) @ model.coef.T) + model.intercept
            assert model.decision(rows) == pytest.approx(sparse, abs=1e-5)


def test_many_rows_are_scored_in_batches_with_the_numbers_of_one_row_at_a_time(tiny_models: dict[str, Path]) -> None:
    """A long article's thousands of candidates go through ``decision`` a batch at a time (bounded memory):
    rows on either side of a batch boundary get what they get alone."""
    model = LinearTextModel.load(tiny_models["claims"])
    model.BATCH_ROWS = 3
    texts = ["Prices rose 5 percent in 2019.", "Thank you all.", "", "Unemployment fell to 3.5 percent.",
             "The senator said taxes would rise.", "Ünïcode — “prices”", "Nothing."]
    rows = [[t, "T_NN E_PERCENT" if "percent" in t else ""] for t in texts]
    alone = np.concatenate([model.decision([row]) for row in rows])
    assert alone.shape == (7, model.intercept.shape[0])
    assert model.decision(rows) == pytest.approx(alone, abs=1e-9)
    assert model.predict_proba(rows)[:, 1] == pytest.approx(model.predict_proba(rows[:1])[:, 1].tolist()
                                                            + model.predict_proba(rows[1:])[:, 1].tolist())


def test_the_threshold_is_tuned_for_the_corpus_share_and_a_balanced_share_of_claims() -> None:
    from annotator.nlp.train_base import _best_threshold, f1_at_share

    gold = np.array([True, False, False, False] * 5)
    pred = np.array([True, True, False, False] * 5)  # every claim found, one false alarm in three negatives
    assert f1_at_share(pred, gold) == pytest.approx(2 / 3)
    assert f1_at_share(pred, gold, 0.5) == pytest.approx(2 / (2 + 1 / 3))  # a third as many negatives per claim
    scores = np.array([0.9, 0.25, 0.05, 0.05] * 5)
    # the lowest that keeps all claims and only them with its smoothing window (two grid points each side)
    assert _best_threshold(scores, gold) == pytest.approx(0.28)


def test_extra_examples_join_the_training_part(tmp_path: Path) -> None:
    from annotator.nlp import train_base as tb

    data = write_newsmtsc(tmp_path / "mtsc.jsonl")
    extra = [tb.StanceExample("Zorblat applauded Moore warmly.", 18, 23, "favor", "extra")] * 3
    info = tb.train_stance(data, tmp_path / "stance", held_out=0.2, extra=extra)
    model = LinearTextModel.load(tmp_path / "stance")
    assert info["n_extra"] == 3 and model.info["n_extra"] == 3
    assert "zorblat applauded" in model.vectorizers[0].vocabulary_  # a bigram only the extra examples have
