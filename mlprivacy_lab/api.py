"""An ML-as-a-service prediction endpoint with the lecture's disclosure options.

The lecture's remedies against model inversion and membership inference are options
of what the endpoint reveals: the full confidence vector, confidences rounded to
``decimals`` places, the ``k`` most likely classes only, or the label only
(Fredrikson et al., CCS 2015, Sec. 7; Shokri et al., S&P 2017, Sec. VI.C).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from .models import predict_proba

MODES = ("full", "rounded", "top_k", "label")


def remedies(decimals: Sequence[int] = (3, 2, 1), top_k: Sequence[int] = (3, 1)) -> dict[str, dict]:
    """The lecture's remedies as ``PredictionAPI`` options, by name: ``full``, ``rounded_D`` for each number of
    decimals D, ``top_K`` for each K, and ``label`` (``remedy_label`` gives each a name for a figure)."""
    options: dict[str, dict] = {"full": {}}
    options.update({f"rounded_{d}": {"mode": "rounded", "decimals": d} for d in decimals})
    options.update({f"top_{k}": {"mode": "top_k", "k": k} for k in top_k})
    options["label"] = {"mode": "label"}
    return options


def remedy_label(name: str) -> str:
    """A remedy's name for people: ``rounded_1`` -> "1 decimal", ``top_3`` -> "top-3", ``label`` -> "label only"."""
    kind, _, number = name.partition("_")
    if kind == "rounded":
        return f"{number} decimal{'' if number == '1' else 's'}"
    if kind == "top":
        return f"top-{number}"
    return {"full": "full", "label": "label only"}.get(name, name)


def _probability_function(model: Any) -> Callable[[np.ndarray], np.ndarray]:
    """Turn a torch module (logits), a scikit-learn classifier or a callable into X -> probabilities."""
    if isinstance(model, torch.nn.Module):
        return lambda X: predict_proba(model, X)
    if hasattr(model, "predict_proba"):
        return lambda X: np.asarray(model.predict_proba(X), dtype=np.float64)
    if callable(model):
        return lambda X: np.asarray(model(X), dtype=np.float64)
    raise ValueError("model must be a torch.nn.Module, an estimator with predict_proba, or a callable X -> probabilities")


class PredictionAPI:
    """A black-box classifier endpoint that counts queries.

    ``mode``:
      - ``"full"``: the whole confidence vector;
      - ``"rounded"``: confidences rounded to ``decimals`` places;
      - ``"top_k"``: the ``k`` largest confidences, the others reported as 0
        (optionally rounded to ``decimals``);
      - ``"label"``: the predicted class only, as a one-hot row.

    ``query`` always returns an (n, n_classes) array, so attacks are written once
    for every mode; ``predict`` returns labels. Both count every row queried.
    """

    def __init__(self, model: Any, n_classes: int, mode: str = "full", decimals: int | None = None,
                 k: int | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
        if int(n_classes) != n_classes or n_classes < 2:
            raise ValueError(f"n_classes must be an integer >= 2, got {n_classes!r}")
        if mode == "rounded" and decimals is None:
            raise ValueError("mode='rounded' needs decimals, e.g. PredictionAPI(model, 10, 'rounded', decimals=2)")
        if decimals is not None:
            if mode not in ("rounded", "top_k"):
                raise ValueError(f"decimals applies to modes 'rounded' and 'top_k', not {mode!r}")
            if isinstance(decimals, bool) or int(decimals) != decimals or decimals < 0:
                raise ValueError(f"decimals must be a non-negative integer, got {decimals!r}")
        if mode == "top_k":
            if k is None or isinstance(k, bool) or int(k) != k or not 1 <= k < n_classes:
                raise ValueError(f"mode='top_k' needs an integer k in [1, {n_classes - 1}], got {k!r}")
        elif k is not None:
            raise ValueError(f"k applies to mode 'top_k' only, not {mode!r}")
        self._proba = _probability_function(model)
        self.n_classes = int(n_classes)
        self.mode = mode
        self.decimals = None if decimals is None else int(decimals)
        self.k = None if k is None else int(k)
        self.queries = 0
        self.calls = 0

    def __repr__(self) -> str:
        opts = "".join(f", {n}={v}" for n, v in (("decimals", self.decimals), ("k", self.k)) if v is not None)
        return f"PredictionAPI(mode={self.mode!r}{opts}, queries={self.queries})"

    @property
    def reveals(self) -> str:
        """A sentence for notebooks: what one answer discloses."""
        return {
            "full": "the full confidence vector",
            "rounded": f"every confidence rounded to {self.decimals} decimals",
            "top_k": f"the {self.k} largest confidences"
                     + (f" rounded to {self.decimals} decimals" if self.decimals is not None else "")
                     + ", the rest hidden (reported as 0)",
            "label": "the predicted label only",
        }[self.mode]

    def _inputs(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float32)
        if X.ndim == 1:
            X = X[None, :]
        if X.ndim != 2 or X.shape[0] == 0:
            raise ValueError(f"query with an array of shape (n, features), n >= 1; got shape {X.shape}")
        self.queries += X.shape[0]
        self.calls += 1
        return X

    def query(self, X: np.ndarray) -> np.ndarray:
        """What the endpoint returns for each row of ``X``: an (n, n_classes) array."""
        X = self._inputs(X)
        p = self._proba(X)
        if p.shape != (X.shape[0], self.n_classes):
            raise ValueError(f"model returned shape {p.shape}, expected {(X.shape[0], self.n_classes)}")
        if self.mode == "label":
            return np.eye(self.n_classes)[p.argmax(1)]
        if self.mode == "top_k":
            hidden = np.argsort(-p, axis=1, kind="stable")[:, self.k:]
            p = p.copy()
            np.put_along_axis(p, hidden, 0.0, axis=1)
        if self.decimals is not None:
            p = np.round(p, self.decimals)
        return p

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predicted labels; counts as queries like ``query``."""
        return self.query(X).argmax(1)

    def reset_counter(self) -> None:
        self.queries = 0
        self.calls = 0
