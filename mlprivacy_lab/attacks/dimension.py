"""Two of the lecture's causes of adversarial examples, measured: high dimension and leaving the data manifold.

- Curse of dimensionality (Goodfellow, Shlens & Szegedy, ICLR 2015, Sec. 3, "the linear explanation"): for a
  linear score ``w^T x + b`` the worst change over the l_inf ball ``||Delta x||_inf <= epsilon`` is
  ``max w^T Delta x = epsilon ||w||_1``, attained by ``Delta x = epsilon sign(w)``; at a fixed per-pixel epsilon it
  grows with the dimension ``d`` (like ``epsilon m d`` for an average weight magnitude ``m``).
  ``dimension_sweep`` fits a logistic regression on MNIST downsampled to ``side x side`` pixels for several sides
  and measures it.
- Off the manifold (the lecture's "adversary generates unseen images off the manifold"; Stutz, Hein & Schiele,
  CVPR 2019, "Disentangling adversarial robustness and generalization", Sec. 3: regular adversarial examples
  leave an approximated data manifold): the distance of ``x`` from the affine span of the top-``k`` principal
  components of the training data, ``||x - P_k x||_2`` with ``P_k x = mu + V_k V_k^T (x - mu)`` (Pearson 1901;
  Jolliffe, "Principal Component Analysis", 2002, Ch. 1). ``PCAManifold`` fits and measures it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from threadpoolctl import threadpool_limits

__all__ = ["DimensionPoint", "PCAManifold", "dimension_sweep", "downsample", "fit_logistic", "linear_worst_case",
           "sign_perturbation"]


def _matrix(X, name: str = "X") -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"{name} must be a non-empty 2-D array (rows x features), got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} contains NaN or infinite values; clean the data first")
    return X


def _epsilon(epsilon: float) -> float:
    if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float, np.integer, np.floating)) \
            or not np.isfinite(epsilon) or epsilon < 0:
        raise ValueError(f"epsilon must be a finite number >= 0, got {epsilon!r}")
    return float(epsilon)


def _weights(w) -> np.ndarray:
    w = np.asarray(w, dtype=np.float64)
    if w.ndim != 1 or len(w) < 1 or not np.all(np.isfinite(w)):
        raise ValueError(f"w must be a non-empty 1-D array of finite weights, got shape {w.shape}")
    return w


def linear_worst_case(w, epsilon: float) -> float:
    """``max_{||Delta x||_inf <= epsilon} |w^T Delta x| = epsilon ||w||_1`` (Goodfellow et al. 2015, Sec. 3)."""
    return _epsilon(epsilon) * float(np.abs(_weights(w)).sum())


def sign_perturbation(w, y_sign, epsilon: float) -> np.ndarray:
    """The worst l_inf step against a linear classifier: ``-epsilon y sign(w)`` per row, ``y`` in {-1, +1}.

    It lowers the signed score ``y (w^T x + b)`` by exactly ``epsilon ||w||_1``, the most any step in the ball can.
    """
    w, eps = _weights(w), _epsilon(epsilon)
    y_sign = np.asarray(y_sign, dtype=np.float64).reshape(-1)
    if not np.all(np.isin(y_sign, (-1.0, 1.0))):
        raise ValueError("y_sign must hold labels -1 or +1 (use 2 y - 1 for labels in {0, 1})")
    return -eps * y_sign[:, None] * np.sign(w)[None, :]


def downsample(X, image_shape: tuple[int, int], side: int) -> np.ndarray:
    """Rows of ``X`` (flattened ``image_shape`` images) averaged down to ``side x side`` pixels (adaptive average
    pooling: each new pixel is the mean of its block, so pixels in [0, 1] stay in [0, 1]); ``side**2`` columns."""
    X = _matrix(X)
    h, w = image_shape
    if X.shape[1] != h * w:
        raise ValueError(f"rows have {X.shape[1]} values but image_shape {image_shape} needs {h * w}")
    if isinstance(side, bool) or int(side) != side or not 1 <= side <= min(h, w):
        raise ValueError(f"side must be an integer in [1, {min(h, w)}], got {side!r}")
    images = torch.as_tensor(X).view(-1, 1, h, w)
    return torch.nn.functional.adaptive_avg_pool2d(images, int(side)).flatten(1).numpy()


def fit_logistic(X, y, *, C: float = 1.0) -> tuple[np.ndarray, float]:
    """``(w, b)`` of an L2-regularised logistic regression ``P(y=1|x) = sigmoid(w^T x + b)`` (scikit-learn, Newton's
    method: deterministic); ``y`` in {0, 1}, ``C`` the inverse regularisation strength."""
    from sklearn.linear_model import LogisticRegression

    X = _matrix(X)
    y = np.asarray(y).reshape(-1)
    if len(y) != len(X) or not np.all(np.isin(y, (0, 1))) or len(np.unique(y)) < 2:
        raise ValueError("y must hold one label 0 or 1 per row of X, with both labels present")
    if not np.isfinite(C) or C <= 0:
        raise ValueError(f"C must be a finite number > 0, got {C!r}")
    with threadpool_limits(1, user_api="blas"):  # on a shared 2-core machine one BLAS thread is 5-10x faster
        fit = LogisticRegression(C=C, solver="newton-cholesky", max_iter=200).fit(X, y)
    return fit.coef_[0].astype(np.float64), float(fit.intercept_[0])


@dataclass(frozen=True)
class DimensionPoint:
    """One input dimension of ``dimension_sweep``: the fitted linear model's ``||w||_1``, the bound
    ``epsilon ||w||_1``, the largest logit change the sign step achieved on the test rows (equal to the bound),
    the median clean margin ``y (w^T x + b)``, and the clean and worst-case adversarial test errors: in the
    l_inf ball (exact for a linear model) and with the perturbed pixels also clipped to [0, 1]."""

    side: int
    d: int
    l1: float
    bound: float
    measured: float
    median_margin: float
    clean_error: float
    adversarial_error: float
    adversarial_error_in_range: float


def dimension_sweep(X_train, y_train, X_test, y_test, *, image_shape: tuple[int, int], sides: Sequence[int],
                    epsilon: float, C: float = 1.0) -> list[DimensionPoint]:
    """For each ``side``: downsample the images to ``d = side**2`` pixels, fit ``fit_logistic`` (labels in
    {0, 1}), and attack every test row with ``sign_perturbation`` at the same per-pixel ``epsilon``.

    Measures ``epsilon ||w||_1`` (Goodfellow et al. 2015, Sec. 3) and the logit change the attack attains; the
    adversarial error is exact for a linear model: a row is lost iff ``y (w^T x + b) <= epsilon ||w||_1``
    (with [0, 1] clipping the coordinate-wise clipped sign step is still the exact worst case).
    """
    eps = _epsilon(epsilon)
    if len(sides) < 1:
        raise ValueError("sides must name at least one image side")
    y_train, y_test = np.asarray(y_train).reshape(-1), np.asarray(y_test).reshape(-1)
    if not np.all(np.isin(y_test, (0, 1))):
        raise ValueError("y_test must hold labels 0 or 1")
    if len(y_test) != len(_matrix(X_test, "X_test")):
        raise ValueError(f"y_test has {len(y_test)} labels for {len(X_test)} test rows")
    s = 2.0 * y_test - 1.0
    points = []
    for side in sides:
        Xtr, Xte = downsample(X_train, image_shape, side), downsample(X_test, image_shape, side)
        w, b = fit_logistic(Xtr, y_train, C=C)
        margin = s * (Xte @ w + b)
        step = sign_perturbation(w, s, eps)
        change = (Xte + step) @ w - Xte @ w
        clipped = np.clip(Xte + step, 0.0, 1.0)
        points.append(DimensionPoint(
            side=int(side), d=int(side) ** 2, l1=float(np.abs(w).sum()), bound=linear_worst_case(w, eps),
            measured=float(np.abs(change).max()), median_margin=float(np.median(margin)),
            clean_error=float(np.mean(margin <= 0)), adversarial_error=float(np.mean(s * ((Xte + step) @ w + b) <= 0)),
            adversarial_error_in_range=float(np.mean(s * (clipped @ w + b) <= 0))))
    return points


@dataclass(frozen=True)
class PCAManifold:
    """The affine span of the top principal components of training data: ``mean`` (d,) and orthonormal
    ``components`` (k_max, d), largest variance first, with their ``variances`` (k_max,)."""

    mean: np.ndarray
    components: np.ndarray
    variances: np.ndarray
    total_variance: float

    @classmethod
    def fit(cls, X, k: int) -> "PCAManifold":
        """Principal components of ``X`` by the SVD of the centred data (Jolliffe 2002, Ch. 1 and 3)."""
        X = _matrix(X)
        _k(k, min(X.shape))
        mean = X.mean(0)
        with threadpool_limits(1, user_api="blas"):
            _, S, Vt = np.linalg.svd(X - mean, full_matrices=False)
        var = S ** 2 / max(len(X) - 1, 1)
        return cls(mean, Vt[:k].copy(), var[:k].copy(), float(var.sum()))

    def _use(self, X, k: int | None) -> tuple[np.ndarray, np.ndarray]:
        X = _matrix(X)
        if X.shape[1] != len(self.mean):
            raise ValueError(f"X has {X.shape[1]} features but the PCA was fitted on {len(self.mean)}")
        k = len(self.components) if k is None else _k(k, len(self.components))
        return X, self.components[:k]

    def project(self, X, k: int | None = None) -> np.ndarray:
        """``P_k x = mu + V_k V_k^T (x - mu)``: the nearest point of the k-dimensional principal subspace."""
        X, V = self._use(X, k)
        return self.mean + (X - self.mean) @ V.T @ V

    def residual(self, X, k: int | None = None) -> np.ndarray:
        """``||x - P_k x||_2`` per row: how far each input lies off the top-k principal subspace."""
        return np.linalg.norm(self._use(X, k)[0] - self.project(X, k), axis=1)

    def explained(self, k: int | None = None) -> float:
        """Fraction of the training variance the top ``k`` components explain."""
        k = len(self.components) if k is None else _k(k, len(self.components))
        return float(self.variances[:k].sum() / self.total_variance)


def _k(k: int, largest: int) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= largest:
        raise ValueError(f"k must be an integer number of components in [1, {largest}], got {k!r}")
    return int(k)
