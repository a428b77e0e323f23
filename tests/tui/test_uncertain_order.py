"""Active learning: suggestions carry the model's score, `annotate --order uncertain` opens the documents the
model is least sure of first, the side panel shows the score, `--auto-accept T` accepts suggestions scored
at least T when a document opens (each one logged decision)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pytest

from annotator.annotate.order import certainty, ordered
from annotator.annotate.session import AnnotationSession
from annotator.db.repo import Repository
from annotator.scheme import Annotation
from annotator.tui.app import AnnotatorApp
from tests.tui.helpers import (
    DATASET, build_repo, fixed_clock, go_to, gold_annotations, panel, pretend_terminal, settle, status_line,
)

if TYPE_CHECKING:
    from tests.conftest import Cli


def scored(ann: Annotation, scores: dict[str, float]) -> Annotation:
    """The gold items as suggestions, with a score on the items named in ``scores``."""
    return replace(ann, quotes=tuple(replace(q, score=scores.get(q.id)) for q in ann.quotes),
                   claims=tuple(replace(c, score=scores.get(c.id)) for c in ann.claims))


def three_documents(url: str) -> tuple[Repository, list[Annotation]]:
    """A: the model is sure of everything; B: one quote it doubts (q2, 0.35); C: no scores at all."""
    a, b, c = gold_annotations()[:3]
    docs = [scored(a, {q.id: 0.97 for q in a.quotes} | {cl.id: 0.92 for cl in a.claims}),
            scored(b, {q.id: 0.95 for q in b.quotes} | {"q2": 0.35}), c]
    return build_repo(url, docs), docs


def session(repo: Repository, **kwargs: Any) -> AnnotationSession:
    return AnnotationSession(repo, DATASET, "alice", clock=fixed_clock, **kwargs)


def ext_ids(s: AnnotationSession) -> list[str]:
    names = s.document_names()
    return [names[d] for d in s.doc_ids]


def test_the_least_sure_document_comes_first_and_unscored_ones_last(db_url: str) -> None:
    repo, (a, b, c) = three_documents(db_url)
    assert repo.suggestions(DATASET).__next__().quotes[0].score == 0.97  # stored with the suggestions
    assert ext_ids(session(repo)) == [a.doc_id, b.doc_id, c.doc_id]  # as imported, the default
    uncertain = session(repo, order="uncertain")
    assert ext_ids(uncertain) == [b.doc_id, a.doc_id, c.doc_id]
    assert uncertain.state.document.ext_id == b.doc_id  # resumes at the first unfinished one in that order
    uncertain.mark_done()
    assert uncertain.state.document.ext_id == a.doc_id  # and goes on in that order
    assert certainty(c) is None and ordered([3, 1], "as-imported", {}) == [3, 1]


async def test_the_side_panel_shows_the_score_of_the_selected_suggestion(sqlite_url: str) -> None:
    repo, (_a, b, _c) = three_documents(sqlite_url)
    app = AnnotatorApp(session(repo, order="uncertain"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert b.doc_id in status_line(app)  # the least sure document is the one on screen first
        await go_to(pilot, "quotes", "q2")
        shown = panel(app)
        assert "score    0.35" in shown and b.quotes[1].text[:20] in shown
        await go_to(pilot, "quotes", "q1")
        assert "score    0.95" in panel(app)


def test_auto_accept_accepts_confident_suggestions_each_as_one_logged_decision(db_url: str) -> None:
    repo, (_a, b, _c) = three_documents(db_url)
    s = session(repo, order="uncertain", auto_accept=0.9)
    state = s.state
    assert state.document.ext_id == b.doc_id
    statuses = {q.id: q.status for q in state.quotes}
    assert statuses.pop("q2") == "suggested"  # 0.35: left for the annotator
    assert set(statuses.values()) == {"accepted"}
    assert {c.status for c in state.claims} == {"suggested"}  # no score: never auto-accepted
    events = [e for e in repo.events(state.version_id) if e["action"] == "auto_accept"]
    assert sorted(e["item_id"] for e in events) == sorted(f"quotes:{q}" for q in statuses)
    again = session(repo, order="uncertain", auto_accept=0.9)  # opening again decides nothing twice
    assert len([e for e in repo.events(again.state.version_id) if e["action"] == "auto_accept"]) == len(events)


def test_annotate_order_and_auto_accept_on_the_command_line(cli: Cli, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    repo, (a, b, c) = three_documents(sqlite_url)
    pretend_terminal(monkeypatch)
    ran: list[AnnotationSession] = []
    monkeypatch.setattr(AnnotatorApp, "run", lambda self: ran.append(self.session))
    result = cli("annotate", "-d", DATASET, "-a", "carol", "--order", "uncertain", "--auto-accept", "0.9",
                 "--db", sqlite_url)
    assert result.exit_code == 0, result.stderr
    (opened,) = ran
    assert ext_ids(opened) == [b.doc_id, a.doc_id, c.doc_id] and opened.auto_accept == 0.9
    assert [q.status for q in opened.state.quotes].count("suggested") == 1

    bad = cli("annotate", "-d", DATASET, "-a", "carol", "--order", "random", "--db", sqlite_url)
    assert bad.exit_code == 1 and "unknown order 'random'" in bad.stderr and "Traceback" not in bad.stderr
    out_of_range = cli("annotate", "-d", DATASET, "-a", "carol", "--auto-accept", "1.5", "--db", sqlite_url)
    assert out_of_range.exit_code == 2
    helptext = cli("annotate", "--help").stdout
    assert "--order" in helptext and "--auto-accept" in helptext
