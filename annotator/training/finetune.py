"""Continue training a packaged linear classifier on a few new examples, staying close to the base weights.

The base check-worthiness and stance models were trained on public corpora a user may not have. Updating
them on a team's gold therefore starts from the base weights and minimises the new examples' log-loss plus
``½‖W − W_base‖²`` (the base model as the prior; Chelba & Acero 2004, "Adaptation of maximum entropy
capitalizer: little data can help a lot"): with a handful of examples the model moves a little toward them,
with many it follows them. The vocabulary and idf stay the base model's, so a word the base never saw adds
nothing (the model card says so).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Sequence

import numpy as np

from annotator.nlp.textmodel import LinearTextModel


def _balanced(labels: Sequence[str], classes: Sequence[str]) -> np.ndarray:
    """Per-example weights ``n / (k * count(label))`` over the classes present (as the base training)."""
    counts = {c: sum(y == c for y in labels) for c in classes}
    present = [c for c in classes if counts[c]]
    return np.array([len(labels) / (len(present) * counts[y]) for y in labels], dtype=np.float64)


def finetune(model: LinearTextModel, rows: Sequence[Sequence[str]], labels: Sequence[str],
             weight: float = 10.0, max_iter: int = 200) -> LinearTextModel:
    """A copy of ``model`` trained further on ``rows``/``labels``; ``weight`` scales the examples' loss
    against the pull toward the base weights. Labels the model does not know are refused."""
    from scipy.optimize import minimize

    unknown = sorted(set(labels) - set(model.classes))
    if unknown:
        raise ValueError(f"labels {unknown} are not classes of the model ({model.classes})")
    if not rows:
        return model
    X = model._features(rows)
    w0 = np.concatenate([model.coef.astype(np.float64).ravel(), model.intercept.astype(np.float64).ravel()])
    k, d = model.coef.shape
    s = weight * _balanced(labels, model.classes)
    index = {c: i for i, c in enumerate(model.classes)}
    y = np.array([index[label] for label in labels])

    def unpack(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return theta[: k * d].reshape(k, d), theta[k * d:]

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        W, b = unpack(theta)
        Z = np.asarray(X @ W.T) + b
        if k == 1:  # two classes: one decision value for the second class
            t = (y == 1).astype(np.float64)
            z = Z[:, 0]
            loss = float(np.sum(s * (np.logaddexp(0.0, z) - t * z)))
            g = (s * (1.0 / (1.0 + np.exp(-z)) - t))[:, None]
        else:
            Z = Z - Z.max(axis=1, keepdims=True)
            logp = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
            loss = float(-np.sum(s * logp[np.arange(len(y)), y]))
            P = np.exp(logp)
            P[np.arange(len(y)), y] -= 1.0
            g = s[:, None] * P
        grad_w = np.asarray((X.T @ g).T)
        grad = np.concatenate([grad_w.ravel(), g.sum(axis=0)])
        diff = theta - w0
        return loss + 0.5 * float(diff @ diff), grad + diff

    result = minimize(objective, w0, jac=True, method="L-BFGS-B", options={"maxiter": max_iter})
    W, b = unpack(result.x)
    info: dict[str, Any] = {**model.info, "updated_on": len(rows), "update_weight": weight}
    return replace(model, coef=W.astype(np.float32), intercept=b.astype(np.float32), info=info)
