"""The README's key table stays true: every key of the annotation screen, select mode and who-said-what
(as declared in BINDINGS, which also generate the help screen and the command palette) is in it."""

from __future__ import annotations

import re

from textual.binding import Binding

from annotator.tui.app import AnnotatorApp
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.speakers import SpeakersScreen
from annotator.tui.widgets.article import ArticleView
from tests.tui.helpers import ROOT

#: How the README writes keys whose Textual names are words.
WRITTEN = {"left_square_bracket": "[", "right_square_bracket": "]", "left_curly_bracket": "{",
           "right_curly_bracket": "}", "left_parenthesis": "(", "right_parenthesis": ")", "slash": "/",
           "question_mark": "?", "escape": "esc", "right": "→", "left": "←", "down": "↓", "up": "↑"}


def annotating_section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("## Annotating", 1)[1].split("\n## ", 1)[0]


def test_every_key_of_the_annotation_ui_is_in_the_readme() -> None:
    written = set(re.findall(r"`([^`]+)`", annotating_section()))
    missing = []
    for screen in (AnnotateScreen, ArticleView, SpeakersScreen, AnnotatorApp):
        for b in screen.BINDINGS:
            assert isinstance(b, Binding)
            key = b.key.split(",")[0].strip()
            shown = WRITTEN.get(key, key)
            if shown not in written and not any(shown in w.split(" / ") or w == shown for w in written):
                missing.append(f"{screen.__name__}: {shown} ({b.description})")
    assert missing == []
