"""Model inversion: recover training data, or a class's representative input, from a model.

- ``support_vector_leak``: a kernel SVM stores training points verbatim as its support vectors
  (the lecture's first example; Cortes & Vapnik, "Support-vector networks", 1995, Eq. 14: the
  decision function is a sum over support vectors x_i, which are training inputs).
- ``mi_face_whitebox`` / ``mi_face_blackbox``: MI-Face (Fredrikson, Jha, Ristenpart, "Model Inversion
  Attacks that Exploit Confidence Information and Basic Countermeasures", CCS 2015, Algorithm 1):
  gradient descent on the cost c(x) = 1 - f_label(x) from x_0 (0 in the paper; ``starting_points`` gives the
  other starts of ART's MIFace study: the data mean and noise), keeping the best x. White-box uses
  the model's gradient; black-box sees only a ``PredictionAPI`` and estimates the gradient from
  queries (Sec. 5.2 uses numerical gradients; we use the two-point Gaussian-smoothing estimator of
  Nesterov & Spokoiny, "Random gradient-free minimization of convex functions", 2017, Eq. 26).
- ``reconstruction_quality``: how close reconstructions are to their class (correlation with the
  class mean and with the nearest training image of the class; identified if the nearest class mean
  is the target's).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from tqdm.auto import tqdm

from ..api import PredictionAPI


def match_rows(candidates: np.ndarray, X: np.ndarray) -> np.ndarray:
    """For each row of ``candidates``, the index of an identical row of ``X`` (bit for bit), or -1."""
    candidates, X = np.asarray(candidates), np.asarray(X)
    if candidates.ndim != 2 or X.ndim != 2 or candidates.shape[1] != X.shape[1]:
        raise ValueError(f"candidates {candidates.shape} and X {X.shape} must be 2-D with the same number of columns")
    index = {row.tobytes(): i for i, row in enumerate(np.ascontiguousarray(X, dtype=np.float64))}
    return np.array([index.get(row.tobytes(), -1)
                     for row in np.ascontiguousarray(candidates, dtype=np.float64)], dtype=np.int64)


def support_vector_leak(svc, X_train: np.ndarray) -> np.ndarray:
    """Indices in ``X_train`` of a fitted scikit-learn SVC's support vectors, found by exact equality
    of the released vectors with training rows (-1 where a support vector is not a training row)."""
    if not hasattr(svc, "support_vectors_"):
        raise ValueError("svc must be a fitted scikit-learn SVC/NuSVC (it has no support_vectors_)")
    return match_rows(svc.support_vectors_, X_train)


@dataclass
class InversionResult:
    """One reconstruction per target class, the target confidence the attacker last saw for each,
    the queries spent (0 for white-box) and the iterations run."""

    images: np.ndarray
    targets: np.ndarray
    confidences: np.ndarray
    queries: int
    steps: int


def _check_targets(targets: Sequence[int], n_classes: int) -> np.ndarray:
    targets = np.asarray(targets)
    if targets.ndim != 1 or targets.size == 0:
        raise ValueError("targets must be a non-empty list of class indices")
    if not np.issubdtype(targets.dtype, np.integer) or targets.min() < 0 or targets.max() >= n_classes:
        raise ValueError(f"targets must be class indices in [0, {n_classes - 1}], got {targets.tolist()}")
    return targets


STARTS = ("zeros", "mean", "noise")


def starting_points(kind: str, n_targets: int, n_features: int, X: np.ndarray | None = None,
                    bounds: tuple[float, float] = (0.0, 1.0), seed: int = 0) -> np.ndarray:
    """x_0 for each target, as in ART's MIFace notebook (Nicolae et al., "Adversarial Robustness Toolbox",
    2018): ``"zeros"`` (Algorithm 1's blank input), ``"mean"`` (the mean of the attacker's data ``X``, a
    grey average digit) or ``"noise"`` (uniform in ``bounds``, from ``seed``). Shape (n_targets, n_features)."""
    if kind not in STARTS:
        raise ValueError(f"unknown start {kind!r}; choose one of {', '.join(STARTS)}")
    if kind == "zeros":
        return np.zeros((n_targets, n_features))
    if kind == "mean":
        if X is None or np.ndim(X) != 2 or np.shape(X)[1] != n_features:
            raise ValueError(f"start 'mean' needs the attacker's data X with {n_features} features")
        return np.repeat(np.asarray(X, dtype=np.float64).mean(0, keepdims=True), n_targets, axis=0)
    return np.random.default_rng(seed).uniform(*bounds, size=(n_targets, n_features))


def _start(x0: np.ndarray | None, n_targets: int, n_features: int) -> np.ndarray:
    if x0 is None:
        return np.zeros((n_targets, n_features))
    x0 = np.asarray(x0, dtype=np.float64)
    if x0.shape == (n_features,):
        x0 = np.repeat(x0[None], n_targets, axis=0)
    if x0.shape != (n_targets, n_features):
        raise ValueError(f"x0 must have shape ({n_features},) or ({n_targets}, {n_features}), got {x0.shape}")
    return x0.copy()


def _check_schedule(steps: int, lr: float, patience: int) -> None:
    if int(steps) != steps or steps < 1 or int(patience) != patience or patience < 1:
        raise ValueError(f"steps and patience must be positive integers, got {steps} and {patience}")
    if not lr > 0:
        raise ValueError(f"lr must be positive, got {lr}")


class _Tracker:
    """Algorithm 1's bookkeeping: the best x so far, and the stop rules (no improvement over the last
    ``patience`` iterations, or cost <= ``gamma``), per target."""

    def __init__(self, x: np.ndarray, cost: np.ndarray, patience: int, gamma: float) -> None:
        self.best_x, self.best_cost = x.copy(), cost.copy()
        self.since_best = np.zeros(len(cost), dtype=np.int64)
        self.patience, self.gamma = patience, gamma

    def update(self, x: np.ndarray, cost: np.ndarray) -> np.ndarray:
        """Record the new iterate; returns the mask of targets still running."""
        better = cost < self.best_cost
        self.best_x[better], self.best_cost[better] = x[better], cost[better]
        self.since_best = np.where(better, 0, self.since_best + 1)
        return (self.since_best < self.patience) & (self.best_cost > self.gamma)


def mi_face_whitebox(model: torch.nn.Module, targets: Sequence[int], n_features: int, steps: int = 500,
                     lr: float = 0.1, patience: int = 100, gamma: float = 1e-3,
                     bounds: tuple[float, float] = (0.0, 1.0), x0: np.ndarray | None = None) -> InversionResult:
    """MI-Face with the model's own gradient (Fredrikson et al. 2015, Algorithm 1; Process = clipping
    to the input ``bounds``, as our digits need no denoiser). Targets run side by side, from ``x0`` (one
    row per target or one for all; default 0, see ``starting_points``)."""
    n_classes = int(list(model.parameters())[-1].shape[0])
    targets = _check_targets(targets, n_classes)
    _check_schedule(steps, lr, patience)
    dev = next(model.parameters()).device
    model.eval()
    rows = torch.arange(len(targets))
    t = torch.as_tensor(targets, device=dev)

    def cost_and_grad(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        xt = torch.as_tensor(x, dtype=torch.float32, device=dev).requires_grad_(True)
        cost = 1 - torch.softmax(model(xt), dim=1)[rows, t]
        (grad,) = torch.autograd.grad(cost.sum(), xt)
        return cost.detach().double().cpu().numpy(), grad.double().cpu().numpy()

    x = _start(x0, len(targets), n_features)
    cost, grad = cost_and_grad(x)
    tracker = _Tracker(x, cost, patience, gamma)
    running = np.ones(len(targets), dtype=bool)
    step = 0
    while step < steps and running.any():
        x[running] = np.clip(x[running] - lr * grad[running], *bounds)
        cost, grad = cost_and_grad(x)
        running &= tracker.update(x, cost)
        step += 1
    return InversionResult(tracker.best_x, targets, 1 - tracker.best_cost, 0, step)


def mi_face_blackbox(api: PredictionAPI, targets: Sequence[int], n_features: int, steps: int = 300,
                     lr: float = 0.5, directions: int = 25, sigma: float = 0.05, patience: int = 100,
                     gamma: float = 1e-3, bounds: tuple[float, float] = (0.0, 1.0), seed: int = 0,
                     progress: bool = False, x0: np.ndarray | None = None) -> InversionResult:
    """MI-Face through queries only (Fredrikson et al. 2015, Algorithm 1 with estimated gradients), from
    ``x0`` as in ``mi_face_whitebox``.

    Each iteration spends ``2 * directions + 1`` queries per target: the two-point estimate
    g = mean_i [f(x + sigma u_i) - f(x - sigma u_i)] / (2 sigma) u_i, u_i ~ N(0, I) (Nesterov & Spokoiny
    2017, Eq. 26) of the target confidence f, then one query for the new cost. Whatever the endpoint
    hides (rounding, top-k, label only) reaches the estimate exactly as the endpoint returns it.
    """
    targets = _check_targets(targets, api.n_classes)
    _check_schedule(steps, lr, patience)
    if int(directions) != directions or directions < 1 or not sigma > 0:
        raise ValueError(f"directions must be a positive integer and sigma positive, got {directions}, {sigma}")
    rng = np.random.default_rng(seed)
    n = len(targets)
    queries_before = api.queries

    def cost(idx: np.ndarray) -> np.ndarray:
        return 1 - api.query(x[idx])[np.arange(len(idx)), targets[idx]]

    x = _start(x0, n, n_features)
    c = cost(np.arange(n))
    tracker = _Tracker(x, c, patience, gamma)
    running = np.ones(n, dtype=bool)
    step = 0
    for step in tqdm(range(1, steps + 1), desc="black-box MI-Face", disable=not progress, leave=False):
        idx = np.flatnonzero(running)
        u = rng.standard_normal((len(idx), directions, n_features))
        probes = np.concatenate([x[idx, None] + sigma * u, x[idx, None] - sigma * u], axis=1)
        answers = api.query(probes.reshape(-1, n_features)).reshape(len(idx), 2 * directions, -1)
        f = answers[np.arange(len(idx)), :, targets[idx]]
        diff = (f[:, :directions] - f[:, directions:]) / (2 * sigma)
        grad = np.einsum("td,tdf->tf", diff, u) / directions  # estimate of grad f; c = 1 - f
        x[idx] = np.clip(x[idx] + lr * grad, *bounds)
        c[idx] = cost(idx)
        running &= tracker.update(x, c)
        if not running.any():
            break
    return InversionResult(tracker.best_x, targets, 1 - tracker.best_cost, api.queries - queries_before, step)


def _centered_unit(A: np.ndarray) -> np.ndarray:
    A = A - A.mean(-1, keepdims=True)
    return A / np.maximum(np.linalg.norm(A, axis=-1, keepdims=True), 1e-12)


def reconstruction_quality(images: np.ndarray, targets: Sequence[int], X_train: np.ndarray,
                           y_train: np.ndarray) -> dict:
    """Per reconstruction: Pearson correlation with its class's mean training image
    (``corr_class_mean``) and with the closest training image of that class (``corr_nearest``), and
    whether the nearest class mean is the target's (``identified``); plus their averages."""
    images, targets = np.asarray(images, dtype=np.float64), np.asarray(targets)
    X_train, y_train = np.asarray(X_train, dtype=np.float64), np.asarray(y_train)
    if images.ndim != 2 or images.shape[0] != targets.size or images.shape[1] != X_train.shape[1]:
        raise ValueError(f"images {images.shape} must be one row per target ({targets.size}) "
                         f"with {X_train.shape[1]} features")
    classes = np.unique(y_train)
    if not np.isin(targets, classes).all():
        raise ValueError("every target class needs training images to compare with")
    means = _centered_unit(np.stack([X_train[y_train == c].mean(0) for c in classes]))
    rec = _centered_unit(images)
    to_means = rec @ means.T
    own = to_means[np.arange(len(targets)), np.searchsorted(classes, targets)]
    nearest = np.array([(rec[i] @ _centered_unit(X_train[y_train == c]).T).max() for i, c in enumerate(targets)])
    identified = classes[to_means.argmax(1)] == targets
    return {"corr_class_mean": own, "corr_nearest": nearest, "identified": identified,
            "mean_corr_class_mean": float(own.mean()), "mean_corr_nearest": float(nearest.mean()),
            "identification_rate": float(identified.mean())}
