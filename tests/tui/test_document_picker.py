"""The `g` document list at thousands of documents: it opens on the current document, typing narrows what
is drawn, enter opens the document chosen; only the rows on screen are ever drawn."""

from __future__ import annotations

import pytest

from annotator.db.engine import open_database
from annotator.db.repo import Repository
from annotator.records import ImportRecord
from annotator.tui.app import AnnotatorApp
from annotator.tui.screens.goto import DocumentPicker, DocumentRows, SubstringFilter
from annotator.tui.widgets.rows import RowList
from tests.tui.helpers import make_session, settle, status_line

SIZE = (120, 40)
N = 5_000
CITIES = ("Vienna", "Stockholm", "Brussels", "Warsaw", "Kyiv")


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database of 5,000 short documents ``doc00000``... whose first words name a city and a number."""
    url = f"sqlite:///{tmp_path_factory.mktemp('many') / 'many.db'}"
    repo = Repository(open_database(url))
    repo.import_records("news", (ImportRecord(f"doc{i:05d}", f"{CITIES[i % 5]}:\n talks, round {i}.", {}, "t")
                                 for i in range(N)))
    repo.db.dispose()
    return url


def drawn(app: AnnotatorApp) -> list[str]:
    """The document list's rows as the screen shows them."""
    picker = app.screen
    assert isinstance(picker, DocumentPicker)
    rows = picker.query_one(RowList)
    lines = [rows.render_line(y).text.strip() for y in range(rows.scrollable_content_region.height)]
    return [line for line in lines if line]


async def test_the_list_opens_filters_and_goes_to_the_document_chosen(many: str) -> None:
    session = make_session(Repository(open_database(many)), dataset="news")
    session.jump_to(2499)
    app = AnnotatorApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Document 2500 of 5000" in status_line(app)
        await pilot.press("g")
        await pilot.pause()
        rows = drawn(app)
        # the current document highlighted and in view; titles are the first words on one line
        assert "2500. doc02499  [new]  Kyiv: talks, round 2499." in rows
        assert len(rows) < 25  # a screenful, not 5,000 rows
        await pilot.press(*"stockholm")
        await pilot.pause()
        rows = drawn(app)
        assert rows[0] == "2. doc00001  [new]  Stockholm: talks, round 1."
        assert all("Stockholm" in row for row in rows)
        await pilot.press(*": talks, round 371")  # rounds 371 and 3710-3719, of which three in Stockholm
        await pilot.pause()
        assert drawn(app) == ["372. doc00371  [new]  Stockholm: talks, round 371.",
                              "3712. doc03711  [new]  Stockholm: talks, round 3711.",
                              "3717. doc03716  [new]  Stockholm: talks, round 3716."]
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        assert "Document 3717 of 5000" in status_line(app)
        assert session.state.document.ext_id == "doc03716"
        await pilot.press("f")  # flagged, on to the next one
        await settle(pilot)
        await pilot.press("g")
        await pilot.pause()
        await pilot.press(*"flagged")  # the status is searched too, as it is now
        await pilot.pause()
        assert drawn(app) == ["3717. doc03716  [flagged]  Stockholm: talks, round 3716."]
        await pilot.press("escape")
        await pilot.press("q")


async def test_only_the_rows_on_screen_are_drawn(many: str) -> None:
    session = make_session(Repository(open_database(many)), dataset="news")
    app = AnnotatorApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        labelled: list[int] = []
        label = DocumentRows.label

        def counting(self: DocumentRows, row: int) -> str:
            labelled.append(row)
            return label(self, row)

        DocumentRows.label = counting  # type: ignore[method-assign]
        try:
            await pilot.press("g")
            await pilot.pause()
            await pilot.press(*"doc0")
            await pilot.pause()
            await pilot.press("backspace")
            await pilot.pause()
        finally:
            DocumentRows.label = label  # type: ignore[method-assign]
        assert labelled and len(set(labelled)) <= 40  # the first screenful, of 5,000 matching rows
        await pilot.press("escape")
        await pilot.press("q")


def test_the_filter_narrows_and_remembers_without_changing_results() -> None:
    keys = [f"doc{i} {CITIES[i % 5]}".casefold() for i in range(300)]
    filt = SubstringFilter(keys)
    for typed in ("d", "do", "doc1", "doc12", "doc1", "  VIENNA ", "vie", "oc2 ky", ""):
        needle = typed.strip().casefold()
        assert list(filt.matching(typed)) == [i for i, k in enumerate(keys) if needle in k], typed


async def test_the_list_opens_at_once_and_shows_the_rows_when_read_filtered_by_what_was_typed(
    many: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from annotator.tui.screens import goto

    session = make_session(Repository(open_database(many)), dataset="news")
    reading = threading.Event()
    titles = type(session).document_titles

    def slow(self: object) -> dict[int, tuple[str, str]]:
        reading.wait(10)  # held until the test lets the read finish
        return titles(self)  # type: ignore[arg-type]

    monkeypatch.setattr(type(session), "document_titles", slow)
    monkeypatch.setattr(goto, "prefetch", lambda session: None)  # as if g came before the background load
    monkeypatch.setattr("annotator.tui.screens.annotate.prefetch", lambda session: None)
    app = AnnotatorApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, DocumentPicker)
        assert picker.query_one("#picker-input").placeholder == goto.LOADING and drawn(app) == []
        await pilot.press(*"round 4999")
        reading.set()
        for _ in range(200):
            await pilot.pause(0.02)
            if drawn(app):
                break
        assert drawn(app) == ["5000. doc04999  [new]  Kyiv: talks, round 4999."]
        await pilot.press("enter")
        await settle(pilot)
        assert "Document 5000 of 5000" in status_line(app)
        await pilot.press("q")


async def test_a_list_that_cannot_be_read_says_so_in_the_picker(many: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from annotator.errors import DatabaseError
    from annotator.tui.screens import goto

    session = make_session(Repository(open_database(many)), dataset="news")

    def broken(self: object) -> dict[int, tuple[str, str]]:
        raise DatabaseError("database is locked")

    monkeypatch.setattr(type(session), "document_titles", broken)
    monkeypatch.setattr("annotator.tui.screens.annotate.prefetch", lambda session: None)
    app = AnnotatorApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g")
        for _ in range(100):
            await pilot.pause(0.02)
            if "could not" in app.screen.query_one("#picker-input").placeholder:
                break
        assert app.screen.query_one("#picker-input").placeholder == \
            "the document list could not be read: database is locked"
        await pilot.press("escape")
        assert not isinstance(app.screen, goto.DocumentPicker)
        await pilot.press("q")
