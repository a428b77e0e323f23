"""A reviewer resolves disagreements between two annotators; the result is stored as the gold version."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

import pytest

from annotator.db.engine import open_database
from annotator.db.repo import Repository
from annotator.errors import UserError
from annotator.review.session import ReviewSession
from annotator.scheme import Annotation, Claim, Quote
from tests.helpers import write_jsonl

if TYPE_CHECKING:
    from tests.conftest import Cli

T1 = "“Talks were useful,” Blinken said. Lavrov said NATO refused."
T2 = "About 100,000 troops are there, Kyiv said."
T3 = "Nothing was said here."


def line(doc: str, text: str, who: str, quotes: Iterable[Quote] = (), claims: Iterable[Claim] = (),
         status: str = "done") -> dict[str, Any]:
    return Annotation(doc, text, who, status, {}, tuple(quotes), tuple(claims)).to_dict()


def quote(text: str, fragment: str, kind: str = "direct", qid: str = "q1") -> Quote:
    s = text.index(fragment)
    return Quote(qid, s, s + len(fragment), fragment, kind)


@pytest.fixture
def repo(db_url: str, tmp_path: Path, cli: Cli) -> Repository:
    rows = [
        line("d1", T1, "alice", [quote(T1, "Talks were useful"), quote(T1, "NATO refused", "indirect", "q2")]),
        line("d1", T1, "bob", [quote(T1, "Talks were useful"), quote(T1, "NATO refused", "mixed", "q2")]),
        line("d2", T2, "alice", claims=[Claim("c1", 0, 30, T2[:30])]),
        line("d2", T2, "bob"),
        line("d3", T3, "alice"),
        line("d3", T3, "bob"),
        line("d4", "Only alice did this.", "alice"),
    ]
    assert cli("import", write_jsonl(tmp_path / "v.jsonl", rows), "--dataset", "r", "--db", db_url).exit_code == 0
    return Repository(open_database(db_url))


def test_review_walks_disagreements_and_stores_gold(repo: Repository) -> None:
    session = ReviewSession(repo, "r", ["alice", "bob"])
    assert session.skipped_incomplete == ["d4"]
    assert [d.comparison.doc_id for d in session.documents] == ["d1", "d2"]
    assert len(session.agreed_documents) == 1  # d3: both found nothing

    with pytest.raises(UserError, match="1 disagreement"):
        session.finish_document()
    session.take("bob")  # the kind of "NATO refused": mixed
    gold1 = session.finish_document()
    assert [(q.text, q.kind) for q in gold1.quotes] == [("Talks were useful", "direct"), ("NATO refused", "mixed")]

    assert session.current.comparison.doc_id == "d2"
    session.take("alice")
    session.nudge("end", -1)  # drop "there," from the claim
    gold2 = session.finish_document()
    assert gold2.claims[0].text == "About 100,000 troops are"
    assert session.current is None
    assert session.accept_agreed_documents() == 1

    stored = {a.doc_id: a for a in repo.versions("r", annotator="gold")}
    assert sorted(stored) == ["d1", "d2", "d3"]
    assert stored["d1"].to_dict() == gold1.to_dict()
    # Resuming finds nothing left to review.
    again = ReviewSession(repo, "r", ["alice", "bob"])
    assert again.documents == [] and again.already_reviewed == ["d1", "d2", "d3"]


def test_review_needs_two_known_annotators(repo: Repository) -> None:
    with pytest.raises(UserError, match="at least two annotators"):
        ReviewSession(repo, "r", ["alice"])
    with pytest.raises(UserError, match="no versions by 'carol'"):
        ReviewSession(repo, "r", ["alice", "carol"])
    with pytest.raises(UserError, match="cannot also be one of the reviewed"):
        ReviewSession(repo, "r", ["alice", "bob"], target="bob")
