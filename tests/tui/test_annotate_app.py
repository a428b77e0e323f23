"""A whole annotation session driven through the keyboard with Pilot, asserted in the database."""

from __future__ import annotations

from textual.geometry import Region

from annotator.db.repo import Repository
from annotator.scheme import Annotation, Claim, Quote
from annotator.tui.app import AnnotatorApp
from annotator.tui.screens.dialogs import ConfirmScreen, PickerScreen
from annotator.tui.screens.goto import DocumentPicker
from annotator.tui.widgets.article import ArticleView
from tests.tui.helpers import (
    DATASET,
    article_lines,
    go_to,
    make_session,
    notifications,
    panel,
    quit_app,
    screen_of,
    select_words,
    settle,
    speakers,
    status_line,
)

SIZE = (120, 40)


def stored(repo: Repository, ext_id: str, annotator: str = "alice") -> tuple[Annotation, dict[str, Quote], dict[str, Claim]]:
    """The stored version of one document (every status), items by id."""
    for ann in repo.versions(DATASET, annotator=annotator, status=None):
        if ann.doc_id == ext_id:
            return ann, {q.id: q for q in ann.quotes}, {c.id: c for c in ann.claims}
    raise AssertionError(f"no version of {ext_id}")


async def test_a_whole_session_through_the_keyboard(sample_repo: Repository) -> None:
    repo = sample_repo
    session = make_session(repo)
    doc0 = "000_60b67c4313700902"
    app = AnnotatorApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Document 1 of 5" in status_line(app) and doc0 in status_line(app)
        assert "items decided 0/20" in status_line(app)
        text = session.state.document.text

        # navigate: the first item in text order is claim c1, j goes on to quote q1, k comes back
        assert (screen_of(app).selected.layer, screen_of(app).selected.id) == ("claims", "c1")
        await pilot.press("j")
        assert screen_of(app).selected.id == "q1" and "QUOTE 2 of 20" in panel(app)
        assert "Antony Blinken" in panel(app) and "Mr Blinken" in panel(app) and "against" in panel(app)
        await pilot.press("k", "down")
        assert screen_of(app).selected.id == "q1"

        # accept q1 (the selection moves on to c2), reject c2
        await pilot.press("a")
        assert screen_of(app).selected.id == "c2"
        await pilot.press("x")
        await settle(pilot)
        _, quotes, claims = stored(repo, doc0)
        assert quotes["q1"].status == "accepted" and claims["c2"].status == "rejected"
        assert "items decided 2/20" in status_line(app) and "✓ saved" in status_line(app)

        # edit boundaries of q1: start one word right, then undo, redo, undo
        await go_to(pilot, "quotes", "q1")
        await pilot.press("right_square_bracket")
        await settle(pilot)
        _, quotes, _ = stored(repo, doc0)
        assert quotes["q1"].text.startswith("am deeply concerned") and quotes["q1"].status == "edited"
        await pilot.press("u")
        await settle(pilot)
        _, quotes, _ = stored(repo, doc0)
        assert quotes["q1"].text.startswith("I am deeply") and quotes["q1"].status == "accepted"
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert stored(repo, doc0)[1]["q1"].text.startswith("am deeply")
        await pilot.press("u")
        await settle(pilot)
        # the end of q1 one word to the right skips the closing mark (never the edge of a direct quote)
        # and takes the next word in; one to the left gives it back
        end = stored(repo, doc0)[1]["q1"].end
        await pilot.press("right_curly_bracket")
        await settle(pilot)
        assert stored(repo, doc0)[1]["q1"].text.endswith("troops,” Mr")
        await pilot.press("left_curly_bracket")
        await settle(pilot)
        assert stored(repo, doc0)[1]["q1"].end == end

        # reject q3, then add it again from a keyboard selection that includes the quotation marks,
        # with its cue and speaker (the mention resolves to the canonical name already in the article)
        await go_to(pilot, "quotes", "q3")
        await pilot.press("x")
        await settle(pilot)
        await go_to(pilot, "quotes", "q3")
        q3 = screen_of(app).selected_item
        await select_words(pilot, q3.start - 1, q3.end + 1)
        await pilot.press("q")  # in select mode q adds a quote (it does not quit)
        await settle(pilot)
        added = screen_of(app).selected_item
        assert added.status == "added" and added.kind == "direct"
        assert (added.start, added.end) == (q3.start, q3.end)  # quotation marks trimmed
        cue_at = text.index("argued", q3.start - 40)
        await select_words(pilot, cue_at, cue_at + len("argued"))
        await pilot.press("c")
        await settle(pilot)
        mention_at = text.index("The US Secretary of State argued")
        await select_words(pilot, mention_at, mention_at + len("The US Secretary of State"))
        await pilot.press("s")
        await settle(pilot)
        _, quotes, _ = stored(repo, doc0)
        new = quotes[added.id]
        assert new.status == "added" and new.cue.text == "argued"
        assert (new.speaker.text, new.speaker.name) == ("The US Secretary of State", "Antony Blinken")
        assert quotes["q3"].status == "rejected"

        # add a claim on a sentence nobody marked
        sentence = "The ambition of Swedish diplomacy is to adopt a document"
        at = text.index(sentence)
        await go_to(pilot, "quotes", "q10")  # select mode starts at the selected item: start near
        await select_words(pilot, at, at + len(sentence))
        await pilot.press("l")
        await settle(pilot)
        claim = screen_of(app).selected_item
        assert claim.text == sentence and claim.status == "added"

        # reassign speakers: q5 to an existing name picked from the list, q7 to a new name
        await go_to(pilot, "quotes", "q5")
        await pilot.press("s")
        assert isinstance(app.screen, PickerScreen)
        await pilot.press(*"blinken", "enter")
        await go_to(pilot, "quotes", "q7")
        await pilot.press("s")
        await pilot.press(*"Maria Zakharova", "enter")
        await settle(pilot)
        _, quotes, _ = stored(repo, doc0)
        # the mention follows the name (issue 17.5): not "Mr Lavrov" named Antony Blinken
        assert quotes["q5"].speaker.name == "Antony Blinken" and quotes["q5"].speaker.text == "Mr Blinken"
        assert quotes["q7"].speaker.name == "Maria Zakharova" and quotes["q7"].status == "edited"
        assert "Maria Zakharova  1" in speakers(app)

        # stance: a label on a quote without stance asks for the target first; kind d/i/m
        await go_to(pilot, "quotes", "q10")
        await pilot.press("2")
        assert isinstance(app.screen, PickerScreen)
        await pilot.press(*"NATO", "enter")
        await pilot.press("i")
        await go_to(pilot, "quotes", "q1")
        await pilot.press("1")  # q1 has a target: only the label changes
        await go_to(pilot, "quotes", "q4")
        await pilot.press("t")
        await pilot.press(*"ukr", "enter")
        await settle(pilot)
        _, quotes, _ = stored(repo, doc0)
        assert quotes["q10"].stance.to_dict() == {"target": "NATO", "label": "against"}
        assert quotes["q10"].kind == "indirect"
        assert quotes["q1"].stance.to_dict() == {"target": "Russia", "label": "favor"}
        assert quotes["q4"].stance.to_dict() == {"target": "Ukraine", "label": "against"}

        # accept all remaining (after a confirmation), then done: on to the next document
        await pilot.press("A")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        ann, quotes, claims = stored(repo, doc0)
        assert not [i for i in (*quotes.values(), *claims.values()) if i.status == "suggested"]
        await pilot.press("n")
        await settle(pilot)
        assert stored(repo, doc0)[0].status == "done"
        assert "Document 2 of 5" in status_line(app) and "done 1/5" in status_line(app)
        first_of_doc1 = screen_of(app).selected
        await pilot.press("a")
        await settle(pilot)
        await quit_app(pilot)
    assert not app.is_running

    doc1 = "001_2542be5c2290e7b5"
    _, q1, c1 = stored(repo, doc1)
    items = {**q1, **c1}
    assert items[first_of_doc1.id].status == "accepted"
    events = repo.events(session.state.version_id)
    assert [e["action"] for e in events] == ["open", "accept"]

    # the event log of document 000 has every decision, in the order of the keys
    v0 = repo.open_version(repo.document_id(DATASET, doc0), "alice").version_id
    actions = [e["action"] for e in repo.events(v0)]
    assert actions[:9] == ["open", "accept", "reject", "move_start", "undo", "redo", "undo", "move_end", "move_end"]
    assert actions[-1] == "status" and "accept_all" in actions and actions.count("add") == 2

    # reopen: resume at the first unfinished document with the earlier decision shown; undo survives
    session2 = make_session(repo)
    app2 = AnnotatorApp(session2)
    async with app2.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Document 2 of 5" in status_line(app2) and "items decided 1/" in status_line(app2)
        assert repo.history(session2.state.version_id) == (True, False)
        await pilot.press("u")
        await settle(pilot)
        assert "items decided 0/" in status_line(app2)
        await quit_app(pilot)
    _, q1, c1 = stored(repo, doc1)
    assert {**q1, **c1}[first_of_doc1.id].status == "suggested"
    assert not [s for s, _ in notifications(app2) if s == "error"]


async def test_flag_skip_goto_and_finishing(sample_repo: Repository) -> None:
    session = make_session(sample_repo, "bob")
    app = AnnotatorApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")  # flag 1, on to 2
        await settle(pilot)
        await pilot.press("S")  # skip 2, on to 3
        await settle(pilot)
        assert "Document 3 of 5" in status_line(app)
        await pilot.press("g")
        assert isinstance(app.screen, DocumentPicker)
        await pilot.press(*"000", "enter")  # filter the document list by id
        await settle(pilot)
        assert "Document 1 of 5" in status_line(app) and "[flagged]" in status_line(app)
        statuses = sample_repo.annotator_statuses(DATASET, "bob")
        assert sorted(statuses.values()) == ["flagged", "new", "new", "new", "skipped"]  # 3 was only opened
        await pilot.press("g")
        await pilot.press(*"002", "enter")
        await settle(pilot)
        for _ in range(3):  # done 3, 4, 5: 1 and 2 are flagged/skipped, nothing unfinished is left
            await pilot.press("n")
            await settle(pilot)
        assert session.finished
        assert any("Every document is done" in m for _, m in notifications(app))
        assert sorted(sample_repo.annotator_statuses(DATASET, "bob").values()) == \
            ["done", "done", "done", "flagged", "skipped"]
        await quit_app(pilot)


async def test_help_screen_and_command_palette_come_from_bindings(sample_repo: Repository) -> None:
    from annotator.tui.screens.annotate import AnnotateScreen
    from annotator.tui.screens.help import HelpScreen

    app = AnnotatorApp(make_session(sample_repo))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        shown = "\n".join(strip.text for strip in app.screen.query_one("#help-table").render_lines(Region(0, 0, 76, 120)))
        for b in AnnotateScreen.BINDINGS:
            assert b.description in shown  # type: ignore[union-attr]
        assert "Add quote" in shown and "Quit" in shown
        await pilot.press("escape")
        assert isinstance(app.screen, AnnotateScreen)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Accept" in titles and "Go to document" in titles
        await quit_app(pilot)


async def test_article_scrolls_to_keep_the_selected_item_in_view(sample_repo: Repository) -> None:
    session = make_session(sample_repo)
    session.jump_to(2)  # the long article (12 kB, 87 items)
    app = AnnotatorApp(session)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        article = screen_of(app).article
        assert article.virtual_size.height > article.size.height
        last = session.items[-1]
        await pilot.press("k")  # wraps to the last item
        await pilot.pause()
        assert screen_of(app).selected_item == last
        assert article.scroll_offset.y > 0
        rows = article._lines_of(last.start, last.end)
        assert article.scroll_offset.y <= rows.start < article.scroll_offset.y + article.size.height
        visible = "".join(article_lines(app)).replace(" ", "")
        assert last.text.split()[0] in visible
        await quit_app(pilot)


async def test_mouse_click_selects_an_item_and_a_drag_selects_text(sample_repo: Repository) -> None:
    session = make_session(sample_repo)
    app = AnnotatorApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        article = screen_of(app).article
        lines = article_lines(app)
        # click on "Mr Blinken said": the speaker mention belongs to q1, "said" is outside every span
        y = next(i for i, line in enumerate(lines) if "I am deeply concerned" in line)
        x = lines[y].index("deeply")
        gx, gy = article.gutter.top_left
        await pilot.click(ArticleView, offset=(x + gx, y + gy))
        assert screen_of(app).selected.id == "q1" and "QUOTE 2 of 20" in panel(app)
        # drag over "The ambition of Swedish diplomacy": select mode with those words, then l adds a claim
        y = next(i for i, line in enumerate(lines) if line.lstrip().startswith("The ambition"))
        x0 = lines[y].index("The ambition")
        x1 = lines[y].index("diplomacy") + len("diplomacy") - 1
        await pilot.mouse_down(ArticleView, offset=(x0 + gx, y + gy))
        await pilot.mouse_up(ArticleView, offset=(x1 + gx, y + gy))
        await pilot.pause()
        assert article.selecting
        text = session.state.document.text
        assert text[slice(*article.selection())] == "The ambition of Swedish diplomacy"
        await pilot.press("l")
        await settle(pilot)
        assert screen_of(app).selected_item.text == "The ambition of Swedish diplomacy"
        await quit_app(pilot)
