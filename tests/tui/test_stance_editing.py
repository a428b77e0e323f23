"""A stance can be removed (key 0, or "none" in the target picker) and `t` can add a dataset target."""

from __future__ import annotations

from annotator.db.repo import Repository
from annotator.scheme import Stance
from annotator.tui.app import AnnotatorApp
from annotator.tui.screens.dialogs import PickerScreen
from tests.tui.helpers import DATASET, go_to, make_session, panel, quit_app, screen_of, settle

SIZE = (120, 40)


def stance_of(repo: Repository, quote_id: str) -> Stance | None:
    ann = next(a for a in repo.versions(DATASET, annotator="alice", status=None))
    return next(q for q in ann.quotes if q.id == quote_id).stance


async def test_remove_a_stance_with_0_or_the_none_entry(sample_repo: Repository) -> None:
    session = make_session(sample_repo)
    app = AnnotatorApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go_to(pilot, "quotes", "q1")
        assert screen_of(app).selected_item.stance is not None
        await pilot.press("0")
        await settle(pilot)
        assert stance_of(sample_repo, "q1") is None and screen_of(app).selected_item.status == "edited"
        assert "target   -" in panel(app) and "stance   -" in panel(app)
        await pilot.press("u")  # undo brings it back
        await settle(pilot)
        assert stance_of(sample_repo, "q1") is not None
        await pilot.press("t")
        assert isinstance(app.screen, PickerScreen)
        await pilot.press("home")
        app.screen.query_one("OptionList").highlighted = 0  # the first entry: none
        await pilot.press("enter")
        await settle(pilot)
        assert stance_of(sample_repo, "q1") is None
        await quit_app(pilot)


async def test_t_adds_a_new_target_to_the_dataset(sample_repo: Repository) -> None:
    session = make_session(sample_repo)
    app = AnnotatorApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go_to(pilot, "quotes", "q4")
        await pilot.press("t", *"OSCE", "enter")
        await settle(pilot)
        assert stance_of(sample_repo, "q4").target == "OSCE"
        assert "OSCE" in sample_repo.get_dataset(DATASET).stance_targets  # for everyone, from now on
        await go_to(pilot, "quotes", "q10")  # no stance yet: a label asks for the target
        await pilot.press("2")
        await pilot.press(*"osce", "enter")  # the new target is a choice now (no second copy)
        await settle(pilot)
        assert stance_of(sample_repo, "q10").to_dict() == {"target": "OSCE", "label": "against"}
        assert sample_repo.get_dataset(DATASET).stance_targets.count("OSCE") == 1
        await quit_app(pilot)
    assert "OSCE" in make_session(sample_repo).targets
