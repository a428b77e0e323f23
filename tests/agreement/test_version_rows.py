"""Agreement from plain rows read in SQL (``Repository.version_rows``, ``compute_agreement_rows``: what
`annotator agreement` runs) gives the report computed from the same stored versions read as Annotations,
on SQLite and PostgreSQL: several annotators who disagree on spans, kinds, speakers, stances and claims,
rejected items, a span marked twice in one version, a kind outside the scheme, names differing in case and spacing, versions not done,
documents only one annotator did, a blank document, and batches and chunks of every size."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from annotator.agreement.report import compute_agreement_rows, compute_agreement_streamed
from annotator.db.engine import open_database
from annotator.db.repo import Repository
from annotator.records import ImportRecord
from annotator.scheme import Annotation
from tests.agreement.test_report import random_versions

NAMES = ("ann", "bob", "cy", "dee")


def stored_dataset(url: str) -> Repository:
    """The versions of ``random_versions`` (made importable: distinct texts) plus the odd cases, documents
    stored in a shuffled order (positions are not the ids' order), each version with its item statuses."""
    versions = random_versions(31, 26, NAMES)
    anns: list[Annotation] = []
    for name in NAMES:
        for doc_id, ann in versions[name].items():
            quotes = ann.quotes
            if doc_id >= "d20" and quotes:  # a kind outside the scheme, met late; a name in other spacing
                q = quotes[0]
                speaker = None if q.speaker is None else replace(q.speaker, name=f"  {q.speaker.name.upper()} ")
                quotes = (replace(q, kind="scare", speaker=speaker), *quotes[1:])
            anns.append(replace(ann, text=f"{ann.text} ({doc_id})", quotes=quotes))
    first = next(i for i, a in enumerate(anns) if a.quotes and a.quotes[0].stance is not None)
    q = anns[first].quotes[0]  # the same span twice in one version: the first one's attributes count
    anns[first] = replace(anns[first], quotes=(*anns[first].quotes, replace(q, id="again", stance=None, speaker=None)))
    anns[3] = replace(anns[3], status="flagged")
    anns[7] = replace(anns[7], status="in_progress")
    anns += [Annotation("zz-blank", "  \n ", name, "done") for name in NAMES]
    anns += [Annotation("zz-one", "Only one did this.", "ann", "done")]
    texts = {a.doc_id: a.text for a in anns}
    order = sorted(texts)
    random.Random(4).shuffle(order)
    repo = Repository(open_database(url))
    repo.import_records("ds", [ImportRecord(d, texts[d], {}, "test") for d in order])
    for ann in anns:
        repo.put_version("ds", ann, action="import")
    return repo


@pytest.mark.parametrize("names", [NAMES, ("bob", "ann"), ("ann", "bob", "cy")], ids=["4", "2", "3"])
def test_rows_read_in_sql_give_the_report_of_the_versions_read_as_annotations(db_url: str,
                                                                               names: tuple[str, ...]) -> None:
    repo = stored_dataset(db_url)
    objects = compute_agreement_streamed(repo.versions("ds", status=None), list(names)).to_dict()
    assert objects["documents"]["compared"] >= 15 and objects["documents"]["excluded"]
    assert any(layer["label"] == "scare" for layer in objects["layers"])
    overall = {(x["layer"], x["label"]): x["overall"] for x in objects["layers"]}
    assert 0 < overall[("quotes", None)]["token"]["alpha"] < 1  # the annotators disagree
    assert objects["stance"]["overall"]["matched_quotes"] > 10
    for batch_size, chunk in ((500, 500), (4, 3), (1, 1)):
        rows = compute_agreement_rows(repo.version_rows("ds", status=None, batch_size=batch_size), list(names),
                                      chunk=chunk)
        assert rows.to_dict() == objects
    for layers in (("stance",), ("claims",), ("speakers", "cues")):
        only = compute_agreement_streamed(repo.versions("ds", status=None), list(names), layers).to_dict()
        assert compute_agreement_rows(repo.version_rows("ds", status=None), list(names), layers).to_dict() == only
    done = compute_agreement_streamed(repo.versions("ds"), list(names)).to_dict()
    assert compute_agreement_rows(repo.version_rows("ds"), list(names)).to_dict() == done
    repo.close()


def test_cli_against_gold_and_by_document_stream_to_the_reports_of_all_versions_held(cli, db_url: str) -> None:
    """`agreement --against gold` (one streamed pass per annotator) and `--by-document` (one document's
    versions at a time) print what the computations over every stored version held in memory give."""
    import json

    from annotator.agreement.documents import by_document
    from annotator.agreement.gold import against_gold
    from annotator.agreement.versions import versions_by_annotator

    repo = stored_dataset(db_url)
    for ann in list(repo.versions("ds", annotator="bob")):  # an adjudicated version of bob's documents
        repo.put_version("ds", replace(ann, annotator="gold"), action="import")
    held = versions_by_annotator(repo.versions("ds", status="done"))
    expected = against_gold(held, "gold", list(NAMES)).to_dict()
    assert {a["annotator"] for a in expected["annotators"]} == set(NAMES) and expected["annotators"][0]["documents"]
    out = cli("agreement", "-d", "ds", "--against", "gold", "--json", "--db", db_url)
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout) == json.loads(json.dumps(expected))
    ranked = [d.to_dict() for d in by_document(held, list(NAMES))]
    assert len(ranked) >= 15 and any(d["disputed"] for d in ranked)
    out = cli("agreement", "-d", "ds", "--by-document", "--json", "--db", db_url)
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["documents"] == json.loads(json.dumps(ranked))
    two = cli("agreement", "-d", "ds", "--by-document", "--annotators", "cy,ann", "--json", "--db", db_url)
    assert json.loads(two.stdout)["documents"] == json.loads(json.dumps([d.to_dict() for d in by_document(held, ["cy", "ann"])]))
    repo.close()


@pytest.mark.parametrize("damaged", [b"", b"\x05\xab", b"\x02\x00\x05\x00", "a text, not bytes"],
                         ids=["empty", "unknown-width", "truncated", "text"])
def test_stored_word_bounds_that_are_no_packed_form_are_packed_again_from_the_text(cli, db_url: str,
                                                                                   damaged: bytes | str) -> None:
    """Documents' word bounds are derived data: a value that is not a packed form (written by hand or by
    another tool, truncated) is not trusted, the text is read instead; the report is the one of intact rows
    and `annotator agreement` does not fail."""
    import json

    from sqlalchemy import text as sql

    repo = stored_dataset(db_url)
    expected = compute_agreement_rows(repo.version_rows("ds", status=None), list(NAMES)).to_dict()
    done = compute_agreement_rows(repo.version_rows("ds"), list(NAMES)).to_dict()
    with repo.db.engine.begin() as conn:
        column = "CAST(:bounds AS BYTEA)" if conn.dialect.name == "postgresql" and isinstance(damaged, bytes) else ":bounds"
        if conn.dialect.name == "postgresql" and isinstance(damaged, str):
            column = "convert_to(:bounds, 'UTF8')"  # PostgreSQL keeps the column's type: bytes of a text
        conn.execute(sql(f"UPDATE documents SET word_bounds = {column} WHERE id IN (SELECT min(id) FROM documents)"
                         " OR id IN (SELECT max(id) FROM documents)"), {"bounds": damaged})
    assert compute_agreement_rows(repo.version_rows("ds", status=None), list(NAMES)).to_dict() == expected
    out = cli("agreement", "-d", "ds", "--json", "--db", db_url)
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout) == json.loads(json.dumps(done))
    repo.close()
