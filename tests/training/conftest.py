import pytest
from spacy.language import Language


@pytest.fixture(scope="session")
def nlp_base() -> Language:
    from annotator.nlp.pipeline import load_pipeline

    return load_pipeline(rules_only=True)  # the rule-based pre-annotator `annotator train` compares with
