"""The spaCy pre-annotator: rule components on the small English model, conversion to the scheme, evaluation.

``load_pipeline`` and ``annotate`` (in ``annotator.nlp.pipeline``) are the entry points; the rule components live
in one module each (``boundaries``, ``quotes``, ``speakers``, ``stance``, ``claims``; shared names in ``common``) and their word lists in ``annotator.nlp.lexicon``; the learned stance and
check-worthiness classifiers in ``stance_model`` and ``checkworthy`` (trained by ``train_base``, packaged in
``annotator/models``); ``relabel`` predicts labels for given spans (``predict --keep-spans``).
"""
