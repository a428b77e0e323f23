"""Article text and names are data, never markup or terminal codes; layers are told apart without
colour; failed saves are shown (never dropped); decisions are stored in key order."""

from __future__ import annotations

import time

import pytest
from rich.segment import Segment

from annotator.db.repo import Repository
from annotator.errors import SaveError
from annotator.scheme import Annotation, Claim, Quote, Span, SpeakerMention, Stance
from annotator.tui.app import AnnotatorApp
from annotator.tui.widgets.article import ArticleView
from tests.tui.helpers import (
    DATASET,
    article_lines,
    build_repo,
    go_to,
    make_session,
    notifications,
    panel,
    quit_app,
    screen_of,
    settle,
    speakers,
    status_line,
)

HOSTILE_NAME = "[@click=app.quit]Boss[/] [bold red]x[/] \x1b[31mred"
HOSTILE = ("Intro line.\r\n“[bold red]x[/] and [@click=app.quit]quit[/] now,” said \x1b[31mthe boss\x1b[0m today. "
           "A claim about [link=https://example.com]links[/link] here.")


def hostile_annotation() -> Annotation:
    t = HOSTILE
    qs = t.index("[bold red]")
    qe = t.index(" now,") + 4
    cue = t.index("said")
    sp = t.index("\x1b[31mthe boss")
    spe = t.index("\x1b[0m")
    cs = t.index("A claim")
    return Annotation("evil", t, "model", "done", {}, (
        Quote("q1", qs, qe, t[qs:qe], "direct", Span(cue, cue + 4, "said"),
              SpeakerMention(sp, spe, t[sp:spe], HOSTILE_NAME), Stance("Russia", "against")),
    ), (Claim("c1", cs, len(t) - 1, t[cs:len(t) - 1], True, HOSTILE_NAME),))


@pytest.fixture
def hostile_repo(sqlite_url: str) -> Repository:
    return build_repo(sqlite_url, [hostile_annotation()])


def _segments(app: AnnotatorApp) -> list[Segment]:
    article = screen_of(app).article
    return [seg for y in range(article.size.height) for seg in article.render_line(y)]


async def test_markup_and_escape_sequences_are_shown_literally(hostile_repo: Repository) -> None:
    app = AnnotatorApp(make_session(hostile_repo))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        shown = "\n".join(article_lines(app))
        assert "[bold red]x[/]" in shown and "[@click=app.quit]quit[/]" in shown
        assert "[link=https://example.com]links[/link]" in shown
        assert "␛[31mthe boss␛[0m" in shown and "␍" in shown  # visible, same length as the source
        segs = _segments(app)
        assert not any("\x1b" in s.text or "\r" in s.text for s in segs)
        assert not any(s.style and (s.style.link or s.style.meta) for s in segs)  # no links, no actions
        await go_to(pilot, "quotes", "q1")
        # the selected quote is reversed exactly over its own characters (offsets unchanged by escapes)
        item = screen_of(app).selected_item
        reversed_text = "".join(s.text for s in segs if s.style and s.style.reverse)
        assert item.text in reversed_text.replace("\n", "")
        text = panel(app)
        assert "[bold red]x[/]" in text and "[@click=app.quit]Boss[/]" in text and "␛[31m" in text  # as the article shows it
        assert "\x1b" not in text
        assert "[@click=app.quit]Boss[/] [bold red]x[/] ␛[31mred  1" in speakers(app)
        # clicking on the [@click=app.quit] text does nothing but select what is under the mouse
        article = screen_of(app).article
        for y, line in enumerate(article_lines(app)):
            if "[@click" in line:
                gx, gy = article.gutter.top_left
                await pilot.click(ArticleView, offset=(line.index("[@click") + gx, y + gy))
                break
        await pilot.pause()
        assert app.is_running
        await go_to(pilot, "claims", "c1")
        assert "[@click=app.quit]Boss[/]" in panel(app)
        await quit_app(pilot)


async def test_layers_are_distinguishable_without_colour(hostile_repo: Repository, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = AnnotatorApp(make_session(hostile_repo))
    assert app.no_color
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await go_to(pilot, "claims", "c1")  # the quote is not selected: plain layer styles
        article = screen_of(app).article
        t = HOSTILE
        probes = {"quote": "and [@click", "cue": "said", "speaker": "the boss", "claim": "A claim"}
        attrs = {}
        for layer, probe in probes.items():
            for y in range(article.size.height):
                strip = article.render_line(y)
                for seg in strip:
                    if probe in seg.text or seg.text.strip() and seg.text.strip() in probe and len(seg.text.strip()) > 3:
                        st = seg.style
                        attrs[layer] = (bool(st.bold), bool(st.italic), bool(st.underline), bool(st.reverse),
                                        bool(st.strike))
                        break
                if layer in attrs:
                    break
        assert set(attrs) == set(probes), attrs
        assert attrs["quote"][2] and attrs["cue"][0] and attrs["speaker"][1]
        assert len({attrs["quote"], attrs["cue"], attrs["speaker"]}) == 3
        shown = " ".join(line.rstrip() for line in article_lines(app))
        claim = t[t.index("A claim"):len(t) - 1]
        assert f"⟦{claim}⟧" in shown  # claims are bracketed
        await quit_app(pilot)


async def test_a_failed_save_is_shown_and_nothing_is_lost(sample_repo: Repository, monkeypatch: pytest.MonkeyPatch) -> None:
    session = make_session(sample_repo)
    app = AnnotatorApp(session)
    real = sample_repo.update_item
    failures = [SaveError("decision not saved: disk I/O error"), RuntimeError("connection reset")]

    def flaky(*args: object, **kwargs: object) -> object:
        if failures:
            raise failures.pop(0)
        return real(*args, **kwargs)

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = session.state
        key = screen_of(app).selected
        monkeypatch.setattr(sample_repo, "update_item", flaky)
        await pilot.press("a")
        await settle(pilot)
        errors = [m for s, m in notifications(app) if s == "error"]
        assert any("disk I/O error" in m for m in errors)
        assert "NOT SAVED" in status_line(app) and "disk I/O error" in status_line(app)
        assert session.state == before and session.item(key).status == "suggested"
        await pilot.press("k", "x")  # back to the item; a non-UserError failure is shown as well
        await settle(pilot)
        assert any("RuntimeError: connection reset" in m for s, m in notifications(app) if s == "error")
        await pilot.press("k", "a")  # works again
        await settle(pilot)
        assert "✓ saved" in status_line(app)
        await quit_app(pilot)
    ann = next(a for a in sample_repo.versions(DATASET, annotator="alice", status=None))
    statuses = {it.id: it.status for it in (*ann.quotes, *ann.claims)}
    assert statuses[key.id] == "accepted"
    assert sum(1 for s in statuses.values() if s != "suggested") == 1


async def test_refused_decisions_are_warnings(sample_repo: Repository) -> None:
    app = AnnotatorApp(make_session(sample_repo))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await go_to(pilot, "claims", "c1")
        await pilot.press("d")  # kind is for quotes
        await settle(pilot)  # each warning is checked at once: a notification expires after a few seconds
        assert any("quotes" in m for s, m in notifications(app) if s == "warning")
        await go_to(pilot, "quotes", "q2")  # q2 and claim c3 share a span: fine (different layers)
        await pilot.press("left_square_bracket")  # start one word left would overlap nothing...
        await settle(pilot)
        await go_to(pilot, "quotes", "q6")
        for _ in range(5):  # ” and that “ , then into q5 ("invasion,")
            await pilot.press("left_square_bracket")  # ...but q6 growing into q5 is refused
        await settle(pilot)
        warnings = [m for s, m in notifications(app) if s == "warning"]
        assert any("overlap quote q5" in m for m in warnings), warnings
        assert "NOT SAVED" not in status_line(app)
        await quit_app(pilot)


async def test_decisions_are_stored_in_the_order_of_the_keys(sample_repo: Repository, monkeypatch: pytest.MonkeyPatch) -> None:
    session = make_session(sample_repo)
    real = sample_repo.update_item

    def slow(*args: object, **kwargs: object) -> object:
        time.sleep(0.4)  # a slow disk: keys arrive faster than decisions commit
        return real(*args, **kwargs)

    monkeypatch.setattr(sample_repo, "update_item", slow)
    app = AnnotatorApp(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        expected = [session.key(it).id for it in session.items[:8]]
        await pilot.press("a", "x", "a", "x", "a", "x", "a", "x")
        assert screen_of(app).pending > 0
        await quit_app(pilot)  # quitting waits for the queue
    events = sample_repo.events(session.state.version_id)
    decided = [(e["item_id"].split(":")[1], e["action"]) for e in events if e["action"] in ("accept", "reject")]
    assert decided == list(zip(expected, ["accept", "reject"] * 4))


async def test_a_span_chosen_on_a_document_that_has_since_changed_is_not_added(sample_repo: Repository) -> None:
    from annotator.tui.app import AnnotatorApp
    from annotator.tui.widgets.article import ArticleView
    from tests.tui.helpers import make_session, screen_of

    app = AnnotatorApp(make_session(sample_repo))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        before = app.session.state
        n_quotes = len(before.quotes)
        stale = ArticleView.SpanChosen("quotes", 0, 5, doc_key=before.version_id + 999)
        screen.on_article_view_span_chosen(stale)
        await pilot.pause()
        assert len(sample_repo.get_version(before.version_id).quotes) == n_quotes
        assert any("document changed" in str(n.message) for n in app._notifications)


async def test_ctrl_c_says_in_plain_words_which_key_quits(sample_repo: Repository) -> None:
    # Textual answers ctrl+c with a hint written in markup ("Press [b]ctrl+q[/b]..."), which our notify shows
    # verbatim: the hint must be plain and name the app's own quit key, and ctrl+c must not quit
    app = AnnotatorApp(make_session(sample_repo))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+c")
        await pilot.pause()
        shown = [m for _, m in notifications(app)]
        assert any("Press q to quit" in m for m in shown), shown
        assert not any("[b]" in m for m in shown), shown
        assert app.is_running
        await quit_app(pilot)
