"""Certified error and bound tightness of a model over a data set: the dual bound beside interval bounds."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..models import as_tensors
from .dual_network import DualNetwork, input_box, lower_bound, margin_matrix
from .interval import interval_bounds, interval_lower_bound


@torch.no_grad()
def certify(model: nn.Sequential, X, y, epsilon: float, *, data_range: tuple[float, float] | None = None,
            method: str = "dual", batch_size: int = 1) -> np.ndarray:
    """True for each sample whose lower bound of ``f_y - f_j`` is positive for every ``j != y``.

    ``method="dual"`` uses the exact dual bound, ``"interval"`` interval bound propagation. ``batch_size``
    samples are bounded together; one at a time is fastest on a CPU (the working set stays in cache).
    """
    if method not in ("dual", "interval"):
        raise ValueError(f"method must be 'dual' or 'interval', got {method!r}")
    bound = lower_bound if method == "dual" else interval_lower_bound
    model.eval()
    X, y = as_tensors(X, y, model=model)
    n_classes = model(X[:1]).shape[1]
    out = []
    for start in range(0, len(X), batch_size):
        xb, yb = X[start:start + batch_size], y[start:start + batch_size]
        J = bound(model, xb, epsilon, margin_matrix(yb, n_classes).to(X.dtype), data_range=data_range)
        out.append((J.scatter(1, yb[:, None], torch.inf) > 0).all(1))
    return torch.cat(out).cpu().numpy()


@torch.no_grad()
def bound_widths(model: nn.Sequential, X, epsilon: float, *, batch_size: int = 1) -> list[tuple[float, float]]:
    """Mean width ``u - l`` of every ReLU's pre-activation bounds: (dual, interval), averaged over ``X``."""
    X = as_tensors(X, model=model)
    sums: np.ndarray | None = None
    for start in range(0, len(X), batch_size):
        xb = X[start:start + batch_size]
        dual = DualNetwork(model, *input_box(xb, epsilon)).bounds
        boxes = interval_bounds(model, xb, epsilon)
        widths = np.array([[float((u - l).mean(dim=tuple(range(1, l.dim()))).sum()) for l, u in pair]
                           for pair in zip(dual, boxes)])
        sums = widths if sums is None else sums + widths
    return [tuple(row / len(X)) for row in sums]
