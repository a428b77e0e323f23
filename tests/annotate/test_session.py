"""The annotation controller without any UI: every decision is one stored item change and one event."""

from __future__ import annotations

from typing import NoReturn

import pytest

from annotator.db.repo import Repository
from annotator.errors import NotFoundError, SaveError, UserError
from annotator.scheme import Annotation, Claim, Quote, SpeakerMention
from annotator.annotate.session import AnnotationSession, ItemKey
from annotator.records import DocumentVersion, Item
from tests.tui.helpers import DATASET, build_repo, make_session

TEXT = "“We will not attack,” Lavrov said. He added that NATO is a threat. Blinken disagreed."


def small_repo(url: str, tokens: list[tuple[int, int]] | None = None) -> Repository:
    t = TEXT
    qs, qe = t.index("We will"), t.index(",”")
    ls = t.index("Lavrov")
    q2s = t.index("NATO is")
    ann = Annotation("d1", t, "model", "done", {}, (
        Quote("q1", qs, qe, t[qs:qe], "direct", None, SpeakerMention(ls, ls + 6, "Lavrov", "Sergey Lavrov")),
        Quote("q2", q2s, t.index(". Blinken"), t[q2s:t.index(". Blinken")], "indirect"),
    ), (Claim("c1", q2s, q2s + 4, "NATO"),))
    repo = build_repo(url, [ann])
    if tokens is not None:
        run = repo.start_model_run(DATASET, "tok", "1", {})
        repo.add_suggestions(run, [(repo.document_id(DATASET, "d1"), ann, tokens)])
    return repo


def key(s: AnnotationSession, item_id: str) -> ItemKey:
    return next(s.key(it) for it in s.items if it.id == item_id)


def test_open_errors(sqlite_url: str) -> None:
    repo = small_repo(sqlite_url)
    with pytest.raises(NotFoundError, match="no dataset named 'nope'"):
        AnnotationSession(repo, "nope", "alice")
    with pytest.raises(UserError, match="annotator"):
        AnnotationSession(repo, DATASET, "  ")


def test_decisions_and_statuses(sqlite_url: str) -> None:
    repo = small_repo(sqlite_url)
    s = make_session(repo)
    assert [(k.layer, k.id) for k in map(s.key, s.items)] == [("quotes", "q1"), ("claims", "c1"), ("quotes", "q2")]
    q1 = key(s, "q1")
    s.accept(q1)
    assert s.item(q1).status == "accepted"
    s.set_kind("m", q1)
    assert s.item(q1).kind == "mixed" and s.item(q1).status == "edited"
    s.accept(q1)  # accepting an edited item keeps "edited"
    assert s.item(q1).status == "edited"
    s.reassign_speaker("Sergei Lavrov", q1)
    assert s.item(q1).speaker.name == "Sergei Lavrov" and s.item(q1).speaker.text == "Lavrov"
    q2 = key(s, "q2")
    with pytest.raises(UserError, match="no mention"):
        s.reassign_speaker("Somebody New", q2)  # no mention of that name to attach
    s.reassign_speaker("Sergei Lavrov", q2)  # attaches the nearest existing mention of that name
    assert s.item(q2).speaker.text == "Lavrov"
    with pytest.raises(UserError, match="target"):
        s.set_stance("against", None, q2)
    s.set_stance("against", "NATO", q2)
    s.set_stance("favor", None, q2)
    assert s.item(q2).stance.to_dict() == {"target": "NATO", "label": "favor"}
    c1 = key(s, "c1")
    s.reassign_speaker("Sergei Lavrov", c1)
    assert s.item(c1).speaker == "Sergei Lavrov"
    with pytest.raises(UserError, match="quotes"):
        s.set_kind("d", c1)
    assert dict(s.speakers()) == {"Sergei Lavrov": 2}
    events = repo.events(s.state.version_id)
    assert [e["action"] for e in events] == ["open", "accept", "set_kind", "accept", "set_speaker", "set_speaker",
                                             "set_stance", "set_stance", "set_speaker"]


def test_boundaries_move_by_words_whatever_the_stored_tokens(sqlite_url: str) -> None:
    t = TEXT
    # a tokenization that keeps "a threat" together: the keys still move by the words everyone sees
    toks = [(m.start(), m.end()) for m in __import__("re").finditer(r"\w+|[^\w\s]", t)]
    a, b = t.index("a threat"), t.index("a threat") + len("a threat")
    toks = [tk for tk in toks if not (a <= tk[0] < b)] + [(a, b)]
    repo = small_repo(sqlite_url, tokens=sorted(toks))
    s = make_session(repo)
    c1 = key(s, "c1")
    s.move_boundary("end", 2, c1)
    assert s.item(c1).text == "NATO is a"
    s.move_boundary("end", -1, c1)
    assert s.item(c1).text == "NATO is" and s.item(c1).status == "edited"
    with pytest.raises(UserError, match="at least one word"):
        s.move_boundary("start", 2, c1)
    s.move_boundary("end", 2, c1)
    assert s.item(c1).text == "NATO is a threat"  # never the period after it


def test_boundaries_with_regex_words_and_overlaps(sqlite_url: str) -> None:
    repo = small_repo(sqlite_url)
    s = make_session(repo)
    q1 = key(s, "q1")
    s.move_boundary("start", 1, q1)
    assert s.item(q1).text == "will not attack"
    s.move_boundary("start", -1, q1)
    s.move_boundary("end", 1, q1)
    assert s.item(q1).text == "We will not attack,"
    with pytest.raises(UserError, match="overlap quote q2"):
        for _ in range(10):
            s.move_boundary("end", 1, q1)
    s.undo()
    s.redo()
    s.undo()
    assert repo.history(s.state.version_id) == (True, True)


def test_add_spans_trim_quotation_marks_and_attach_cue_and_speaker(sqlite_url: str) -> None:
    repo = small_repo(sqlite_url)
    s = make_session(repo)
    q1 = s.key(s.items[0])
    s.reject(q1)
    added = s.add_item("quotes", 0, TEXT.index(" Lavrov"), s.state.version_id)  # “We will not attack,”
    key = added.key
    assert key is not None and added.state == s.state
    new = s.item(key)
    assert new.text == "We will not attack," and new.kind == "direct" and new.status == "added"
    said = TEXT.index("said")
    s.add_span("cues", said, said + 4, key)
    he = TEXT.index("He added")
    s.add_span("speakers", he, he + 2, key)
    assert s.item(key).cue.text == "said" and s.item(key).speaker.text == "He"
    assert s.item(key).speaker.name == "He"  # no existing name matches: the mention itself
    s.add_span("speakers", TEXT.index("Lavrov"), TEXT.index("Lavrov") + 6, key)
    assert s.item(key).speaker.name == "Sergey Lavrov"
    b = TEXT.index("Blinken")
    state = s.add_span("claims", b, len(TEXT))
    assert [(c.id, c.text) for c in state.claims if c.status == "added"] == [("c2", "Blinken disagreed.")]
    with pytest.raises(UserError, match="overlap"):
        s.add_span("quotes", TEXT.index("NATO"), TEXT.index("threat"))
    with pytest.raises(UserError, match="at least one word"):
        s.add_span("quotes", 0, 1)  # only a quotation mark
    s.reject(key)  # rejecting an added item removes it
    assert s.item(key) is None
    assert [e["action"] for e in repo.events(s.state.version_id)][-1] == "reject"


def test_mark_done_accepts_the_rest_and_moves_on(sqlite_url: str) -> None:
    anns = [Annotation(f"d{i}", f"Text {i}: “Hello {i},” she said.", "model", "done", {},
                       (Quote("q1", 9, 16 + len(str(i)), f"Hello {i},", "direct"),)) for i in range(3)]
    for a in anns:
        assert a.text[a.quotes[0].start:a.quotes[0].end] == a.quotes[0].text
    repo = build_repo(sqlite_url, anns)
    s = make_session(repo)
    first = s.state.version_id
    s.mark_done()
    assert s.state.document.ext_id == "d1"
    events = repo.events(first)
    assert [e["action"] for e in events] == ["open", "done", "status"]
    assert events[1]["after"]["status"] == "accepted"
    s.skip()
    s.flag()
    assert s.finished
    assert sorted(repo.annotator_statuses(DATASET, "alice").values()) == ["done", "flagged", "skipped"]
    # blind: another annotator starts from the model's suggestions, not from alice's decisions
    bob = make_session(repo, "bob")
    assert bob.state.document.ext_id == "d0" and bob.items[0].status == "suggested"
    # resume: alice reopening finds nothing unfinished and shows the first document
    again = make_session(repo)
    assert again.finished and again.state.document.ext_id == "d0" and again.state.status == "done"


def test_a_failed_save_leaves_the_state_as_stored(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = small_repo(sqlite_url)
    s = make_session(repo)
    s.accept(key(s, "q1"))
    real = repo.update_item

    def disk_full(*args: object, **kwargs: object) -> NoReturn:
        raise SaveError("decision not saved: disk full")

    monkeypatch.setattr(repo, "update_item", disk_full)
    with pytest.raises(SaveError):
        s.reject(s.key(s.items[1]))
    monkeypatch.setattr(repo, "update_item", real)
    # the first decision is committed and shown; the state is what the database holds
    assert [it.status for it in s.items] == ["accepted", "suggested", "suggested"]
    assert s.state == repo.get_version(s.state.version_id)


def test_accepting_the_remaining_items_is_all_or_nothing(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """enter/A store every remaining item in one transaction (one logged decision each): a failure on the
    second item stores none of them, and the session shows what the database holds."""
    from annotator.annotate import edits

    repo = small_repo(sqlite_url)
    s = make_session(repo)
    vid = s.state.version_id
    real = edits.accept_suggested
    calls = []

    def fail_second(version: DocumentVersion, item: Item | None) -> Item | None:
        calls.append(item)
        if len(calls) == 2:
            raise SaveError("decision not saved: disk full")
        return real(version, item)

    monkeypatch.setattr(edits, "accept_suggested", fail_second)
    with pytest.raises(SaveError):
        s.mark_done()
    assert [it.status for it in s.items] == ["suggested"] * 3
    assert s.state == repo.get_version(vid) and s.state.status == "new"  # opened, nothing decided
    assert [e["action"] for e in repo.events(vid)] == ["open"]
    monkeypatch.setattr(edits, "accept_suggested", real)
    s.mark_done(vid)
    assert repo.get_version(vid).status == "done"
    assert [e["action"] for e in repo.events(vid)] == ["open", "done", "done", "done", "status"]


def test_moving_a_direct_quote_boundary_never_takes_in_quotation_marks(sqlite_url: str) -> None:
    import pytest

    from annotator.errors import UserError

    s = AnnotationSession(small_repo(sqlite_url), DATASET, "alice")
    q1 = key(s, "q1")  # “We will not attack,” Lavrov said.
    with pytest.raises(UserError, match="cannot move further"):
        s.move_boundary("start", -1, q1)  # only the opening mark is to the left
    texts = []
    for _ in range(2):
        state = s.move_boundary("end", 1, q1)
        texts.append(next(q for q in state.quotes if q.id == "q1").text)
    assert texts == ["We will not attack,", "We will not attack,” Lavrov"]  # the closing mark alone is skipped


def test_claims_can_be_marked_not_checkworthy(sqlite_url: str) -> None:
    s = AnnotationSession(small_repo(sqlite_url), DATASET, "alice")
    state = s.toggle_checkworthy(key(s, "c1"))
    claim = next(c for c in state.claims if c.id == "c1")
    assert claim.checkworthy is False and claim.status == "edited"
    from annotator.errors import UserError
    import pytest

    with pytest.raises(UserError, match="claims only"):
        s.toggle_checkworthy(key(s, "q1"))


def test_time_on_a_document_survives_a_restart(sqlite_url: str) -> None:
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import update

    from annotator.db.models import Event

    repo = small_repo(sqlite_url)
    s = AnnotationSession(repo, DATASET, "alice", clock=lambda: 100.0)
    vid = s.state.version_id
    s.accept(key(s, "q1"))
    s.reject(key(s, "q2"))
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    gaps = [0, 40, 3600 + 40]  # opened; 40 s later a decision; an hour's break, then another
    with repo.db.writes.begin() as session:
        ids = [e["id"] for e in repo.events(vid)]
        for event_id, at in zip(ids, gaps):
            session.execute(update(Event).where(Event.id == event_id).values(created_at=t0 + timedelta(seconds=at)))
    assert repo.time_spent(vid) == 40 + 300  # the break counts as at most five minutes
    again = AnnotationSession(repo, DATASET, "alice", clock=lambda: 100.0)
    assert again.progress().seconds == 340


def test_accepting_a_rejected_item_back_must_not_overlap_a_newer_one(sqlite_url: str) -> None:
    import pytest

    from annotator.errors import UserError

    s = AnnotationSession(small_repo(sqlite_url), DATASET, "alice")
    q1 = key(s, "q1")
    original = s.item(q1)
    s.reject(q1)
    s.add_span("quotes", original.start, original.end)  # the annotator re-marks it as a new quote
    with pytest.raises(UserError, match="overlap"):
        s.accept(q1)
    assert s.item(q1).status == "rejected"


def test_making_a_quote_direct_drops_its_quotation_marks(sqlite_url: str) -> None:
    s = AnnotationSession(small_repo(sqlite_url), DATASET, "alice")
    q1 = key(s, "q1")
    s.move_boundary("end", 1, q1)  # "We will not attack,"
    s.set_kind("m", q1)
    state = s.move_boundary("start", -1, q1)  # a mixed quote's words take in the marks at their edges
    assert next(q for q in state.quotes if q.id == "q1").text == "“We will not attack,"
    state = s.set_kind("d", q1)
    quote = next(q for q in state.quotes if q.id == "q1")
    assert quote.kind == "direct" and quote.text == "We will not attack,"
    text = state.document.text
    assert text[quote.start:quote.end] == quote.text


def test_undo_in_a_done_document_reopens_it(sqlite_url: str) -> None:
    s = AnnotationSession(small_repo(sqlite_url), DATASET, "alice")
    vid = s.state.version_id
    s.mark_done(vid)  # accepts what was still suggested, one decision each
    state = s.undo(vid)
    assert any(it.status == "suggested" for it in (*state.quotes, *state.claims))
    assert state.status == "in_progress" and s.statuses[state.document.id] == "in_progress"


def test_progress_counts_stay_those_of_the_stored_statuses(sqlite_url: str) -> None:
    """The status line's numbers (asked every second) are kept up to date by the decisions, not recounted
    per call: after done, flag, undo of a done document, another process finishing a document and a reread of the
    statuses,
    they are what the stored statuses and the session's order say."""
    texts = [f"Doc {i}: “We will not attack,” Lavrov said." for i in range(6)]
    repo = build_repo(sqlite_url, [Annotation(f"d{i}", t, "model", "done", {}, (
        Quote("q1", 7, 25, t[7:25], "direct"),), ()) for i, t in enumerate(texts)])
    s = make_session(repo)

    def expected() -> tuple[int, int, int]:
        stored = repo.annotator_statuses(DATASET, "alice")
        return (s.doc_ids.index(s.state.document.id) + 1, len(s.doc_ids),
                sum(1 for v in stored.values() if v == "done"))

    def shown() -> tuple[int, int, int]:
        p = s.progress()
        return p.position, p.total, p.done

    assert shown() == expected() == (1, 6, 0)
    first = s.state.version_id
    s.mark_done(first)
    assert shown() == expected() == (2, 6, 1)
    s.flag()
    s.mark_done()
    assert shown() == expected() == (4, 6, 2)
    s.undo(first)  # the first document is in progress again
    s.open_document(s.doc_ids[0])
    assert shown() == expected() == (1, 6, 1)
    other = make_session(repo)  # another process of alice's finishes a document
    other.jump_to(5)
    other.mark_done()
    assert shown() == (1, 6, 1)  # not seen until the statuses are read again
    s.undo_aligned([])  # an all-copies decision (here of no copy) reads the statuses again
    assert shown() == expected() == (1, 6, 2)
    assert [s.position(d) for d in s.doc_ids] == list(range(6))
