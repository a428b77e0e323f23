"""`agreement --against gold` (each annotator against the adjudicated version) and `--by-document`
(documents by disagreement, the order `review --order disagreement` uses), end to end on both backends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.db.engine import open_database
from annotator.db.repo import Repository
from annotator.review.session import ReviewSession
from annotator.scheme import Annotation, Quote, SpeakerMention, Stance
from tests.helpers import write_jsonl

TEXT = "Lavrov said NATO was a threat. Blinken said talks would go on. Nobody else spoke today at all."


def q(fragment: str, stance: str = "against", speaker: str = "Sergei Lavrov") -> Quote:
    s = TEXT.index(fragment)
    return Quote(f"q{s}", s, s + len(fragment), fragment, "indirect", None,
                 SpeakerMention(0, 6, TEXT[0:6], speaker), Stance("NATO", stance))  # fmt: skip


def line(doc: str, who: str, *quotes: Quote) -> dict:
    """Each document its own text (import skips duplicate texts); the quotes lie in the shared start."""
    return Annotation(doc, f"{TEXT} ({doc})", who, "done", {}, tuple(quotes)).to_dict()


ROWS = [
    # d1: the same quote, bob names another speaker
    line("d1", "alice", q("NATO was a threat")),
    line("d1", "bob", q("NATO was a threat", speaker="Antony Blinken")),
    # d2: bob has one of alice's two quotes, with another stance: both groups disputed
    line("d2", "alice", q("NATO was a threat", "favor"), q("talks would go on", "neutral")),
    line("d2", "bob", q("NATO was a threat", "against")),
    # d3: they agree on two quotes, alice has a third
    line("d3", "alice", q("NATO was a threat"), q("talks would go on"), q("Nobody else spoke")),
    line("d3", "bob", q("NATO was a threat"), q("talks would go on")),
    # the adjudicated version of d1 and d2
    line("d1", "gold", q("NATO was a threat")),
    line("d2", "gold", q("NATO was a threat", "favor"), q("talks would go on", "neutral")),
]


@pytest.fixture
def dataset(cli, db_url: str, tmp_path: Path) -> str:
    assert cli("import", write_jsonl(tmp_path / "v.jsonl", ROWS), "-d", "g", "--db", db_url).exit_code == 0
    return db_url


def test_each_annotator_against_gold(cli, dataset: str) -> None:
    out = cli("agreement", "-d", "g", "--against", "gold", "--json", "--db", dataset)
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["gold"] == "gold" and [a["annotator"] for a in data["annotators"]] == ["alice", "bob"]
    alice, bob = data["annotators"]
    quotes = lambda row: next(x for x in row["layers"] if x["layer"] == "quotes" and x["label"] is None)  # noqa: E731
    assert alice["documents"] == bob["documents"] == 2  # gold did d1 and d2 only
    assert quotes(alice)["exact"] == {"tp": 3, "fp": 0, "fn": 0, "precision": 1.0, "recall": 1.0, "f1": 1.0}
    # bob: 2 of gold's 3 quotes, nothing extra: P 1, R 2/3, F1 0.8
    b = quotes(bob)["overlap"]
    assert (b["precision"], b["recall"], b["f1"]) == (1.0, pytest.approx(2 / 3), pytest.approx(0.8))
    assert alice["speaker"]["accuracy"] == 1.0 and alice["stance"]["accuracy"] == 1.0
    assert bob["speaker"] == {"matched_quotes": 2, "correct": 1, "accuracy": 0.5}  # Blinken on d1
    assert bob["stance"] == {"matched_quotes": 2, "correct": 1, "accuracy": 0.5}  # against on d2

    table = cli("agreement", "-d", "g", "--against", "gold", "--db", dataset)
    assert table.exit_code == 0 and "Against gold" in table.stdout and "50.0%" in table.stdout
    missing = cli("agreement", "-d", "g", "--against", "adjudicated", "--db", dataset)
    assert missing.exit_code == 1 and "'adjudicated'" in missing.stderr and "Traceback" not in missing.output


def test_documents_by_disagreement_and_review_order(cli, dataset: str, monkeypatch) -> None:
    out = cli("agreement", "-d", "g", "--by-document", "--json", "--db", dataset)
    assert out.exit_code == 0, out.output
    docs = json.loads(out.stdout)["documents"]
    # d2: both groups disputed; d1: its one quote has another speaker; d3: one of three groups
    assert [(d["doc_id"], d["items"], d["disputed"]) for d in docs] == [("d2", 2, 2), ("d1", 1, 1), ("d3", 3, 1)]
    assert [d["disagreement"] for d in docs] == [1.0, 1.0, pytest.approx(1 / 3)]
    assert all(d["annotators"] == ["alice", "bob"] for d in docs)  # gold and model are not annotators
    table = cli("agreement", "-d", "g", "--by-document", "--db", dataset)
    assert table.exit_code == 0 and table.stdout.index("d2") < table.stdout.index("d1") < table.stdout.index("d3")

    repo = Repository(open_database(dataset))
    plain = ReviewSession(repo, "g", ["alice", "bob"], target="reviewed")
    ranked = ReviewSession(repo, "g", ["alice", "bob"], target="reviewed", order="disagreement")
    assert sorted(d.comparison.doc_id for d in plain.documents) == ["d1", "d2", "d3"]
    assert [d.comparison.doc_id for d in ranked.documents] == [d["doc_id"] for d in docs]

    seen: list[list[str]] = []
    from annotator.tui import review_app

    monkeypatch.setattr(review_app.ReviewApp, "run", lambda self: seen.append([d.comparison.doc_id for d in self.session.documents]))
    monkeypatch.setattr("annotator.tui.run.terminal_problem", lambda *a, **k: None)  # the app itself is replaced
    result = cli("review", "-d", "g", "--annotators", "alice,bob", "--as", "reviewed", "--order", "disagreement", "--db", dataset)
    assert result.exit_code == 0, result.output
    assert seen == [["d2", "d1", "d3"]]
    bad = cli("review", "-d", "g", "--annotators", "alice,bob", "--order", "vibes", "--db", dataset)
    assert bad.exit_code == 1 and "unknown --order 'vibes'" in bad.stderr
