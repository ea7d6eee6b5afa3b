"""Linear and logistic regression trained by mini-batch SGD on secret-shared data (SecureML, Mohassel &
Zhang, S&P 2017, Sec. 4.1-4.2), with a plaintext float64 reference that runs the same algorithm.

Data are partitioned by rows among the parties (hospitals); each party secret-shares its rows with
everyone, so the model is trained on the union without any party seeing another's rows. One SGD step on
batch B (Eq. 3 of SecureML, with the activation f):

    w <- w - (alpha / |B|) X_B^T (f(X_B w) - y_B)

f is the identity (linear regression) or SecureML's piecewise-linear sigmoid (Sec. 4.2, Fig. 6):
f(u) = 0 for u < -1/2, u + 1/2 for -1/2 <= u <= 1/2, 1 for u > 1/2. alpha / |B| must be a power of two
(below 1 on shares), so the step is one truncation. Batches run in the data's order (the split already
shuffled the rows).

Public bounds. Every shared value carries a public magnitude bound (``crypto.secret_sharing``); worst-case
propagation through plain SGD grows the weights' bound by alpha·max|x|·max|f - y| per step, and for linear
regression the residual's bound by d·max|x|·max|w|, until a truncation's failure risk passes the session's
threshold. Two public clips keep every bound fixed, in both models (so the plaintext reference runs the
same algorithm): after each step the weights are projected onto [-weight_bound, weight_bound] (projected
SGD), and linear regression clips its residual to [-residual_bound, residual_bound], the gradient of the
Huber loss with delta = residual_bound (Huber, 1964). The sigmoid's output lies in [0, 1] by construction.
On the standardised breast cancer and MNIST 0-vs-1 tasks the defaults (weight_bound=2, residual_bound=4) are
inactive (|w| < 0.7, residuals < 2); the weight clip costs 2(d + 1) comparisons per step. The run's summed
truncation failure bound is ``stats_["truncation_failure"]``.
"""

from __future__ import annotations

import math
import time
from numbers import Integral, Real

import numpy as np

from ...crypto.fixed_point import RING_BITS
from ...crypto.secret_sharing import SharedArray, SMPCSession, concatenate

KINDS = ("linear", "logistic")


def piecewise_sigmoid(u: np.ndarray) -> np.ndarray:
    """SecureML's activation (Sec. 4.2): clip(u + 1/2, 0, 1)."""
    return np.clip(np.asarray(u, dtype=np.float64) + 0.5, 0.0, 1.0)


def _secure_sigmoid(u: SharedArray) -> SharedArray:
    """f(u) = clip(u + 1/2, 0, 1) = b_lo (u + 1/2) - b_hi (u - 1/2) with b_lo = [u >= -1/2], b_hi = [u > 1/2]
    (``SharedArray.clip``: both sign bits in one comparison batch, then one batch of Beaver products of a bit
    and a fixed-point value); its public bound is 1."""
    return (u + 0.5).clip(0.0, 1.0)


class _LinearModel:
    """Shared parameters, checks and prediction; ``coef_`` holds the weights, ``intercept_`` the bias."""

    def __init__(self, kind: str = "logistic", epochs: int = 5, batch_size: int = 32, learning_rate: float = 1.0,
                 weight_bound: float = 2.0, residual_bound: float = 4.0):
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        for name, value in (("epochs", epochs), ("batch_size", batch_size)):
            if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        for name, value in (("learning_rate", learning_rate), ("weight_bound", weight_bound),
                            ("residual_bound", residual_bound)):
            if isinstance(value, bool) or not isinstance(value, Real) or not 0 < value < math.inf:
                raise ValueError(f"{name} must be a positive finite number, got {value!r}")
        step = learning_rate / batch_size
        if math.log2(step) != round(math.log2(step)):
            raise ValueError(f"learning_rate / batch_size = {step!r} must be a power of two (one truncation); "
                             f"e.g. learning_rate=1, batch_size=32")
        self.kind, self.epochs, self.batch_size, self.learning_rate = kind, epochs, batch_size, learning_rate
        self.weight_bound, self.residual_bound = float(weight_bound), float(residual_bound)
        self.step_shift = -round(math.log2(step))

    def _batches(self, n: int) -> list[slice]:
        return [slice(i, min(i + self.batch_size, n)) for i in range(0, n, self.batch_size)]

    def _checked(self, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """X with its bias column and y as float64, once shapes and values are checked."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2:
            raise ValueError(f"X must be a 2-D array (samples x features), got shape {X.shape}")
        y = np.asarray(y, dtype=np.float64)
        if y.shape != (len(X),):
            raise ValueError(f"y must hold one label per row of X: X has {len(X)} rows, y has shape {y.shape}")
        if not (np.isfinite(X).all() and np.isfinite(y).all()):
            raise ValueError("X and y must be finite: remove or impute NaN and infinite entries")
        if self.kind == "logistic" and not ((y >= 0) & (y <= 1)).all():
            raise ValueError(f"logistic regression needs labels in [0, 1] (0/1 classes), got values in "
                             f"[{y.min()!r}, {y.max()!r}]")
        return np.hstack([X, np.ones((len(X), 1))]), y

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
        Xb, y = self._checked(X, y)
        w = np.zeros(Xb.shape[1])
        step, W, R = 2.0 ** -self.step_shift, self.weight_bound, self.residual_bound
        self.epoch_seconds_ = []
        for _ in range(self.epochs):
            start = time.perf_counter()
            for b in self._batches(len(y)):
                u = Xb[b] @ w
                err = piecewise_sigmoid(u) - y[b] if self.kind == "logistic" else np.clip(u - y[b], -R, R)
                w = np.clip(w - step * (Xb[b].T @ err), -W, W)
            self.epoch_seconds_.append(time.perf_counter() - start)
        self._set_weights(w)
        return self


class SecureLinearModel(_LinearModel):
    """SGD on secret-shared data among ``n_parties`` (2 or more) with a trusted dealer for triples.

    ``fit(X_parts, y_parts)`` takes each party's rows; afterwards ``stats_`` holds the traffic of input
    sharing and training and ``truncation_failure``, the summed SecureML failure bounds of every value it
    truncated; ``epoch_stats_`` the same for one epoch, ``epoch_seconds_`` the times. The trained weights
    are revealed to all parties at the end (the only output). Each party's shares reveal the bit length of
    its largest |feature| (the public bound, ``SMPCSession.share``).
    """

    def __init__(self, kind: str = "logistic", n_parties: int = 2, epochs: int = 5, batch_size: int = 32,
                 learning_rate: float = 1.0, frac_bits: int = 13, weight_bound: float = 2.0,
                 residual_bound: float = 4.0):
        super().__init__(kind, epochs, batch_size, learning_rate, weight_bound, residual_bound)
        if not 1 <= self.step_shift <= RING_BITS - 2:
            raise ValueError(f"learning_rate / batch_size = {learning_rate / batch_size!r} must lie in "
                             f"[2^-{RING_BITS - 2}, 1/2] for secure training (the step is a truncation by "
                             f"-log2(step) >= 1 bits): lower learning_rate or raise batch_size")
        self.n_parties, self.frac_bits = n_parties, frac_bits

    def fit(self, X_parts: list[np.ndarray], y_parts: list[np.ndarray]) -> "SecureLinearModel":
        if len(X_parts) != self.n_parties or len(y_parts) != self.n_parties:
            raise ValueError(f"need one (X, y) block per party: {self.n_parties} parties, got {len(X_parts)} X "
                             f"and {len(y_parts)} y blocks")
        widths = {np.shape(X)[1] if np.ndim(X) == 2 else None for X in X_parts}
        if len(widths) != 1 or None in widths:
            raise ValueError(f"every party's X must be 2-D with the same columns, got shapes "
                             f"{[np.shape(X) for X in X_parts]}")
        blocks = [self._checked(X, y) for X, y in zip(X_parts, y_parts)]
        session = SMPCSession(self.n_parties, self.frac_bits)
        X = concatenate([session.share(Xb, owner=i) for i, (Xb, _) in enumerate(blocks)])
        y = concatenate([session.share(yb.reshape(-1, 1), owner=i) for i, (_, yb) in enumerate(blocks)])
        w = session.share(np.zeros((X.shape[1], 1)))
        W, R = self.weight_bound, self.residual_bound
        self.epoch_seconds_, self.epoch_stats_ = [], []
        for _ in range(self.epochs):
            start, before = time.perf_counter(), session.stats.snapshot()
            for b in self._batches(X.shape[0]):
                Xb = X[b]
                u = Xb @ w
                err = _secure_sigmoid(u) - y[b] if self.kind == "logistic" else (u - y[b]).clip(-R, R)
                w = (w - (Xb.T @ err).truncate(self.step_shift)).clip(-W, W)
            self.epoch_seconds_.append(time.perf_counter() - start)
            self.epoch_stats_.append(session.stats.since(before))
        self.stats_ = session.stats.snapshot()
        self._set_weights(session.reconstruct(w).ravel())
        return self


def hospital_split(X: np.ndarray, y: np.ndarray, n_parties: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Partition rows into ``n_parties`` contiguous, nearly equal blocks: each party (hospital) holds one."""
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)} labels: give one label per row")
    if isinstance(n_parties, bool) or not isinstance(n_parties, Integral) or not 2 <= n_parties <= len(y):
        raise ValueError(f"n_parties must be an integer in [2, {len(y)}] (at most one party per row), got "
                         f"{n_parties!r}")
    blocks = np.array_split(np.arange(len(y)), n_parties)
    return [np.asarray(X)[b] for b in blocks], [np.asarray(y)[b] for b in blocks]
