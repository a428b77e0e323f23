"""`annotate --blind`: no model suggestions shown, the annotator marks everything; recorded per version, and
agreement says which of the compared versions were blind (so anchored and unanchored agreement are not mixed up)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from annotator.annotate.session import AnnotationSession
from annotator.db.engine import open_database
from annotator.db.repo import Repository
from annotator.tui.app import AnnotatorApp
from tests.tui.helpers import (
    DATASET,
    build_repo,
    fixed_clock,
    gold_annotations,
    make_session,
    panel,
    pretend_terminal,
    settle,
    status_line,
)

if TYPE_CHECKING:
    from tests.conftest import Cli

ONE = 1  # the sample articles used: the first one


def two_annotators(url: str) -> tuple[Repository, str]:
    """alice annotates the first article blind (one quote of her own), bob accepts the model's suggestions."""
    repo = build_repo(url, gold_annotations()[:ONE])
    alice = AnnotationSession(repo, DATASET, "alice", clock=fixed_clock, blind=True)  # a first opening, blind
    assert alice.state.quotes == () and alice.state.claims == ()
    quote = gold_annotations()[0].quotes[0]
    alice.add_span("quotes", quote.start, quote.end)
    alice.mark_done()
    bob = make_session(repo, "bob")
    assert bob.state.quotes  # bob sees the suggestions
    bob.mark_done()
    return repo, gold_annotations()[0].doc_id


def test_a_blind_version_starts_empty_and_is_recorded_as_blind(db_url: str) -> None:
    repo, doc = two_annotators(db_url)
    assert repo.blind_versions(DATASET) == {"alice": {doc}}
    again = Repository(open_database(db_url))  # a later, non-blind session keeps alice's own version
    session = make_session(again, "alice")
    session.open_document(session.doc_ids[0])
    assert len(session.state.quotes) == 1 and session.state.quotes[0].status == "added"


def test_agreement_lists_the_blind_versions(cli: Cli, db_url: str) -> None:
    repo, doc = two_annotators(db_url)
    result = cli("agreement", "-d", DATASET, "--db", db_url)
    assert result.exit_code == 0, result.stderr
    assert "blind versions (annotated without model suggestions): alice 1 of 1, bob 0 of 1 done documents" \
        in " ".join(result.stdout.split())
    data = json.loads(cli("agreement", "-d", DATASET, "--db", db_url, "--json").stdout)
    assert data["blind"]["versions"] == {"alice": [doc], "bob": []}


def test_annotate_blind_on_the_command_line_opens_without_suggestions(cli: Cli, sample_repo: Repository,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    pretend_terminal(monkeypatch)
    ran = []
    monkeypatch.setattr(AnnotatorApp, "run", lambda self: ran.append(self.session))
    result = cli("annotate", "-d", DATASET, "-a", "carol", "--blind", "--db", sample_repo.db.url)
    assert result.exit_code == 0, result.stderr
    (session,) = ran
    assert session.blind and session.items == []
    assert "--blind" in cli("annotate", "--help").stdout


async def test_the_blind_screen_says_so_and_shows_no_suggestion(sample_repo: Repository) -> None:
    session = AnnotationSession(sample_repo, DATASET, "carol", clock=fixed_clock, blind=True)
    app = AnnotatorApp(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "BLIND" in status_line(app)
        assert "No items in this document." in panel(app)
