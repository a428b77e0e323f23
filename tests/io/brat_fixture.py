"""A small brat standoff corpus in PolNeAR's layout, written for the tests (no corpus text is copied).

``write_polnear(root)`` lays out ``text/press.txt`` with ``attributions/press_alice.ann`` and
``press_bob.ann``; ``write_plain(root)`` a folder with ``note.txt`` + ``note.ann``. Offsets are computed
from the text, so the fixture reads like what it annotates.
"""

from __future__ import annotations

from pathlib import Path

PRESS = (
    "By Dana Reyes\n"
    "“We will not back down,” the senator said. “Not this year.”\n"
    "Smith said the plan, which is new, would fail.\n"
    "The governor argued the deal was dead and that it was “a disaster for the state.”\n"
    "''We are ready,'' Jones said.\n"
    "Polls show voters are tired.\n"
)
NOTE = "Lee said that taxes will rise.\r\nAccording to the report, costs fell.\r\n"


def span(text: str, piece: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(piece, start + 1)
    return start, start + len(piece)


class Ann:
    """Builds .ann lines: ``t(type, *pieces)`` returns the T id (several pieces = discontinuous)."""

    def __init__(self, text: str):
        self.text = text
        self.lines: list[str] = []
        self.n_t = self.n_e = 0

    def t(self, etype: str, *pieces: str | tuple[int, int]) -> str:
        self.n_t += 1
        ranges = [span(self.text, p) if isinstance(p, str) else p for p in pieces]
        body = ";".join(f"{s} {e}" for s, e in ranges)
        self.lines.append(f"T{self.n_t}\t{etype} {body}\t{' '.join(self.text[s:e] for s, e in ranges)}")
        return f"T{self.n_t}"

    def event(self, cue: str, etype: str = "Attribution", **roles: str) -> None:
        trigger = self.t(etype, cue)
        self.n_e += 1
        args = " ".join(f"{role}:{tid}" for role, tid in roles.items())
        self.lines.append(f"E{self.n_e}\t{etype}:{trigger} {args}")

    def write(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(self.lines) + "\n", encoding="utf-8")
        return path


def press_alice() -> Ann:
    a = Ann(PRESS)
    # a discontinuous content whose fragments are each a direct quote: one quote per fragment
    content = a.t("Content", "“We will not back down,”", "“Not this year.”")
    a.event("said", Source=a.t("Source", "the senator"), Cue=a.t("Cue", "said"), Content=content)
    # discontinuous, not direct: one span from the first fragment to the last
    s2 = a.t("Source", "Smith")
    a.event(span(PRESS, "said", 1), Source=s2, Cue=a.t("Cue", span(PRESS, "said", 1)),
            Content=a.t("Content", "the plan", "would fail"))
    # Content + Content2 (the complementizer "that" stays inside): one mixed span
    a.event("argued", Source=a.t("Source", "The governor"), Cue=a.t("Cue", "argued"),
            Content=a.t("Content", "the deal was dead"),
            Content2=a.t("Content", "that it was “a disaster for the state.”"))
    # NYT-style quotation marks
    a.event(span(PRESS, "said", 2), Source=a.t("Source", "Jones"), Cue=a.t("Cue", span(PRESS, "said", 2)),
            Content=a.t("Content", "''We are ready,''"))
    # a source that is a poll, no cue of its own beyond "show"; and notes that are ignored
    a.event("show", Source=a.t("Source", "Polls"), Cue=a.t("Cue", "show"), Content=a.t("Content", "voters are tired"))
    a.t("Discuss", "By Dana Reyes")
    a.lines.append("#1\tAnnotatorNotes T1\tfragments of one quote")
    return a


def press_bob() -> Ann:
    b = Ann(PRESS)
    b.event("show", "Attribution-no-source", Cue=b.t("Cue", "show"), Content=b.t("Content", "voters are tired"))
    return b


def write_polnear(root: Path) -> Path:
    (root / "text").mkdir(parents=True, exist_ok=True)
    (root / "text" / "press.txt").write_text(PRESS, encoding="utf-8")
    press_alice().write(root / "attributions" / "press_alice.ann")
    press_bob().write(root / "attributions" / "press_bob.ann")
    return root


def write_plain(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    with (root / "note.txt").open("w", encoding="utf-8", newline="") as fh:
        fh.write(NOTE)
    a = Ann(NOTE)
    a.event("said", Source=a.t("Source", "Lee"), Cue=a.t("Cue", "said"), Content=a.t("Content", "that taxes will rise"))
    a.event("According to", "Attribution", Source=a.t("Source", "the report"), Cue=a.t("Cue", "According to"),
            Content=a.t("Content", "costs fell"))
    a.write(root / "note.ann")
    return root
