"""The spaCy pre-annotator: rule components on the small English model, conversion to the scheme, evaluation.

``load_pipeline`` and ``annotate`` (in ``annotator.nlp.pipeline``) are the entry points; the components live
in ``annotator.nlp.components`` and their word lists in ``annotator.nlp.lexicon``.
"""
