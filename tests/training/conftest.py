import pytest


@pytest.fixture(scope="session")
def nlp_base():  # type: ignore[no-untyped-def]
    from annotator.nlp.pipeline import load_pipeline

    return load_pipeline(rules_only=True)  # the rule-based pre-annotator `annotator train` compares with
