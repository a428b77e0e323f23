"""The dependency ranges in pyproject.toml hold what the suite runs on (so the pins are tested, not guessed)."""

from __future__ import annotations

import tomllib
from importlib.metadata import version

from packaging.requirements import Requirement

from tests.conftest import ROOT

PINNED = {"textual", "rich", "spacy", "sqlalchemy", "typer", "alembic"}


def test_installed_versions_satisfy_every_declared_range() -> None:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    reqs = {Requirement(d).name.lower(): Requirement(d) for d in deps}
    for name, req in reqs.items():
        assert req.specifier.contains(version(name), prereleases=True), (name, version(name), str(req.specifier))
    for name in PINNED:  # bounded on both sides: a new major (or 0.x minor) is not silently taken
        ops = {s.operator for s in reqs[name].specifier}
        assert ">=" in ops and "<" in ops, (name, str(reqs[name].specifier))
