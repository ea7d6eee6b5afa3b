"""The lecture's 784-128-128-10 network trained by mini-batch SGD on secret shares (SecureML, Mohassel & Zhang,
S&P 2017, Sec. 4.3), with a plaintext float64 reference that runs the same algorithm.

One step on batch B (no biases; h_0 = x, alpha / |B| = 2^-step_shift):

    u_l = h_{l-1} W_l,  h_l = clip(u_l, 0, cap),  m_l = [0 <= u_l <= cap]       (l = 1, 2)
    u_3 = h_2 W_3,      e = clip(u_3 - y, -R, R)                               (square loss, Huber-clipped)
    d_2 = (e W_3^T) * m_2,  d_1 = (d_2 W_2^T) * m_1
    W_l <- clip(W_l - 2^-step_shift h_{l-1}^T d_l, -weight_bound, weight_bound)   (d_3 = e)

SecureML's approximations: the square loss instead of softmax (their Sec. 4.3 allows either), ReLU and its
derivative from the sign bit of u (here ``SharedArray.sign_bit``, the dealer-aided comparison circuit, never
revealed); linear layers by Beaver matrix triples (``crypto.ring``: exact Z_2^64 products by float64 limbs).
The cap on the ReLU (a bounded ReLU, min(max(u, 0), cap)), the Huber clip of the residual and the projection
of the weights onto [-weight_bound, weight_bound] are public clips that keep every public magnitude bound
fixed (``crypto.secret_sharing``), so that the SecureML truncation after every product has a tiny, stated
failure probability; the plaintext reference applies the same clips. Scales: pixels at 2^-8 (p / 256, exact),
weights 2^-13, activations and output errors 2^-10, d_2 at 2^-10, d_1 at 2^-7; each product is truncated once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from tqdm.auto import tqdm

from ...crypto.secret_sharing import SharedArray, SMPCSession, concatenate
from ...models import clipped_normal_weights, seeded_order

LAYERS = (784, 128, 128, 10)


@dataclass(frozen=True)
class NetworkConfig:
    """Public hyper-parameters shared by the plaintext and the secret-shared network."""

    batch_size: int = 128
    step_shift: int = 8  # alpha / |B| = 2^-8: alpha = 0.5 at |B| = 128
    cap: float = 4.0
    residual_bound: float = 1.0
    weight_bound: float = 0.25
    x_frac: int = 8
    weight_frac: int = 13
    act_frac: int = 10
    delta_frac: int = 10
    input_delta_frac: int = 7
    seed: int = 0

    @property
    def name(self) -> str:
        return "-".join(map(str, LAYERS))


def quantize_pixels(X: np.ndarray) -> np.ndarray:
    """Pixels p / 255 in [0, 1] to p / 256: exact at scale 2^-8, the input both networks see."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != LAYERS[0] or not np.isfinite(X).all() or X.min() < 0 or X.max() > 1:
        raise ValueError(f"X must be finite pixels in [0, 1] of shape (n, {LAYERS[0]}), got shape {X.shape}")
    return np.rint(X * 255.0) / 256.0


def one_hot(y: np.ndarray) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim != 1 or not np.isin(y, np.arange(LAYERS[-1])).all():
        raise ValueError(f"labels must be a 1-D array of digits 0..{LAYERS[-1] - 1}")
    return np.eye(LAYERS[-1])[y]


def initial_weights(config: NetworkConfig) -> list[np.ndarray]:
    """He-style normal init (std sqrt(1 / fan_in)), projected onto the public weight range; seeded and public
    (``models.clipped_normal_weights``): both parties and the plaintext reference start from it."""
    return clipped_normal_weights(LAYERS, config.weight_bound, config.seed)


def batch_indices(n_rows: int, n_train: int, config: NetworkConfig) -> list[np.ndarray]:
    """Full batches of one epoch of ``n_train`` samples drawn from ``n_rows`` rows: seeded permutations of the
    rows, concatenated as often as needed (n_train > n_rows repeats the data, shape-matching a larger set)."""
    if not isinstance(n_train, int) or isinstance(n_train, bool) or n_train < config.batch_size or n_rows < 1:
        raise ValueError(f"an epoch needs n_train >= batch_size = {config.batch_size} samples (an integer) from at "
                         f"least one row, got n_train={n_train!r}, n_rows={n_rows!r}")
    order = seeded_order(n_rows, n_train, config.seed + 1)
    b = config.batch_size
    return [order[i:i + b] for i in range(0, n_train - b + 1, b)]


def predict(weights: list[np.ndarray], X: np.ndarray, config: NetworkConfig) -> np.ndarray:
    """Digits predicted by the (plaintext) network: argmax of its output."""
    h = quantize_pixels(X)
    for W in weights[:-1]:
        h = np.clip(h @ W, 0.0, config.cap)
    return np.argmax(h @ weights[-1], axis=1)


def plain_epoch(weights: list[np.ndarray], X: np.ndarray, Y: np.ndarray, batches: list[np.ndarray],
                config: NetworkConfig) -> list[np.ndarray]:
    """One epoch of the algorithm above in float64 (the reference; X quantised, Y one-hot)."""
    W1, W2, W3 = (w.copy() for w in weights)
    step, c, R, Wb = 2.0 ** -config.step_shift, config.cap, config.residual_bound, config.weight_bound
    for idx in batches:
        x, y = X[idx], Y[idx]
        u1 = x @ W1
        h1, m1 = np.clip(u1, 0, c), (u1 >= 0) & (u1 <= c)
        u2 = h1 @ W2
        h2, m2 = np.clip(u2, 0, c), (u2 >= 0) & (u2 <= c)
        e = np.clip(h2 @ W3 - y, -R, R)
        d2 = (e @ W3.T) * m2
        d1 = (d2 @ W2.T) * m1
        W3 = np.clip(W3 - step * (h2.T @ e), -Wb, Wb)
        W2 = np.clip(W2 - step * (h1.T @ d2), -Wb, Wb)
        W1 = np.clip(W1 - step * (x.T @ d1), -Wb, Wb)
    return [W1, W2, W3]


def _exact(like: SharedArray, shared: SharedArray, bound_real: float) -> SharedArray:
    """``shared`` with the exact public bound a clip guarantees (as ``SharedArray.clip`` sets it)."""
    bound = int(np.ceil(bound_real * 2 ** shared.frac_bits))
    return SharedArray(like.session, shared.shares, shared.frac_bits, shared.sharing_id, bound)


def secure_capped_relu(u: SharedArray, cap: float) -> tuple[SharedArray, SharedArray]:
    """(clip(u, 0, cap), [0 <= u <= cap]) on shares: the sign bits of u and cap - u in one comparison batch,
    then b_lo u - b_hi (u - cap) in one batch of bit-times-value Beaver products (exact, no truncation)."""
    n = u.shape[0]
    signs = concatenate([u, cap - u]).sign_bit()
    b_lo, b_hi = 1 - signs[:n], signs[n:]
    terms = concatenate([b_lo, b_hi]) * concatenate([u, u - cap])
    mask = _exact(u, b_lo - b_hi, 1.0)
    return _exact(u, terms[:n] - terms[n:], cap), mask


class SecureNetwork:
    """The network's weights secret-shared in ``session`` (plaintext arrays are shared by party 0, the model
    owner; ``SharedArray`` weights are used as given); ``epoch`` trains on shared X, Y. With an ``SMPCSession``
    all shares live here (parties simulated, messages counted); with a ``twoprocess.PartySession`` this
    process is one real party."""

    def __init__(self, session: SMPCSession, weights: list[np.ndarray], config: NetworkConfig):
        self.session, self.config = session, config
        self.weights = [W if isinstance(W, SharedArray) else
                        session.share(W, bound=config.weight_bound, frac_bits=config.weight_frac) for W in weights]

    def share_data(self, X: np.ndarray, Y: np.ndarray, owner: int = 0) -> tuple[SharedArray, SharedArray]:
        """The data owner shares quantised pixels (scale 2^-8, exact) and one-hot labels (2^-act_frac)."""
        c = self.config
        return (self.session.share(X, owner=owner, bound=1.0, frac_bits=c.x_frac),
                self.session.share(Y, owner=owner, bound=1.0, frac_bits=c.act_frac))

    def step(self, x: SharedArray, y: SharedArray) -> None:
        c = self.config
        W1, W2, W3 = self.weights
        h1, m1 = secure_capped_relu(x.matmul(W1, frac_bits=c.act_frac), c.cap)
        h2, m2 = secure_capped_relu(h1.matmul(W2, frac_bits=c.act_frac), c.cap)
        e = (h2.matmul(W3, frac_bits=c.act_frac) - y).clip(-c.residual_bound, c.residual_bound)
        d2 = e.matmul(W3.T, frac_bits=c.delta_frac) * m2
        d1 = d2.matmul(W2.T, frac_bits=c.input_delta_frac) * m1
        updates = [(W1, x, d1), (W2, h1, d2), (W3, h2, e)]
        self.weights = [(W - h.T.matmul(d, frac_bits=c.weight_frac, shift=c.step_shift))
                        .clip(-c.weight_bound, c.weight_bound) for W, h, d in updates]

    def epoch(self, X: SharedArray, Y: SharedArray, batches: list[np.ndarray], progress: bool = False) -> dict:
        """Train one epoch; returns its seconds (the parties' compute: wall time minus the dealer's) and its
        traffic (``CommStats.since``)."""
        before, start = self.session.stats.snapshot(), time.perf_counter()
        for idx in tqdm(batches, desc="secure epoch", disable=not progress):
            self.step(X[idx], Y[idx])
        wall = time.perf_counter() - start
        stats = self.session.stats.since(before)
        return {"seconds": wall - stats["dealer_seconds"], "wall_seconds": wall, **stats}

    def reveal(self) -> list[np.ndarray]:
        return [self.session.reconstruct(W) for W in self.weights]
