"""`annotator export docbin`: spans read back equal the database; shards in a folder with a `spacy train`
config that trains as it is."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from spacy.tokens import DocBin
from spacy.vocab import Vocab
from typer.testing import Result

from annotator.db.engine import open_database
from annotator.db.repo import Repository
from annotator.io.docbin import gold_from_doc, read_docs
from annotator.io.gold import gold_line
from annotator.scheme import LAYER_LABELS, LAYERS, Annotation

from tests.io.tiny_corpus import write_tiny_gold
from tests.conftest import Cli


def _read(path: Path) -> list:  # type: ignore[type-arg]
    return list(read_docs(path))


def _export(cli: Cli, db: str, out: Path, *extra: str) -> Result:
    result = cli("export", "docbin", "--dataset", "news", "--out", out, "--db", db, *extra)
    assert result.exit_code == 0, result.output
    return result


def test_every_span_read_back_equals_the_database(cli, annotated: str, tmp_path: Path) -> None:
    out = tmp_path / "news.spacy"
    result = _export(cli, annotated, out, "--status", "all", "--all-annotators")
    assert f"Wrote 11 doc(s) (6 document(s)) to {out}" in result.stderr
    docs = _read(out)
    stored = list(Repository(open_database(annotated)).versions("news", status=None))
    assert len(docs) == len(stored) == 11
    for doc, ann in zip(docs, stored):
        assert doc.text == ann.text
        assert set(doc.spans) == set(LAYERS)
        for layer in LAYERS:
            assert {sp.label_ for sp in doc.spans[layer]} <= {LAYER_LABELS[layer]}
            got = sorted({(sp.start_char, sp.end_char) for sp in doc.spans[layer]})
            assert got == [(s.start, s.end) for s in ann.layer_spans(layer)], (ann.doc_id, ann.annotator, layer)
        quotes = {(q.start, q.end): q for q in ann.quotes}
        for sp in doc.spans["quotes"]:
            assert sp.id_ == quotes[(sp.start_char, sp.end_char)].id
        names = {(q.speaker.start, q.speaker.end): q.speaker.name for q in ann.quotes if q.speaker}
        assert {(sp.start_char, sp.end_char): sp.kb_id_ for sp in doc.spans["speakers"]} == names
        claim_ids = sorted(c.id for c in ann.claims)
        assert sorted(sp.id_ for sp in doc.spans["claims"]) == claim_ids
        assert [(e.start_char, e.end_char, e.label_, e.kb_id_) for e in doc.ents] == [
            (s, e, "SPEAKER", names[(s, e)]) for s, e in sorted(names)
        ]
        # attributions, stances, kinds, claims and meta: the gold line, exactly
        assert json.dumps(gold_from_doc(doc), ensure_ascii=False) == gold_line(ann)
        assert doc.user_data["dataset"] == "news"


def test_stored_tokenization_is_rebuilt_not_reparsed(cli, annotated: str, tmp_path: Path) -> None:
    repo = Repository(open_database(annotated))
    run = repo.start_model_run("news", "test-tokenizer", "1", {})
    repo.add_suggestions(run, [
        (d.id, Annotation(d.ext_id, d.text, "model"), [m.span() for m in re.finditer(r"\S+", d.text)])
        for d in repo.documents("news")
    ])
    out = tmp_path / "ws.spacy"
    result = _export(cli, annotated, out, "-a", "alice")
    assert "were expanded to the covering tokens" in result.stderr
    for doc, ann in zip(_read(out), repo.versions("news", "alice")):
        assert doc.text == ann.text
        assert [t.text for t in doc if not t.text.isspace()] == ann.text.split()
        for sp in doc.spans["quotes"]:  # expanded: covers the annotated quote
            q = next(q for q in ann.quotes if q.id == sp.id_)
            assert sp.start_char <= q.start < q.end <= sp.end_char
        assert json.dumps(gold_from_doc(doc), ensure_ascii=False) == gold_line(ann)  # user_data keeps exact offsets


def test_docbin_to_stdout(cli, annotated: str, tmp_path: Path) -> None:
    result = cli("export", "docbin", "--dataset", "news", "-a", "bob", "--out", "-", "--db", annotated)
    assert result.exit_code == 0
    docs = list(DocBin().from_bytes(result.stdout_bytes).get_docs(Vocab()))
    assert [d.user_data["annotator"] for d in docs] == ["bob"] * 4


def test_several_annotators_are_refused_unless_one_is_chosen_or_all_are_asked_for(
    cli, annotated: str, tmp_path: Path
) -> None:
    """Training data must not hold one text twice with conflicting labels (issue 17.9)."""
    stored = Repository(open_database(annotated))
    several = stored.annotators("news", status="done")
    assert len(several) > 1
    out = tmp_path / "news.spacy"
    before = sorted(p.name for p in tmp_path.iterdir())
    refused = cli("export", "docbin", "--dataset", "news", "--out", out, "--db", annotated)
    assert refused.exit_code == 1
    assert f"versions by {len(several)} annotators ({', '.join(several)})" in refused.stderr
    assert "--gold, --annotator NAME, or --all-annotators" in refused.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written
    one = _export(cli, annotated, out, "-a", several[0])
    assert f"Wrote {len(list(stored.versions('news', annotator=several[0])))} doc(s)" in one.stderr
    everyone = _export(cli, annotated, out, "--all-annotators")
    assert f"Wrote {len(list(stored.versions('news')))} doc(s)" in everyone.stderr


def test_shards_hold_every_doc_in_order_with_the_config(cli, annotated: str, tmp_path: Path) -> None:
    out = tmp_path / "news.spacy"
    result = _export(cli, annotated, out, "--status", "all", "--shard-size", "3", "--all-annotators")
    assert sorted(p.name for p in out.iterdir()) == ["config.cfg", *(f"shard-{i:05d}.spacy" for i in range(4))]
    assert [len(DocBin().from_disk(f)) for f in sorted(out.glob("shard-*.spacy"))] == [3, 3, 3, 2]
    stored = list(Repository(open_database(annotated)).versions("news", status=None))
    assert [gold_from_doc(d) for d in _read(out)] == [json.loads(gold_line(a)) for a in stored]
    assert f"config {out / 'config.cfg'}" in result.stderr


def test_single_file_with_shard_size_0_and_the_config_beside_it(cli, annotated: str, tmp_path: Path) -> None:
    out = tmp_path / "news.spacy"
    _export(cli, annotated, out, "-a", "bob", "--shard-size", "0")
    assert out.is_file() and len(DocBin().from_disk(out)) == 4
    assert 'train = "' + str(out) + '"' in (tmp_path / "news.cfg").read_text(encoding="utf-8")


def test_reexport_replaces_its_own_folder_and_refuses_any_other(cli, annotated: str, tmp_path: Path) -> None:
    out = tmp_path / "news.spacy"
    _export(cli, annotated, out, "--shard-size", "1", "--all-annotators")
    assert len(list(out.glob("shard-*"))) == 10
    _export(cli, annotated, out, "-a", "bob", "--shard-size", "2")
    assert sorted(p.name for p in out.iterdir()) == ["config.cfg", "shard-00000.spacy", "shard-00001.spacy"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folders left
    other = tmp_path / "mine"  # any other folder: the export goes inside it, under the default name
    other.mkdir()
    (other / "notes.txt").write_text("keep me", encoding="utf-8")
    assert cli("export", "docbin", "--dataset", "news", "--out", other, "--db", annotated, "--all-annotators").exit_code == 0
    assert sorted(p.name for p in other.iterdir()) == ["news-all.spacy", "notes.txt"]
    (tmp_path / "file.spacy").write_bytes(b"not ours")  # a file where the folder would go is never replaced
    result = cli("export", "docbin", "--dataset", "news", "--out", tmp_path / "file.spacy", "--db", annotated,
                 "--all-annotators")
    assert result.exit_code != 0 and "not a DocBin export folder" in result.stderr
    assert (tmp_path / "file.spacy").read_bytes() == b"not ours"


def test_the_written_config_names_our_keys_and_fits_long_spans(cli, annotated: str, tmp_path: Path) -> None:
    from thinc.api import Config

    out = tmp_path / "news.spacy"
    _export(cli, annotated, out, "-a", "alice")
    cfg = Config().from_disk(out / "config.cfg", interpolate=False)
    comps = cfg["components"]
    keys = {c["spans_key"] for c in comps.values() if "spans_key" in c}
    assert keys == set(LAYERS)
    weights = {k: v for k, v in cfg["training"]["score_weights"].items() if v}
    assert set(weights) == {f"spans_{k}_f" for k in LAYERS} and abs(sum(weights.values()) - 1) < 0.01
    # quotes run to 100+ tokens here: a span finder proposes them, not a 1-3 token n-gram suggester
    assert comps["span_finder_quotes"]["factory"] == "span_finder"
    assert comps["span_finder_quotes"]["max_length"] >= max(len(sp) for d in _read(out) for sp in d.spans["quotes"])
    assert comps["spancat_cues"]["suggester"]["@misc"] == "spacy.ngram_range_suggester.v1"


@pytest.mark.slow
def test_spacy_train_on_the_export_with_its_config_scores_above_zero(cli, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'tiny.db'}"
    assert cli("import", write_tiny_gold(tmp_path / "tiny.jsonl"), "--dataset", "tiny", "--db", db).exit_code == 0
    data = tmp_path / "tiny.spacy"
    result = cli("export", "docbin", "--dataset", "tiny", "--out", data, "--db", db, "--model", "blank")
    assert result.exit_code == 0, result.output
    out = tmp_path / "model"
    small = ["--components.tok2vec.model.encode.depth", "1", "--components.tok2vec.model.embed.width", "32",
             "--components.tok2vec.model.encode.width", "32"]  # keep the test fast; the shipped config is larger
    proc = subprocess.run(
        [sys.executable, "-m", "spacy", "train", str(data / "config.cfg"), "--output", str(out),
         "--training.max_steps", "40", "--training.eval_frequency", "20", "--gpu-id", "-1", *small],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    perf = json.loads((out / "model-best" / "meta.json").read_text(encoding="utf-8"))["performance"]
    assert perf["spans_quotes_f"] > 0 and perf["spans_cues_f"] > 0
    assert 0 < perf["spans_quotes_f"] <= 1


def test_meta_msgpack_cannot_hold_is_kept_as_json_and_reads_back(cli, db_url: str, tmp_path: Path) -> None:
    """Meta that import accepts (integers beyond 64 bits) exports and reads back unchanged, on both backends."""
    meta = {"views": 2**64, "debt": -(2**63) - 1, "digits": int("7" * 300), "tags": ["a", {"b": [1.5, None]}]}
    text = "“We are ready,” said Antony Blinken."
    line = {"id": "d1", "text": text, "meta": meta, "annotator": "alice", "status": "done", "quotes": [], "claims": []}
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(line) + "\n", encoding="utf-8")
    assert cli("import", src, "--dataset", "news", "--db", db_url).exit_code == 0
    out = tmp_path / "news.spacy"
    _export(cli, db_url, out)
    (doc,) = _read(out)
    assert gold_from_doc(doc)["meta"] == {**meta, "source": "in.jsonl"}


def test_deeply_nested_meta_is_kept_as_json(tmp_path: Path) -> None:
    from annotator.io.docbin import add_version
    from annotator.io.tokens import layout_from_offsets

    deep: list = []  # type: ignore[type-arg]
    for _ in range(600):  # msgpack stops at 512 levels
        deep = [deep]
    ann = Annotation("d1", "Some text.", "alice", "done", {"deep": deep})
    docbin = DocBin(store_user_data=True)
    layout = layout_from_offsets(ann.text, [(0, 4), (5, 9), (9, 10)])
    assert layout is not None
    add_version(docbin, ann, layout, "news")
    (back,) = DocBin().from_bytes(docbin.to_bytes()).get_docs(Vocab())
    assert gold_from_doc(back)["meta"] == {"deep": deep}


def _docbin_content(docbin: DocBin) -> dict:  # type: ignore[type-arg]
    """A DocBin's serialized content with its strings as a set (``to_bytes`` lists a set: order varies)."""
    import zlib

    import srsly

    content = srsly.msgpack_loads(zlib.decompress(docbin.to_bytes()))
    content["strings"] = set(content["strings"])
    return content


def _tricky_versions() -> list[Annotation]:
    """Versions that exercise every rule: misaligned and whitespace-only spans, shared cues, one mention with
    two names, overlapping speakers (filter_spans), rejected items, no items, an empty text, meta msgpack
    cannot hold, non-ASCII and emoji."""
    from annotator.scheme import Claim, Quote, SpeakerMention, Span, Stance

    text = "  Blinken said: “We’re ready — 🤝 — to talk,” he said.\n\nLavrov, Sergei Lavrov, added 3 troops. "

    def at(words: str, nth: int = 0) -> tuple[int, int]:
        start = -1
        for _ in range(nth + 1):
            start = text.index(words, start + 1)
        return start, start + len(words)

    def mention(words: str, name: str) -> SpeakerMention:
        return SpeakerMention(*at(words), words, name)

    said = Span(*at("said"), "said")
    quotes = [
        ("q1", (17, 42), "direct", said, mention("Blinken", "Antony Blinken"), Stance("Russia", "favor"), "accepted"),
        ("q2", at("We’re"), "direct", said, mention("Blinken", "A. Blinken"), None, "accepted"),
        ("q3", (30, 33), "indirect", None, mention("he", "Antony Blinken"), None, "accepted"),
        ("q4", at(":"), "direct", None, None, None, "rejected"),
        ("q5", at("3 troops"), "mixed", Span(*at("added"), "added"), mention("Lavrov, Sergei Lavrov", "Sergei Lavrov"),
         None, "accepted"),
        ("q6", at("ready"), "direct", None, mention("Sergei Lavrov", "Sergei Lavrov"), None, "accepted"),
    ]
    built = tuple(Quote(i, s, e, text[s:e], kind, cue, who, stance, status)
                  for i, (s, e), kind, cue, who, stance, status in quotes)
    claims = (Claim("c1", *at("3 troops."), "3 troops.", True, "Sergei Lavrov"),
              Claim("c2", *at("troops"), "troops", False), Claim("c3", 9, 10, " ", True), Claim("c5", 0, 2, "  ", True),
              Claim("c4", *at("said", 1), "said", True, status="rejected"))
    return [
        Annotation("d1", text, "alice", "done", {"source": "x", "n": [1, 2.5, None]}, built, claims),
        Annotation("d2", text, "bob", "flagged", {"big": 2**70}, built[:2], ()),
        Annotation("d3", "Мир.", "alice", "done", {}, (), ()),
        Annotation("d4", "", "alice", "done", {}, (), ()),
        Annotation("d5", text, "carol", "done", {}, (), claims[:1]),
    ]


def test_add_version_stores_what_docbin_add_stores_for_the_docs_the_export_made() -> None:
    """The DocBin written without Docs holds the same tokens, attributes, strings, span groups, ents and
    user data as spaCy's ``DocBin.add`` of the Docs the export built before, and reports the same."""
    import re

    from annotator.io.docbin import add_version, msgpack_encoders_once
    from annotator.io.spacy_config import SpanLengths
    from annotator.io.tokens import ExportReport, Tokenization
    from tests.io.docbin_reference import reference_doc

    tokenizations = [
        lambda text: [m.span() for m in re.finditer(r"\w+|[^\w\s]", text)],  # spans on token boundaries
        lambda text: [m.span() for m in re.finditer(r"\S+", text)],  # glued punctuation: spans expanded
    ]
    for tokenize in tokenizations:
        stock, direct = DocBin(store_user_data=True), DocBin(store_user_data=True)
        reports, lengths = (ExportReport(), ExportReport()), (SpanLengths(), SpanLengths())
        tokens = Tokenization("blank")
        with msgpack_encoders_once():
            for ann in _tricky_versions():
                layout = tokens.layout(ann.text, tokenize(ann.text))
                stock.add(reference_doc(ann, layout, Vocab(), "news", reports[0], lengths[0]))
                add_version(direct, ann, layout, "news", reports[1], lengths[1])
        assert _docbin_content(direct) == _docbin_content(stock)
        assert reports[1].adjusted == reports[0].adjusted and reports[0].adjusted
        assert lengths[1].counts == lengths[0].counts
        docs = list(DocBin().from_bytes(direct.to_bytes()).get_docs(Vocab()))
        assert [d.text for d in docs] == [a.text for a in _tricky_versions()]
        assert [e.text.rstrip(",") for e in docs[0].ents] == ["Blinken", "he", "Lavrov, Sergei Lavrov"]
        assert any(new is None for *_, new in reports[1].adjusted)  # the whitespace-only claim


def test_the_export_attributes_read_back_as_the_same_docs_as_every_attribute() -> None:
    """The export stores only the attributes it sets (EXPORT_ATTRS): the Docs read back are those of a
    DocBin with every attribute: every token attribute, span groups, ents and user data."""
    import re

    import numpy
    from spacy.attrs import IDS

    from annotator.io.docbin import EXPORT_ATTRS, add_version, new_docbin
    from annotator.io.tokens import Tokenization

    full, export = DocBin(store_user_data=True), new_docbin()
    assert export.attrs == [IDS[a] for a in EXPORT_ATTRS]
    for ann in _tricky_versions():
        layout = Tokenization("blank").layout(ann.text, [m.span() for m in re.finditer(r"\w+|[^\w\s]", ann.text)])
        add_version(full, ann, layout, "news")
        add_version(export, ann, layout, "news")
    names = [name for name in IDS if name not in ("SENT_END", "IDX") and not name.startswith("FLAG")]
    for a, b in zip(DocBin().from_bytes(full.to_bytes()).get_docs(Vocab()),
                    DocBin().from_bytes(export.to_bytes()).get_docs(Vocab()), strict=True):
        assert a.text == b.text and a.user_data == b.user_data
        assert numpy.array_equal(a.to_array(names), b.to_array(names))
        assert [(t.is_sent_start, t.whitespace_, t.ent_iob_, t.ent_type_, t.ent_kb_id_) for t in a] == [
            (t.is_sent_start, t.whitespace_, t.ent_iob_, t.ent_type_, t.ent_kb_id_) for t in b]
        assert {k: [(s.start, s.end, s.label_, s.kb_id_, s.id_) for s in g] for k, g in a.spans.items()} == {
            k: [(s.start, s.end, s.label_, s.kb_id_, s.id_) for s in g] for k, g in b.spans.items()}
        assert [(e.start, e.end, e.label_, e.kb_id_) for e in a.ents] == [(e.start, e.end, e.label_, e.kb_id_) for e in b.ents]
        for name in ("SENT_START", "TAG", "DEP", "LEMMA", "MORPH", "ENT_IOB"):
            assert a.has_annotation(name) == b.has_annotation(name), name


def test_msgpack_encoders_are_looked_up_once_inside_the_block_and_as_usual_after() -> None:
    import srsly.msgpack

    from annotator.io.docbin import msgpack_encoders_once

    registry = srsly.msgpack.msgpack_encoders
    before = registry.get_all()
    with msgpack_encoders_once():
        assert registry.get_all() is registry.get_all() and registry.get_all() == before
        assert srsly.msgpack_loads(srsly.msgpack_dumps({"a": [1, "b"]})) == {"a": [1, "b"]}
    assert "get_all" not in vars(registry) and registry.get_all() == before
