"""`annotate` and `review` as a user runs them: a real process in a (pseudo-)terminal, keys typed in,
the exit code and the database checked afterwards; and refused without a terminal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from annotator.db.engine import open_database
from annotator.db.repo import Repository
from annotator.scheme import Annotation, Claim, Quote
from tests.helpers import write_jsonl
from tests.tui.helpers import DATASET
from tests.tui.terminal import RESTORED, ROOT, Terminal, annotator_argv

if TYPE_CHECKING:
    from tests.conftest import Cli

T1 = "“Talks were useful,” Blinken said. Lavrov said NATO refused."
T2 = "About 100,000 troops are there, Kyiv said."


def _q(text: str, frag: str, kind: str, qid: str) -> Quote:
    s = text.index(frag)
    return Quote(qid, s, s + len(frag), frag, kind)


@pytest.fixture
def review_db(sqlite_url: str, tmp_path: Path, cli: Cli) -> str:
    """Two documents where alice and bob disagree (a quote kind; a claim only alice marked)."""
    rows = [
        Annotation("d1", T1, "alice", "done", {}, (_q(T1, "Talks were useful", "direct", "q1"),
                                                 _q(T1, "NATO refused", "indirect", "q2"))).to_dict(),
        Annotation("d1", T1, "bob", "done", {}, (_q(T1, "Talks were useful", "direct", "q1"),
                                               _q(T1, "NATO refused", "mixed", "q2"))).to_dict(),
        Annotation("d2", T2, "alice", "done", {}, claims=(Claim("c1", 0, 30, T2[:30]),)).to_dict(),
        Annotation("d2", T2, "bob", "done").to_dict(),
    ]
    assert cli("import", write_jsonl(tmp_path / "v.jsonl", rows), "-d", "r", "--db", sqlite_url).exit_code == 0
    return sqlite_url


def gold(url: str) -> dict[str, Annotation]:
    """The stored gold versions (none yet: empty)."""
    repo = Repository(open_database(url))
    try:
        return {a.doc_id: a for a in repo.versions("r", annotator="gold")} if "gold" in repo.annotators("r") else {}
    finally:
        repo.db.dispose()


REVIEW = ("review", "-d", "r", "--annotators", "alice,bob")


def test_review_in_a_terminal_through_two_saves(review_db: str) -> None:
    with Terminal(annotator_argv(*REVIEW, "--db", review_db)) as term:
        term.wait_for_text("Document 1 of 2: d1")
        term.type("2\r")  # bob's version of the disagreement, then store d1
        term.wait_until(lambda: "d1" in gold(review_db), "d1 stored as gold")
        term.wait_for_text("Document 1 of 1: d2")
        term.type("1\r")
        term.wait_for_text("2 document(s) stored as 'gold'")
        term.type("q")
        assert term.wait_exit() == 0
        assert RESTORED in term.raw
        assert "Traceback" not in term.text
    stored = gold(review_db)
    assert [(q.text, q.kind) for q in stored["d1"].quotes] == [("Talks were useful", "direct"), ("NATO refused", "mixed")]
    assert [c.text for c in stored["d2"].claims] == [T2[:30]]


SLOW_SAVES = """
import time
from annotator.db.repo import Repository
for name in ("update_items", "put_version"):
    real = getattr(Repository, name)
    def slow(self, *a, _real=real, **k):
        time.sleep(0.5)  # a slow disk: the fault below strikes while saves are still queued
        return _real(self, *a, **k)
    setattr(Repository, name, slow)
"""


def _fault(cls: str, module: str, action: str) -> str:
    return SLOW_SAVES + (f"from {module} import {cls}\n"
                         f"def boom(self, *a): raise RuntimeError('injected fault')\n"
                         f"{cls}.{action} = boom\n")


def test_an_unexpected_error_in_annotate_exits_non_zero_with_every_decision_saved(sample_repo: Repository) -> None:
    prelude = _fault("AnnotateScreen", "annotator.tui.screens.annotate", "action_flag")
    argv = annotator_argv("annotate", "-d", DATASET, "-a", "alice", "--db", sample_repo.db.url, prelude=prelude)
    with Terminal(argv) as term:
        term.wait_for_text("Document 1 of 5")
        term.type("axf")  # two decisions queued behind a slow disk, then a key whose action fails
        code = term.wait_exit()
        assert code == 1, term.text[-2000:]
        assert RESTORED in term.raw
        assert "injected fault" in term.text and "stopped on an unexpected error" in term.text
    ann = next(a for a in sample_repo.versions(DATASET, annotator="alice", status=None))
    statuses = sorted(it.status for it in (*ann.quotes, *ann.claims) if it.status != "suggested")
    assert statuses == ["accepted", "rejected"]


def test_an_unexpected_error_in_review_exits_non_zero_with_the_document_saved(review_db: str) -> None:
    prelude = _fault("ReviewApp", "annotator.tui.review_app", "action_help")
    with Terminal(annotator_argv(*REVIEW, "--db", review_db, prelude=prelude)) as term:
        term.wait_for_text("Document 1 of 2: d1")
        term.type("2\r?")  # store d1 (slowly), then a key whose action fails
        code = term.wait_exit()
        assert code == 1, term.text[-2000:]
        assert RESTORED in term.raw and "injected fault" in term.text
    assert list(gold(review_db)) == ["d1"]


@pytest.mark.parametrize("command", ["annotate", "review"])
@pytest.mark.parametrize("stdin_tty", [False, True])
def test_without_a_terminal_the_apps_refuse_in_one_line(command: str, stdin_tty: bool, review_db: str) -> None:
    """Piped or redirected, nothing could be typed or seen: refuse at once (no version is opened)."""
    import os
    import pty

    args = ("annotate", "-d", "r", "-a", "carol") if command == "annotate" else REVIEW
    master = slave = None
    if stdin_tty:  # input from a terminal, output into a pipe
        master, slave = pty.openpty()
    try:
        out = subprocess.run([sys.executable, "-m", "annotator", *args, "--db", review_db], cwd=ROOT,
                             stdin=slave if stdin_tty else subprocess.DEVNULL, capture_output=True, text=True,
                             timeout=60)
    finally:
        for fd in (master, slave):
            if fd is not None:
                os.close(fd)
    problem = "standard output" if stdin_tty else "standard input"
    assert out.returncode == 1
    assert out.stderr.splitlines() == [
        f"Error: annotator {command} needs a terminal: {problem} is not a terminal "
        "(run it in a terminal, not through a pipe)"]
    assert out.stdout == ""
    repo = Repository(open_database(review_db))
    assert "carol" not in repo.annotators("r") and "gold" not in repo.annotators("r")
