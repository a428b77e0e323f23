"""The layers' import rules, checked where they matter: what importing a module really loads (``sys.modules``).

import-linter (``make lint-imports``, contracts in pyproject.toml) checks the import statements; this checks
the running program, lazy imports and all: each rule imports every module it covers in a fresh interpreter
and lists the forbidden modules that got loaded. Importing more modules only loads more, so one process
per rule finds what any one of its modules would load.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

#: Never imported for their side effects: ``__main__`` runs the CLI, the migrations need Alembic's context.
NOT_IMPORTABLE = ("annotator.__main__", "annotator.migrations")

RULES = {
    # (modules covered: a package or module name and everything under it, except those excluded) -> forbidden
    "core modules never import textual": (["annotator"], ["annotator.tui"], ["textual"]),
    "the UI and the readers never import sqlalchemy": (["annotator.tui", "annotator.io.readers"], [], ["sqlalchemy"]),
    "nlp, io and agreement never import the UI or the CLI": (
        ["annotator.nlp", "annotator.io", "annotator.agreement"], [], ["textual", "annotator.tui", "annotator.cli"]
    ),
}

PROGRAM = """
import importlib, json, pathlib, sys
import annotator

covered, excluded, forbidden = json.loads(sys.argv[1])
skip = tuple(excluded) + {skip!r}
inside = lambda name, roots: any(name == r or name.startswith(r + ".") for r in roots)
root = pathlib.Path(annotator.__file__).parent
# found on disk, not with pkgutil.walk_packages: that imports every package it walks into
names = [".".join(("annotator", *p.relative_to(root).with_suffix("").parts)).removesuffix(".__init__")
         for p in root.rglob("*.py") if (p.parent / "__init__.py").exists()]
chosen = sorted(n for n in names if inside(n, covered) and not inside(n, skip))
for name in chosen:
    importlib.import_module(name)
loaded = sorted(m for m in sys.modules if inside(m, forbidden))
print(json.dumps({{"modules": chosen, "loaded": loaded}}))
"""


@pytest.mark.parametrize("rule", list(RULES))
def test_import_rule(rule: str) -> None:
    covered, excluded, forbidden = RULES[rule]
    code = PROGRAM.format(skip=NOT_IMPORTABLE)
    out = subprocess.run([sys.executable, "-c", code, json.dumps([covered, excluded, forbidden])],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert len(result["modules"]) >= 1
    assert result["loaded"] == [], f"{rule}: importing {result['modules']} loaded {result['loaded']}"


def test_the_rules_see_a_violation() -> None:
    """The check can fail: importing the UI loads textual, and that is what the first rule would report."""
    code = PROGRAM.format(skip=NOT_IMPORTABLE)
    out = subprocess.run([sys.executable, "-c", code, json.dumps([["annotator.tui.app"], [], ["textual"]])],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert "textual" in json.loads(out.stdout.strip().splitlines()[-1])["loaded"]


def test_import_linter_contracts_are_kept() -> None:
    """The import-linter contracts of pyproject.toml (statement level, inside functions too)."""
    from pathlib import Path

    lint = Path(sys.executable).with_name("lint-imports")  # installed with the test extras
    out = subprocess.run([str(lint)], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "broken" in out.stdout and " 0 broken" in out.stdout
