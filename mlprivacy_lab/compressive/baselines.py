"""Noisy PCA, one of the previous methods (with PCA, random projection and ``dca.DCA``) CPGAN is compared with.

These are the comparison points of Tseng & Wu (2020), Fig. 5-6 ("comparison with previous works"):
PCA keeps the directions of largest variance (the best linear reconstruction, so the weakest privacy),
a Gaussian random projection (Johnson-Lindenstrauss) ignores the data, and additive Gaussian noise on
the PCA release is the DP-style perturbation (Dwork & Roth 2014, Gaussian mechanism, without a privacy
accounting: here sigma is just a knob).
"""

from __future__ import annotations

import numpy as np
from sklearn.decomposition import PCA

from .cpgan import check_xy


class NoisyPCA:
    """PCA to ``n_components`` followed by i.i.d. N(0, sigma^2) noise on every released coordinate."""

    def __init__(self, n_components: int, sigma: float = 1.0, seed: int = 0) -> None:
        if not np.isfinite(sigma) or sigma < 0:
            raise ValueError(f"sigma must be a finite number >= 0, got {sigma!r}")
        self.n_components, self.sigma, self.seed = n_components, float(sigma), seed

    def fit(self, X: np.ndarray, y: np.ndarray | None = None) -> "NoisyPCA":
        self.pca_ = PCA(self.n_components, random_state=self.seed).fit(check_xy(X))
        self.rng_ = np.random.default_rng(self.seed)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        Z = self.pca_.transform(check_xy(X))
        return (Z + self.sigma * self.rng_.normal(size=Z.shape)).astype(np.float32)

    def fit_transform(self, X: np.ndarray, y: np.ndarray | None = None) -> np.ndarray:
        return self.fit(X).transform(X)

