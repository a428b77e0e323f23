"""The real pre-annotation pipeline, loaded once per test session."""

from __future__ import annotations

import pytest

from annotator.errors import ModelError


@pytest.fixture(scope="session")
def nlp():  # type: ignore[no-untyped-def]
    from annotator.nlp.pipeline import load_pipeline

    try:
        return load_pipeline()
    except ModelError as exc:  # pragma: no cover - depends on the environment
        pytest.skip(f"no spaCy English model: {exc}")


@pytest.fixture(scope="session")
def annotate_text(nlp):  # type: ignore[no-untyped-def]
    """text -> Annotation (the model's suggestions)."""
    from annotator.nlp.pipeline import annotate

    def run(text: str):  # type: ignore[no-untyped-def]
        return next(annotate(nlp, [(text, "t")]))[1]

    return run
