"""Label-only membership inference: what an endpoint that reveals only the predicted label still leaks.

Choquette-Choo, Tramèr, Carlini, Papernot, "Label-Only Membership Inference Attacks", ICML 2021: a model is
more *robust* on its training records — they sit further from the decision boundary — so the attacker
queries each record's label under perturbations and counts how often the label stays the true one. Two
perturbations of the paper, combined here:

- data augmentation (Sec. 4, the "augmentation attack"): the record translated by up to ``max_shift``
  pixels in every direction (|dx| + |dy| <= max_shift, Sec. 4.1);
- random noise (Sec. 4.2, the cheap estimate of the distance to the boundary that replaces HopSkipJump):
  ``n_noise`` copies with i.i.d. Gaussian noise of standard deviation ``sigma``, clipped to the input range.

The robustness score of a record is the fraction of its queries (the clean record included) answered with
its true label (the paper's Eq. 2 sum of correct answers, normalised). ``calibrate=True`` subtracts each
record's mean score over the attacker's shadow models that did not train on it — difficulty calibration
(Watson, Guo, Cormode, Sablayrolles, "On the Importance of Difficulty Calibration in Membership Inference
Attacks", ICLR 2022, Eq. 3), which the shadow models of ``MembershipExperiment`` make free. Every query goes
through ``PredictionAPI(mode="label")`` and is counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from ..api import PredictionAPI
from .membership import AttackResult, MembershipExperiment


def shifts(max_shift: int) -> list[tuple[int, int]]:
    """The translations (dy, dx) with 0 < |dx| + |dy| <= ``max_shift`` (Choquette-Choo et al., Sec. 4.1)."""
    if isinstance(max_shift, bool) or int(max_shift) != max_shift or max_shift < 0:
        raise ValueError(f"max_shift must be a non-negative integer number of pixels, got {max_shift!r}")
    r = int(max_shift)
    return [(dy, dx) for dy in range(-r, r + 1) for dx in range(-r, r + 1) if 0 < abs(dy) + abs(dx) <= r]


def translate(images: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """Shift images (n, height, width) by (dy, dx) pixels, filling with zeros (the background)."""
    out = np.zeros_like(images)
    h, w = images.shape[1:]
    out[:, max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = \
        images[:, max(-dy, 0):h + min(-dy, 0), max(-dx, 0):w + min(-dx, 0)]
    return out


@dataclass(frozen=True)
class Perturbations:
    """What the attacker asks about each record: the record itself, its translations by up to ``max_shift``
    pixels (needs ``image_shape``), and ``n_noise`` Gaussian-noise copies of standard deviation ``sigma``
    clipped to ``bounds``. Noise is drawn from ``seed`` and the record's index, so every model is asked the
    same questions."""

    n_noise: int = 30
    sigma: float = 0.3
    max_shift: int = 1
    image_shape: tuple[int, int] | None = (28, 28)
    bounds: tuple[float, float] = (0.0, 1.0)
    seed: int = 0

    def __post_init__(self) -> None:
        if isinstance(self.n_noise, bool) or int(self.n_noise) != self.n_noise or self.n_noise < 0:
            raise ValueError(f"n_noise must be a non-negative integer, got {self.n_noise!r}")
        if self.n_noise and not self.sigma > 0:
            raise ValueError(f"sigma must be positive, got {self.sigma!r}")
        shifts(self.max_shift)
        if self.max_shift and self.image_shape is None:
            raise ValueError("translations need image_shape=(height, width); pass max_shift=0 for tabular data")
        if not self.bounds[0] < self.bounds[1]:
            raise ValueError(f"bounds must be (low, high) with low < high, got {self.bounds!r}")

    @property
    def per_record(self) -> int:
        """Queries per record: 1 + translations + noise copies."""
        return 1 + (len(shifts(self.max_shift)) if self.max_shift else 0) + self.n_noise

    def of(self, X: np.ndarray, first_index: int = 0) -> np.ndarray:
        """Every query for every record: shape (n_records, per_record, n_features), the clean record first.
        Row i of ``X`` is record ``first_index + i``: its noise comes from (``seed``, that index)."""
        X = np.asarray(X, dtype=np.float32)
        if X.ndim != 2 or X.shape[0] == 0:
            raise ValueError(f"X must be a non-empty (n_records, n_features) array, got shape {X.shape}")
        views = [X]
        if self.max_shift:
            if int(np.prod(self.image_shape)) != X.shape[1]:
                raise ValueError(f"image_shape {self.image_shape} does not match {X.shape[1]} features")
            images = X.reshape(-1, *self.image_shape)
            views += [translate(images, dy, dx).reshape(len(X), -1) for dy, dx in shifts(self.max_shift)]
        if self.n_noise:
            noise = self.sigma * np.stack([
                np.random.default_rng((self.seed, first_index + i)).standard_normal((self.n_noise, X.shape[1]),
                                                                                    dtype=np.float32)
                for i in range(len(X))])
            noisy = np.clip(X[:, None] + noise, *self.bounds)
            return np.concatenate([np.stack(views, 1), noisy], axis=1)
        return np.stack(views, 1)


def robustness(api: PredictionAPI | Sequence[PredictionAPI], X: np.ndarray, y: np.ndarray,
               perturbations: Perturbations, batch_records: int = 200, progress: bool = False,
               desc: str = "label-only queries") -> np.ndarray:
    """The fraction of each record's perturbed queries that ``api`` labels with the record's true label
    (Choquette-Choo et al. 2021, Eq. 2, divided by the number of queries). Only ``api.predict`` is used,
    so the endpoint may reveal the label only; every query is counted by ``api``. Given a sequence of
    endpoints, asks each the same questions (built once per batch) and returns one row per endpoint."""
    apis = [api] if isinstance(api, PredictionAPI) else list(api)
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != len(X):
        raise ValueError(f"y must hold one label per record of X: {len(X)} records, y of shape {y.shape}")
    scores = np.empty((len(apis), len(y)))
    for start in tqdm(range(0, len(y), batch_records), desc=desc, disable=not progress, leave=False):
        stop = min(len(y), start + batch_records)
        queries = perturbations.of(X[start:stop], first_index=start)
        flat = queries.reshape(-1, queries.shape[-1])
        for row, endpoint in enumerate(apis):
            labels = endpoint.predict(flat).reshape(stop - start, -1)
            scores[row, start:stop] = (labels == y[start:stop, None]).mean(1)
    return scores[0] if isinstance(api, PredictionAPI) else scores


class LabelOnlyAttack:
    """The label-only attack on a ``MembershipExperiment``: every target and shadow model answers through
    ``PredictionAPI(model, n_classes, mode="label")``; scores are robustness (``robustness``), minus each
    record's mean over the OUT shadows when ``calibrate`` (Watson et al. 2022, Eq. 3)."""

    def __init__(self, perturbations: Perturbations | None = None, calibrate: bool = True) -> None:
        self.perturbations = Perturbations() if perturbations is None else perturbations
        self.calibrate = calibrate

    def _robustness(self, models: Sequence[Any], experiment: MembershipExperiment, progress: bool, desc: str
                    ) -> tuple[np.ndarray, int]:
        apis = [PredictionAPI(model, experiment.n_classes, mode="label") for model in models]
        scores = robustness(apis, experiment.X, experiment.y, self.perturbations, progress=progress, desc=desc)
        return scores, sum(api.queries for api in apis)

    def run(self, experiment: MembershipExperiment, progress: bool = False) -> AttackResult:
        """Query every target (and, to calibrate, every shadow) and score each (target, record) pair."""
        target, queries = self._robustness(experiment.targets.models, experiment, progress, "label-only: targets")
        scores = target
        if self.calibrate:
            shadow, _ = self._robustness(experiment.shadows.models, experiment, progress, "label-only: shadows")
            out = ~experiment.shadows.keep
            if not out.any(axis=0).all():
                raise ValueError("calibration needs, for every record, a shadow model that did not train on it; "
                                 "use more shadow models or calibrate=False")
            scores = target - (shadow * out).sum(0) / out.sum(0)
        return AttackResult("label_only", scores.ravel(), experiment.targets.keep.ravel(), queries)


def queries_per_record(result: AttackResult, experiment: MembershipExperiment) -> float:
    """Label queries the attack sent to the targets per (target, record) pair."""
    return result.target_queries / (len(experiment.targets.models) * len(experiment.y))
