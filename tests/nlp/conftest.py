"""The real pre-annotation pipelines, loaded once per test session: ``nlp`` is the rule components alone
(``--rules-only``; what tests/nlp/test_components.py documents), ``joined_nlp`` the default pipeline with the
learned attribution model."""

from __future__ import annotations

from typing import Callable

import pytest
from spacy.language import Language

from annotator.errors import ModelError
from annotator.scheme import Annotation


@pytest.fixture(scope="session")
def nlp() -> Language:
    from annotator.nlp.pipeline import load_pipeline

    try:
        return load_pipeline(rules_only=True)
    except ModelError as exc:  # pragma: no cover - depends on the environment
        pytest.skip(f"no spaCy English model: {exc}")


@pytest.fixture(scope="session")
def joined_nlp(nlp: Language) -> Language:
    from annotator.nlp.pipeline import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def annotate_text(nlp: Language) -> Callable[[str], Annotation]:
    """text -> Annotation: the rule components' suggestions."""
    from annotator.nlp.pipeline import annotate

    def run(text: str) -> Annotation:
        return next(annotate(nlp, [(text, "t")]))[1]

    return run
