"""The real pre-annotation pipelines, loaded once per test session: ``nlp`` is the rule components alone
(``--rules-only``; what tests/nlp/test_components.py documents), ``joined_nlp`` the default pipeline with the
learned attribution model."""

from __future__ import annotations

import pytest

from annotator.errors import ModelError


@pytest.fixture(scope="session")
def nlp():  # type: ignore[no-untyped-def]
    from annotator.nlp.pipeline import load_pipeline

    try:
        return load_pipeline(rules_only=True)
    except ModelError as exc:  # pragma: no cover - depends on the environment
        pytest.skip(f"no spaCy English model: {exc}")


@pytest.fixture(scope="session")
def joined_nlp(nlp):  # type: ignore[no-untyped-def]
    from annotator.nlp.pipeline import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def annotate_text(nlp):  # type: ignore[no-untyped-def]
    """text -> Annotation: the rule components' suggestions."""
    from annotator.nlp.pipeline import annotate

    def run(text: str):  # type: ignore[no-untyped-def]
        return next(annotate(nlp, [(text, "t")]))[1]

    return run
