"""Agreement collected document by document (annotator.agreement.collect) gives the report the whole-dataset
computation gave: data/streamed_reference.json holds the reports of the fixture computed before streaming
(every version held in memory, all texts joined), and every path must reproduce them exactly."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

import annotator.agreement.collect as collect
from annotator.agreement import compute_agreement
from annotator.agreement.report import compute_agreement_streamed
from annotator.scheme import Annotation
from tests.agreement.streamed_fixture import CASES, fixture_versions, quotes_of
from tests.conftest import Cli

REFERENCE = json.loads((Path(__file__).parent / "data" / "streamed_reference.json").read_text(encoding="utf-8"))


def _stream(versions: dict[str, dict[str, Annotation]], seed: int) -> list[Annotation]:
    """Each document's versions together (annotator order), documents in a shuffled order, as a database
    yields them by position rather than by id."""
    doc_ids = sorted({d for docs in versions.values() for d in docs})
    random.Random(seed).shuffle(doc_ids)
    return [versions[n][d] for d in doc_ids for n in sorted(versions) if d in versions[n]]


@pytest.mark.parametrize("case", CASES, ids=[f"{s}-{n}-{len(a)}" for s, n, a in CASES])
def test_the_report_is_the_one_computed_before_streaming(case: tuple[int, int, tuple[str, ...]]) -> None:
    seed, n_docs, names = case
    versions = fixture_versions(seed, n_docs, names)
    assert {"scare"} <= {q.kind for q in quotes_of(versions)}  # a kind outside the scheme, met late
    expected = REFERENCE[f"{seed}-{n_docs}-{len(names)}"]
    assert compute_agreement(versions).to_dict() == expected
    for chunk in (1, 3, 500):  # chunk boundaries anywhere, or none
        streamed = compute_agreement_streamed(_stream(versions, seed + chunk), list(names), chunk=chunk)
        assert streamed.to_dict() == expected


def test_sparse_token_counts_for_many_annotators_equal_the_dense_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    seed, n_docs, names = CASES[1]
    monkeypatch.setattr(collect, "_DENSE_ANNOTATORS", 0)
    assert compute_agreement(fixture_versions(seed, n_docs, names)).to_dict() == REFERENCE[f"{seed}-{n_docs}-{len(names)}"]


def test_streamed_versions_of_others_are_skipped_and_names_are_checked() -> None:
    seed, n_docs, names = CASES[0]
    versions = fixture_versions(seed, n_docs, names)
    two = compute_agreement(versions, annotators=["bob", "ann"]).to_dict()
    assert compute_agreement_streamed(_stream(versions, 1), ["bob", "ann"]).to_dict() == two
    with pytest.raises(Exception, match="no done documents by annotator.s. 'zed'"):
        compute_agreement_streamed(_stream(versions, 1), ["ann", "zed"])
    with pytest.raises(Exception, match="only 'ann' has any"):
        compute_agreement_streamed(_stream(versions, 1), ["ann"])


def test_cli_agreement_streams_the_database_to_the_report_of_all_versions_held(cli: Cli, db_url: str, tmp_path: Path) -> None:
    """`annotator agreement` (streamed, in chunks) equals compute_agreement over the same stored versions held
    in memory, on SQLite and PostgreSQL; documents are stored in an order that is not their ids' order."""
    from annotator.agreement.versions import versions_by_annotator
    from annotator.db.engine import open_database
    from annotator.db.repo import Repository
    from tests.agreement.streamed_fixture import valid_versions
    from tests.helpers import write_jsonl

    stored = valid_versions(21, 14, ("ann", "bob", "cy"))
    lines = [ann.to_dict() for ann in sorted(stored, key=lambda a: (-int(a.doc_id[1:]), a.annotator or ""))]
    assert cli("import", write_jsonl(tmp_path / "v.jsonl", lines), "-d", "s", "--db", db_url).exit_code == 0
    out = cli("agreement", "-d", "s", "--json", "--db", db_url)
    assert out.exit_code == 0, out.output
    repo = Repository(open_database(db_url))
    held = compute_agreement(versions_by_annotator(repo.versions("s", status="done")))
    assert json.loads(out.stdout) == json.loads(json.dumps(held.to_dict()))
    assert held.documents.compared >= 8


def test_labelled_bits_of_all_annotators_are_each_ones_covered_tokens() -> None:
    """Overlapping, nested, empty and out-of-order spans: bit a of every token is covered_tokens of a's spans."""
    import numpy as np

    from annotator.agreement.metrics import covered_tokens, token_bounds

    rng = random.Random(8)
    for _ in range(200):
        text = " ".join("x" * rng.randint(1, 4) for _ in range(rng.randint(0, 30)))
        ts, te = token_bounds(text)
        spans = []
        for _a in range(rng.randint(1, 5)):
            starts = [rng.randint(0, len(text) + 2) for _ in range(rng.randint(0, 6))]
            ends = [s + rng.randint(-2, 12) for s in starts]
            spans.append((np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64)))
        bits = collect.labelled_bits(ts, te, spans)
        for a, (s, e) in enumerate(spans):
            assert ((bits >> a) & 1).astype(bool).tolist() == covered_tokens(ts, te, s, e).tolist()
