"""Inter-annotator agreement (docs/contract.md section 6): statistics in ``metrics``, the dataset report computed in ``report``,
its records in ``results``, its tables in ``render``.

This package is a library without UI dependencies: it imports neither textual nor sqlalchemy.
The CLI loads the done versions from the database and calls :func:`compute_agreement`.
"""

from annotator.agreement.metrics import (
    SpanF1,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha_nominal,
    match_spans,
    percent_agreement,
    span_f1,
    token_labels,
    token_offsets,
)
from annotator.agreement.report import compute_agreement
from annotator.agreement.results import AgreementReport
from annotator.agreement.versions import versions_by_annotator

__all__ = [
    "AgreementReport",
    "SpanF1",
    "cohen_kappa",
    "compute_agreement",
    "fleiss_kappa",
    "gwet_ac1",
    "krippendorff_alpha_nominal",
    "match_spans",
    "percent_agreement",
    "span_f1",
    "token_labels",
    "token_offsets",
    "versions_by_annotator",
]
