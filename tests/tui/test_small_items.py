"""The smaller items of issue 17.9, each as a user meets it: the document list, the time shown, the picker
without colour, the command palette's key names, the review panel."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from annotator.annotate.session import AnnotationSession
from annotator.db.engine import open_database
from annotator.db.repo import Repository
from annotator.review.session import ReviewSession
from annotator.scheme import Annotation, Quote, SpeakerMention
from annotator.tui.app import AnnotatorApp
from annotator.tui.review_app import ReviewApp
from annotator.tui.screens.goto import DocumentPicker
from annotator.tui.widgets.rows import RowList
from tests.helpers import write_jsonl
from tests.tui.helpers import DATASET, build_repo, make_session, settle

if TYPE_CHECKING:
    from tests.conftest import Cli

SIZE = (120, 40)
TEXTS = {"art10": "Talks in Vienna ended early.", "art11": "Sanctions were discussed again.",
         "art1": "A quiet day in Brussels."}


def articles(url: str) -> Repository:
    return build_repo(url, [Annotation(doc, text, "model", "done", {}) for doc, text in TEXTS.items()])


def options(app: AnnotatorApp) -> list[str]:
    """The document list's rows as drawn."""
    picker = app.screen
    assert isinstance(picker, DocumentPicker)
    rows = picker.query_one(RowList)
    return [rows.render_line(y).text.rstrip() for y in range(len(rows.shown))]


async def test_the_document_list_filters_on_ids_and_words_never_on_row_numbers(sqlite_url: str) -> None:
    app = AnnotatorApp(make_session(articles(sqlite_url)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g")
        shown = options(app)
        assert shown[1].startswith("   2. art11  [new]  Sanctions were discussed again.")  # more than id and status
        await pilot.press("3")  # row 3 is art1: "3" is in no id, status or text
        assert options(app) == []
        await pilot.press("backspace", *"Brussels", "enter")
        await settle(pilot)
        assert app.session.state.document.ext_id == "art1"


async def test_the_picker_highlight_is_underlined_without_colour(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = AnnotatorApp(make_session(articles(sqlite_url)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g")
        rows = app.screen.query_one(RowList)
        first, second = (rows.render_line(y) for y in (0, 1))
        assert "art10" in first.text and any(seg.style and seg.style.underline for seg in first)
        assert not any(seg.style and seg.style.underline for seg in second if seg.text.strip())


async def test_the_command_palette_names_bracket_keys_as_typed(sqlite_url: str) -> None:
    app = AnnotatorApp(make_session(articles(sqlite_url)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        helps = {c.title: c.help for c in app.get_system_commands(app.screen)}
        assert helps["End one word left"] == "key: {" and helps["Start one word right"] == "key: ]"
        assert not any("bracket" in (h or "") for h in helps.values())


def test_the_time_shown_counts_an_idle_gap_as_at_most_five_minutes(sqlite_url: str) -> None:
    """The header and the event log agree: an hour away from the keyboard is not an hour of work."""
    now = [0.0]
    text = "Lavrov said the talks were useful."
    repo = build_repo(sqlite_url, [Annotation("d1", text, "model", "done", {}, (
        Quote("q1", 12, 33, text[12:33], "indirect", None, SpeakerMention(0, 6, "Lavrov", "Sergey Lavrov")),))])
    session = AnnotationSession(repo, DATASET, "alice", clock=lambda: now[0])
    now[0] = 40.0
    session.accept(session.key(session.items[0]))
    assert session.progress().seconds == 40.0
    now[0] = 40.0 + 3600  # an hour's break
    assert session.progress().seconds == 40.0 + 300


async def test_review_shows_no_offsets_and_marks_the_fields_that_differ(sqlite_url: str, tmp_path: Path,
                                                                        cli: Cli) -> None:
    text = "Lavrov said NATO refused to talk, Blinken said."
    s = text.index("NATO")
    rows = [Annotation("d1", text, name, "done", {}, (Quote("q1", s, s + 12, text[s:s + 12], kind),)).to_dict()
            for name, kind in (("alice", "indirect"), ("bob", "mixed"))]
    assert cli("import", write_jsonl(tmp_path / "v.jsonl", rows), "-d", "r", "--db", sqlite_url).exit_code == 0
    app = ReviewApp(ReviewSession(Repository(open_database(sqlite_url)), "r", ["alice", "bob"]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = str(app.query_one("#options").render())
        assert f"[{s}, " not in shown and f"{s}-" not in shown  # no raw offsets
        assert "≠ kind: indirect" in shown and "≠ kind: mixed" in shown
        assert "  NATO refused" in shown and "≠ NATO refused" not in shown  # the same span: not marked


async def test_opening_a_document_does_not_mark_it_in_progress(sqlite_url: str) -> None:
    repo = articles(sqlite_url)
    app = AnnotatorApp(make_session(repo))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g", *"Sanctions", "enter")  # look at art11, decide nothing
        await settle(pilot)
        await pilot.press("g")
        shown = options(app)
        assert shown[0].startswith("   1. art10  [new]") and shown[1].startswith("   2. art11  [new]")
        await pilot.press("escape")
    versions = {v.doc_id: v.status for v in repo.versions(DATASET, status=None)}
    assert versions == {"art10": "new", "art11": "new"}
    session = make_session(repo)
    text = TEXTS["art10"]
    state = session.add_span("quotes", 0, text.index(" ended"))  # the first decision: now it is work
    assert state.status == "in_progress"


async def test_a_bidi_override_is_shown_as_a_direction_symbol_in_the_article_and_the_panel(sqlite_url: str) -> None:
    """U+202E (shows text reversed) is neither obeyed nor shown as the "broken encoding" mark �."""
    text = "Lavrov said \u202ethe talks\u202c were useful."
    s, e = text.index("\u202e"), text.index(" were")
    repo = build_repo(sqlite_url, [Annotation("d1", text, "model", "done", {}, (
        Quote("q1", s, e, text[s:e], "indirect"),))])
    app = AnnotatorApp(make_session(repo))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        from tests.tui.helpers import article_lines, panel

        shown = " ".join(article_lines(app))
        assert "said ⇆the talks⇆ were" in shown and "\u202e" not in shown and "�" not in shown
        assert "⇆the talks⇆" in panel(app)  # the side panel shows it the same way
