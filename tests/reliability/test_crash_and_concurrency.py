"""Nothing shown as saved is lost: SIGKILL at random points, and many writers at once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from annotator.db.repo import Repository

ROOT = Path(__file__).resolve().parents[2]
KILL_ROUNDS = int(os.environ.get("ANNOTATOR_KILL_ROUNDS", "12"))


def spawn(url: str, annotator: str, n: int, seed: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.decider", url, "rel", annotator, str(n), str(seed)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def saved_lines(out: str) -> list[list[str]]:
    return [line.split() for line in out.splitlines() if line.startswith("saved ")]


def decision_events(repo: Repository, version_ids: set[int]) -> list[dict]:
    return [e for v in sorted(version_ids) for e in repo.events(v) if e["action"] == "decide"]


def test_sigkill_at_random_points_loses_no_saved_decision(seeded) -> None:
    url, repo = seeded
    rng = random.Random(7)
    total_saved = 0
    for round_ in range(KILL_ROUNDS):
        proc = spawn(url, "crashy", 10_000, round_)
        assert proc.stdout is not None
        first = proc.stdout.readline()  # "ready": start-up is over, decisions begin now
        assert first.strip() == "ready", first + (proc.stderr.read() if proc.stderr else "")
        # Kill after the first saved decision (on a loaded machine the first save can take longer
        # than the random wait), at a random point of the work that follows.
        early = [proc.stdout.readline()]
        time.sleep(rng.uniform(0.05, 0.6))
        proc.send_signal(signal.SIGKILL)
        out, _err = proc.communicate()
        assert proc.returncode == -signal.SIGKILL
        shown = saved_lines("".join(early) + out)
        total_saved += len(shown)
        version_ids = {int(s[2]) for s in shown}
        if not shown:
            continue
        # The last decision the process reported as saved is stored, and the item is at its latest logged
        # decision (one committed after the last report, before the kill, may follow the reported one)...
        last = shown[-1]
        state = repo.get_version(int(last[2]))
        quote = next(q for q in state.quotes if q.id == last[3])
        history = [(e["after"]["status"], e["after"]["kind"]) for e in repo.events(state.version_id)
                   if e["item_id"] == f"quotes:{last[3]}" and e["action"] in ("decide", "undo", "redo")]
        assert (last[4], last[5]) in history
        assert (quote.status, quote.kind) == history[-1]
        # ...and every reported decision of this round is in the event log, in order.
        events = [e for e in decision_events(repo, version_ids)]
        logged = Counter((e["item_id"], e["after"]["status"], e["after"]["kind"]) for e in events)
        for s in shown:
            assert logged[(f"quotes:{s[3]}", s[4], s[5])] > 0
    assert total_saved > KILL_ROUNDS  # the test did kill processes mid-work
    print(f"\n[{url.split(':')[0]}] {KILL_ROUNDS} SIGKILL rounds, {total_saved} decisions shown as saved, 0 lost")
    # The log replays to the stored state for every version: nothing half-applied.
    for doc_id in repo.document_ids("rel"):
        state = repo.open_version(doc_id, "crashy")
        replayed: dict[str, dict] = {}
        for e in repo.events(state.version_id):
            if e["item_id"] and e["action"] in ("decide", "undo", "redo"):
                replayed[e["item_id"].split(":", 1)[1]] = e["after"]
        for q in state.quotes:
            if q.id in replayed:
                assert (q.status, q.kind) == (replayed[q.id]["status"], replayed[q.id]["kind"])


def test_eight_annotators_write_at_once_without_loss_or_lock_errors(seeded) -> None:
    url, repo = seeded
    n = 40
    procs = [spawn(url, f"ann{i}", n, i) for i in range(8)]
    outputs = [p.communicate(timeout=240) for p in procs]
    for p, (out, err) in zip(procs, outputs):
        assert p.returncode == 0, err
        assert "database is locked" not in err
        assert out.rstrip().endswith("finished")
    for i, (out, _err) in enumerate(outputs):
        shown = saved_lines(out)
        assert len(shown) == n
        version_ids = {int(s[2]) for s in shown}
        # Each annotator's versions hold exactly their own decisions.
        events = decision_events(repo, version_ids)
        assert len(events) == n
        for doc_id in repo.document_ids("rel"):
            state = repo.open_version(doc_id, f"ann{i}")
            expected = {}
            for s in shown:
                if int(s[2]) == state.version_id:
                    expected[s[3]] = (s[4], s[5])
            for q in state.quotes:
                assert (q.status, q.kind) == expected.get(q.id, ("suggested", "direct"))


def test_same_annotator_in_two_processes_last_write_wins_with_full_log(seeded) -> None:
    url, repo = seeded
    procs = [spawn(url, "twin", 30, seed) for seed in (1, 2)]
    outs = [p.communicate(timeout=120)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    shown = [s for out in outs for s in saved_lines(out)]
    version_ids = {int(s[2]) for s in shown}
    events = decision_events(repo, version_ids)
    assert len(events) == 60  # both processes' decisions are in the log
    # Every item's stored state equals the last logged decision on it (last write wins).
    last: dict[tuple[int, str], dict] = {}
    for v in sorted(version_ids):
        for e in repo.events(v):
            if e["action"] == "decide":
                last[(v, e["item_id"].split(":", 1)[1])] = e["after"]
    for (v, item_id), after in last.items():
        quote = next(q for q in repo.get_version(v).quotes if q.id == item_id)
        assert (quote.status, quote.kind) == (after["status"], after["kind"])
