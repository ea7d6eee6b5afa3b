"""DCA: Discriminant Component Analysis (Kung 2017).

Kung, "Compressive privacy: from information/estimation theory to machine learning", IEEE Signal
Processing Magazine 34(1), 2017, Sec. "Discriminant component analysis": with the between-class scatter
S_B = sum_l N_l (mu_l - mu)(mu_l - mu)^T and the total (centred) scatter S = sum_i (x_i - mu)(x_i - mu)^T,
DCA keeps the k generalized eigenvectors of the pencil

    S_B w = lambda (S + rho I) w,        W^T (S + rho I) W = I,

with the largest eigenvalues (the "discriminant power"). rho > 0 regularizes the (possibly singular) total
scatter; a large rho leaves the directions of S_B alone (LDA-like as rho -> 0, between-class PCA as
rho -> infinity). Only L - 1 eigenvalues (L classes) can be non-zero: further components span directions
that carry no class signal, which is why DCA releases little beyond the label.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import eigh

from .cpgan import check_xy


def scatter_matrices(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(S_B, S)``: the between-class and total scatter matrices of Kung (2017), as float64 sums."""
    X = check_xy(X, y).astype(np.float64)
    y = np.asarray(y)
    mu = X.mean(0)
    centred = X - mu
    between = np.zeros((X.shape[1], X.shape[1]))
    for label in np.unique(y):
        rows = X[y == label]
        d = rows.mean(0) - mu
        between += len(rows) * np.outer(d, d)
    return between, centred.T @ centred


class DCA:
    """Discriminant Component Analysis, scikit-learn style: ``fit(X, y)``, then ``transform(X)``.

    ``rho`` (>= 0, relative to the mean eigenvalue of S so it is scale-free) is Kung's ridge on the
    total scatter. After ``fit``: ``components_`` (n_components, d) and ``discriminant_power_`` (the
    generalized eigenvalues, descending).
    """

    def __init__(self, n_components: int, rho: float = 1e-3) -> None:
        if int(n_components) != n_components or n_components < 1:
            raise ValueError(f"n_components must be a positive integer, got {n_components!r}")
        if not np.isfinite(rho) or rho < 0:
            raise ValueError(f"rho (the ridge on the total scatter) must be a finite number >= 0, got {rho!r}")
        self.n_components, self.rho = int(n_components), float(rho)

    def fit(self, X: np.ndarray, y: np.ndarray) -> "DCA":
        X = check_xy(X, y)
        if self.n_components > X.shape[1]:
            raise ValueError(f"n_components={self.n_components} exceeds the input dimension {X.shape[1]}")
        if len(np.unique(y)) < 2:
            raise ValueError("DCA needs labels of at least two classes")
        between, total = scatter_matrices(X, y)
        ridge = self.rho * np.trace(total) / total.shape[0]
        if ridge == 0 and np.linalg.matrix_rank(total) < total.shape[0]:
            raise ValueError("the total scatter is singular (e.g. constant pixels): use rho > 0")
        d = X.shape[1]
        values, vectors = eigh(between, total + ridge * np.eye(d), subset_by_index=[d - self.n_components, d - 1])
        order = np.argsort(values)[::-1]
        self.mean_ = X.mean(0).astype(np.float64)
        self.discriminant_power_ = values[order]
        self.components_ = vectors[:, order].T
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        if not hasattr(self, "components_"):
            raise ValueError("this DCA is not fitted yet: call fit(X, y) first")
        X = check_xy(X)
        if X.shape[1] != len(self.mean_):
            raise ValueError(f"X has {X.shape[1]} features but the DCA was fitted on {len(self.mean_)}")
        return ((X - self.mean_) @ self.components_.T).astype(np.float32)

    def fit_transform(self, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        return self.fit(X, y).transform(X)
