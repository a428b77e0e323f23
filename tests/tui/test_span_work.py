"""Span work at speed: search, select mode from where the reader is, extend to a clause or sentence end,
boundaries by words (the same words in the annotation and the review screen), cue and speaker
boundaries moved and removed. The goal of issue 17: a missed indirect quote with its cue and speaker in
at most 12 keys on a sample article."""

from __future__ import annotations

from dataclasses import replace

import pytest

from annotator.db.repo import Repository
from annotator.scheme import Annotation, Quote
from annotator.tui.app import AnnotatorApp
from annotator.words import end_of, move_edge, sentence_starts, words
from tests.tui.helpers import (
    build_repo,
    go_to,
    gold_annotations,
    make_session,
    notifications,
    panel,
    screen_of,
    settle,
)

SIZE = (120, 40)
MISSED = "that NATO refused to consider proposals to deescalate tensions to prevent further dangerous incidents"


def without_the_lavrov_quote(url: str) -> tuple[Repository, Quote]:
    """The sample articles as suggestions, except the model missed "Lavrov said that NATO refused ..."."""
    anns = gold_annotations()
    doc = anns[1]
    missed = next(q for q in doc.quotes if q.text == MISSED)
    anns[1] = replace(doc, quotes=tuple(q for q in doc.quotes if q is not missed))
    return build_repo(url, anns), missed


async def test_a_missed_indirect_quote_with_cue_and_speaker_takes_12_keys(sqlite_url: str) -> None:
    repo, missed = without_the_lavrov_quote(sqlite_url)
    session = make_session(repo)
    session.jump_to(1)
    app = AnnotatorApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # the annotator has just looked at the quote before it (Blinken's "It's now on Russia ...")
        before = max((q for q in session.state.quotes if q.end < missed.start), key=lambda q: q.end)
        await go_to(pilot, "quotes", before.id)
        keys: list[str] = []

        async def press(*pressed: str) -> None:
            keys.extend(pressed)
            await pilot.press(*pressed)

        await press("v", "right_parenthesis")  # select mode where I am; the next sentence: "Lavrov"
        await press("w", "w", "space", "E")  # from "that" to the end of the sentence
        await press("q")
        await settle(pilot)
        await press("v", "left_parenthesis", "s")  # back to the sentence's first word: the speaker
        await settle(pilot)
        await press("v", "c")  # the word after the speaker: the cue
        await settle(pilot)
        assert len(keys) <= 12, keys
        added = next(q for q in session.state.quotes if q.status == "added")
        assert (added.start, added.end, added.text, added.kind) == (missed.start, missed.end, missed.text, "indirect")
        assert added.cue is not None and added.cue.text == "said"
        assert added.speaker is not None and (added.speaker.text, added.speaker.name) == ("Lavrov", "Sergey Lavrov")
        stored = repo.get_version(session.state.version_id)
        assert next(q for q in stored.quotes if q.id == added.id) == added
        assert "said" in panel(app) and "Sergey Lavrov" in panel(app)


async def test_search_selects_matches_n_and_N_walk_them_and_a_miss_is_said(sample_repo: Repository) -> None:
    session = make_session(sample_repo)
    app = AnnotatorApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        article = screen_of(app).article
        text = session.state.document.text
        hits = [i for i in range(len(text)) if text.lower().startswith("lavrov", i)]
        assert len(hits) >= 3
        await pilot.press("slash", *"lavrov", "enter")
        assert article.selecting and article.selection() == (hits[0], hits[0] + 6)
        await pilot.press("n")
        assert article.selection() == (hits[1], hits[1] + 6)
        await pilot.press("N", "N")  # back past the first one: wraps to the last
        assert article.selection() == (hits[-1], hits[-1] + 6)
        await pilot.press("escape", "slash", *"zebra crossing", "enter")
        assert ("warning", "not found: zebra crossing") in notifications(app)
        assert not article.selecting


async def test_v_starts_where_the_reader_last_moved(sample_repo: Repository) -> None:
    session = make_session(sample_repo)
    app = AnnotatorApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        article = screen_of(app).article
        await pilot.press("j", "j")
        item = screen_of(app).selected_item
        await pilot.press("v")
        assert article.tokens[article.cursor][0] == item.start  # moved to an item: v starts on it
        await pilot.press("w", "w", "escape")
        third = article.tokens[article.cursor]
        await pilot.press("v")  # the cursor, not the selected item
        assert article.tokens[article.cursor] == third and article.selection() == third


def test_words_keep_dates_and_possessives_whole_and_leave_punctuation_out() -> None:
    text = " date 2021-12-02 During “Russia’s (NATO) allies,” he said. Next one! And: more"
    assert [text[a:b] for a, b in words(text)] == [
        "date", "2021-12-02", "During", "Russia’s", "NATO", "allies", "he", "said", "Next", "one", "And", "more"]
    # "]" over "date 2021-12-02 " is one press per word, not one per token
    start = text.index("date")
    assert move_edge(words(text), start, start + 4, "start", 1)[0] == text.index("2021")
    assert move_edge(words(text), start, start + 4, "start", 2)[0] == text.index("During")
    assert [text[s:s + 4] for s in sentence_starts(text)] == ["date", "Next", "And:"]
    assert text[start:end_of(text, start)] == " ".join(text[start:].split(".")[0].split())  # to "said", not "."
    assert text[text.index("he"):end_of(text, text.index("he"), clause=True)] == "he said"
    assert text[start:end_of(text, start, clause=True)] == "date 2021-12-02 During “Russia’s (NATO) allies"


@pytest.mark.parametrize("edge, delta", [("start", 1), ("start", 2), ("end", 1), ("end", -1)])
def test_brackets_move_the_same_in_the_annotation_and_the_review_screen(sqlite_url: str, edge: str,
                                                                           delta: int) -> None:
    """One "move one word" for both screens: the same key gives the same span in annotate and review."""
    from annotator.review.session import ReviewSession

    text = " date 2021-12-02 Lavrov said the talks, in Stockholm, were “useful” for both sides. Then more."
    s, e = text.index("date"), text.index(", in")
    ann = Annotation("d1", text, "model", "done", {}, (Quote("q1", s, e, text[s:e], "indirect"),), ())
    repo = build_repo(sqlite_url, [ann])
    session = make_session(repo, "carol")  # not one of the reviewed annotators
    key = session.key(session.items[0])
    moved = next(q for q in session.move_boundary(edge, delta, key).quotes if q.id == "q1")

    for name in ("alice", "bob"):  # two annotators who disagree on q1, for the review screen
        other = make_session(repo, name)
        if name == "bob":
            other.reject(other.key(other.items[0]))
        other.mark_done()
    review = ReviewSession(repo, "news", ["alice", "bob"])
    review.take("alice")
    review.nudge(edge, delta)
    doc = review.current
    assert doc is not None
    resolved = doc.resolutions[review.item_index]
    assert resolved is not None and (resolved.start, resolved.end) == (moved.start, moved.end)


async def test_cue_and_speaker_boundaries_move_and_can_be_removed(sample_repo: Repository) -> None:
    session = make_session(sample_repo)
    app = AnnotatorApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        quote = next(q for q in session.items if isinstance(q, Quote) and q.cue and q.speaker
                     and q.speaker.text == "Mr Blinken")
        await go_to(pilot, "quotes", quote.id)
        await pilot.press("p")  # the brackets now move the cue
        assert "◂ [ ] { }" in panel(app).split("cue")[1].split("\n")[0]
        await pilot.press("p", "left_square_bracket")  # the speaker: its start one word left
        await settle(pilot)
        moved = screen_of(app).selected_item
        assert moved.speaker.start < quote.speaker.start and moved.speaker.text.endswith(" Mr Blinken")
        await pilot.press("right_square_bracket")  # and back
        await settle(pilot)
        assert screen_of(app).selected_item.speaker.text == "Mr Blinken"
        await pilot.press("right_square_bracket")  # "Blinken" alone, the same canonical name
        await settle(pilot)
        assert (screen_of(app).selected_item.speaker.text, screen_of(app).selected_item.speaker.name) == \
            ("Blinken", quote.speaker.name)
        await pilot.press("backspace")
        await settle(pilot)
        assert screen_of(app).selected_item.speaker is None and screen_of(app).selected_item.status == "edited"
        await pilot.press("p", "p", "delete")  # p cycles speaker -> quote -> cue: the cue goes too
        await settle(pilot)
        stored = repo_quote(sample_repo, session.state.version_id, quote.id)
        assert stored.cue is None and stored.speaker is None
        await pilot.press("u")  # undo brings the cue back
        await settle(pilot)
        assert repo_quote(sample_repo, session.state.version_id, quote.id).cue == quote.cue


def repo_quote(repo: Repository, version_id: int, quote_id: str) -> Quote:
    return next(q for q in repo.get_version(version_id).quotes if q.id == quote_id)
