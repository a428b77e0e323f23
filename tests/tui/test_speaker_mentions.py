"""`s` changes who said it: the name AND the mention in the text, and the claims inside the quote follow."""

from __future__ import annotations

from textual.pilot import Pilot

from annotator.db.repo import Repository
from annotator.records import Item
from annotator.scheme import Quote
from annotator.tui.app import AnnotatorApp
from annotator.tui.screens.dialogs import PickerScreen
from tests.tui.helpers import go_to, make_session, panel, settle

SIZE = (120, 40)


def stored(repo: Repository, version_id: int, layer: str, item_id: str) -> Item:
    version = repo.get_version(version_id)
    return next(it for it in (version.quotes if layer == "quotes" else version.claims) if it.id == item_id)


async def pick(pilot: Pilot[None], typed: str) -> None:
    await pilot.press("s")
    assert isinstance(pilot.app.screen, PickerScreen)
    await pilot.press(*typed, "enter")
    await settle(pilot)


async def test_a_new_name_moves_the_mention_to_that_speaker_and_the_claims_follow(sample_repo: Repository) -> None:
    session = make_session(sample_repo)
    app = AnnotatorApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        quote, claim = next((q, c) for q in session.state.quotes for c in session.state.claims
                            if q.speaker and q.speaker.text == "Mr Lavrov" and q.start <= c.start and c.end <= q.end)
        assert claim.speaker == "Sergey Lavrov"
        await go_to(pilot, "quotes", quote.id)
        await pick(pilot, "Antony Bl")  # the filter keeps the name (and mentions of it); enter takes the name
        vid = session.state.version_id
        moved = stored(sample_repo, vid, "quotes", quote.id)
        assert moved.speaker.name == "Antony Blinken"
        assert "Blinken" in moved.speaker.text and moved.speaker.start != quote.speaker.start  # not "Mr Lavrov"
        assert stored(sample_repo, vid, "claims", claim.id).speaker == "Antony Blinken"
        assert "Antony Blinken" in panel(app)


async def test_a_pronoun_mention_stays_and_only_its_name_changes(sample_repo: Repository) -> None:
    session = make_session(sample_repo)
    session.jump_to(1)
    app = AnnotatorApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        quote = next(q for q in session.state.quotes if q.speaker and q.speaker.text == "he")
        await go_to(pilot, "quotes", quote.id)
        await pick(pilot, "Antony Bl")
        moved = stored(sample_repo, session.state.version_id, "quotes", quote.id)
        assert (moved.speaker.start, moved.speaker.text, moved.speaker.name) == \
            (quote.speaker.start, "he", "Antony Blinken")


async def test_a_mention_picked_from_the_list_repoints_the_quote(sample_repo: Repository) -> None:
    session = make_session(sample_repo)
    app = AnnotatorApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        quote = next(q for q in session.state.quotes if q.speaker and q.speaker.text == "Mr Lavrov")
        target = min((q.speaker for q in session.state.quotes if q.speaker and q.speaker.text == "Mr Blinken"),
                     key=lambda m: m.start)
        await go_to(pilot, "quotes", quote.id)
        await pilot.press("s")
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        labels = [label for _, label in picker.choices]
        assert any(label.startswith("“Mr Blinken” = Antony Blinken") for label in labels)
        await pilot.press(*"Mr Blinken", "enter")  # a mention entry (the name's entry does not say "Mr")
        await settle(pilot)
        moved = stored(sample_repo, session.state.version_id, "quotes", quote.id)
        assert isinstance(moved, Quote)
        assert (moved.speaker.start, moved.speaker.end, moved.speaker.name) == \
            (target.start, target.end, "Antony Blinken")
