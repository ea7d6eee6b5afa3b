"""Linear and logistic regression trained by mini-batch SGD on secret-shared data (SecureML, Mohassel &
Zhang, S&P 2017, Sec. 4.1-4.2), with a plaintext float64 reference that runs the same algorithm.

Data are partitioned by rows among the parties (hospitals); each party secret-shares its rows with
everyone, so the model is trained on the union without any party seeing another's rows. One SGD step on
batch B (Eq. 3 of SecureML, with the activation f):

    w <- w - (alpha / |B|) X_B^T (f(X_B w) - y_B)

f is the identity (linear regression) or SecureML's piecewise-linear sigmoid (Sec. 4.2, Fig. 6):
f(u) = 0 for u < -1/2, u + 1/2 for -1/2 <= u <= 1/2, 1 for u > 1/2. alpha / |B| must be a power of two,
so the step is one truncation. Batches run in the data's order (the split already shuffled the rows).
"""

from __future__ import annotations

import math
import time
from numbers import Integral

import numpy as np

from ...crypto.secret_sharing import SharedArray, SMPCSession, concatenate

KINDS = ("linear", "logistic")


def piecewise_sigmoid(u: np.ndarray) -> np.ndarray:
    """SecureML's activation (Sec. 4.2): clip(u + 1/2, 0, 1)."""
    return np.clip(np.asarray(u, dtype=np.float64) + 0.5, 0.0, 1.0)


def _secure_sigmoid(u: SharedArray) -> SharedArray:
    """f(u) = b_lo (u + 1/2) - b_hi (u - 1/2) with b_lo = [u >= -1/2], b_hi = [u > 1/2]: both sign bits in one
    comparison batch, then one batch of Beaver products of a bit and a fixed-point value."""
    n = u.shape[0]
    signs = concatenate([u + 0.5, 0.5 - u]).sign_bit()     # b_lo = 1 - msb(u + 1/2), b_hi = msb(1/2 - u)
    bits = concatenate([1 - signs[:n], signs[n:]])
    terms = bits * concatenate([u + 0.5, u - 0.5])
    return terms[:n] - terms[n:]


class _LinearModel:
    """Shared parameters, checks and prediction; ``coef_`` holds the weights, ``intercept_`` the bias."""

    def __init__(self, kind: str = "logistic", epochs: int = 5, batch_size: int = 32, learning_rate: float = 1.0):
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        for name, value in (("epochs", epochs), ("batch_size", batch_size)):
            if not isinstance(value, Integral) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        step = learning_rate / batch_size
        if not step > 0 or math.log2(step) != round(math.log2(step)):
            raise ValueError(f"learning_rate / batch_size = {step!r} must be a power of two (one truncation); "
                             f"e.g. learning_rate=1, batch_size=32")
        self.kind, self.epochs, self.batch_size, self.learning_rate = kind, epochs, batch_size, learning_rate
        self.step_shift = -round(math.log2(step))

    def _batches(self, n: int) -> list[slice]:
        return [slice(i, min(i + self.batch_size, n)) for i in range(0, n, self.batch_size)]

    @staticmethod
    def _with_bias(X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2:
            raise ValueError(f"X must be a 2-D array (samples x features), got shape {X.shape}")
        return np.hstack([X, np.ones((len(X), 1))])

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        if not hasattr(self, "coef_"):
            raise ValueError("the model is not fitted yet: call fit first")
        return np.asarray(X, dtype=np.float64) @ self.coef_ + self.intercept_

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Regression values (linear) or 0/1 labels (logistic, threshold f(u) >= 1/2, i.e. u >= 0)."""
        u = self.decision_function(X)
        return u if self.kind == "linear" else (u >= 0).astype(np.int64)

    def _set_weights(self, w: np.ndarray) -> None:
        self.coef_, self.intercept_ = w[:-1], float(w[-1])


class PlainLinearModel(_LinearModel):
    """The plaintext reference: the same SGD, batches and activation in float64."""

    def fit(self, X: np.ndarray, y: np.ndarray) -> "PlainLinearModel":
        Xb, y = self._with_bias(X), np.asarray(y, dtype=np.float64)
        w = np.zeros(Xb.shape[1])
        step = 2.0 ** -self.step_shift
        self.epoch_seconds_ = []
        for _ in range(self.epochs):
            start = time.perf_counter()
            for b in self._batches(len(y)):
                u = Xb[b] @ w
                w = w - step * (Xb[b].T @ ((piecewise_sigmoid(u) if self.kind == "logistic" else u) - y[b]))
            self.epoch_seconds_.append(time.perf_counter() - start)
        self._set_weights(w)
        return self


class SecureLinearModel(_LinearModel):
    """SGD on secret-shared data among ``n_parties`` (2 or more) with a trusted dealer for triples.

    ``fit(X_parts, y_parts)`` takes each party's rows; afterwards ``stats_`` holds the traffic of input
    sharing and training, ``epoch_stats_`` the traffic of one epoch, ``epoch_seconds_`` the times. The
    trained weights are revealed to all parties at the end (the only output).
    """

    def __init__(self, kind: str = "logistic", n_parties: int = 2, epochs: int = 5, batch_size: int = 32,
                 learning_rate: float = 1.0, frac_bits: int = 13):
        super().__init__(kind, epochs, batch_size, learning_rate)
        self.n_parties, self.frac_bits = n_parties, frac_bits

    def fit(self, X_parts: list[np.ndarray], y_parts: list[np.ndarray]) -> "SecureLinearModel":
        if len(X_parts) != self.n_parties or len(y_parts) != self.n_parties:
            raise ValueError(f"need one (X, y) block per party: {self.n_parties} parties, got {len(X_parts)} X "
                             f"and {len(y_parts)} y blocks")
        widths = {np.shape(X)[1] if np.ndim(X) == 2 else None for X in X_parts}
        if len(widths) != 1 or None in widths:
            raise ValueError(f"every party's X must be 2-D with the same columns, got shapes "
                             f"{[np.shape(X) for X in X_parts]}")
        for X, y in zip(X_parts, y_parts):
            if len(X) != len(y):
                raise ValueError(f"a party has {len(X)} rows of X but {len(y)} labels")
        session = SMPCSession(self.n_parties, self.frac_bits)
        X = concatenate([session.share(self._with_bias(Xp), owner=i) for i, Xp in enumerate(X_parts)])
        y = concatenate([session.share(np.asarray(yp, dtype=np.float64).reshape(-1, 1), owner=i)
                         for i, yp in enumerate(y_parts)])
        w = session.share(np.zeros((X.shape[1], 1)))
        self.epoch_seconds_, self.epoch_stats_ = [], []
        for _ in range(self.epochs):
            start, before = time.perf_counter(), session.stats.snapshot()
            for b in self._batches(X.shape[0]):
                Xb = X[b]
                u = Xb @ w
                err = (_secure_sigmoid(u) if self.kind == "logistic" else u) - y[b]
                w = w - (Xb.T @ err).truncate(self.step_shift)
            self.epoch_seconds_.append(time.perf_counter() - start)
            self.epoch_stats_.append(session.stats.since(before))
        self.stats_ = session.stats.snapshot()
        self._set_weights(session.reconstruct(w).ravel())
        return self


def hospital_split(X: np.ndarray, y: np.ndarray, n_parties: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Partition rows into ``n_parties`` contiguous, nearly equal blocks: each party (hospital) holds one."""
    if not isinstance(n_parties, Integral) or not 2 <= n_parties <= len(y):
        raise ValueError(f"n_parties must be an integer in [2, {len(y)}], got {n_parties!r}")
    blocks = np.array_split(np.arange(len(y)), n_parties)
    return [np.asarray(X)[b] for b in blocks], [np.asarray(y)[b] for b in blocks]
