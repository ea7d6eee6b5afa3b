"""CPGAN: the Compressive Privacy Generative Adversarial Network.

Kung (2018), "A Compressive Privacy approach to Generalized Information Bottleneck and Privacy Funnel
problems", J. Franklin Inst. 355(4): clients release a *lossy compression* of their data, so the cloud
can serve the intended task (utility) while an intruder cannot rebuild the raw data (privacy).

Tseng & Wu (2020), "Compressive Privacy Generative Adversarial Network", IEEE TIFS 15, Eq. (1) as on
the lecture slide::

    max_G ( min_R  sum_i ||x_i - R(G(x_i))||^2  +  lambda * max_C  sum_i log P(C(G(x_i)) = t_i) )

G, the compressor, maps x to a lower dimension through a nonlinear network; C, the utility classifier,
predicts the label t from G(x); R, the intruder's reconstructor, rebuilds x from G(x). We train the
three alternately on each mini-batch (the paper's Algorithm 1): a step of R down its squared error, a
step of C down its cross-entropy, then a step of G *up* the objective, i.e. down
``lambda * CE(C(G(x)), t) - MSE_R / v`` with v the mean per-coordinate variance of the training rows. The
inner ``min_R`` is taken over two reconstructors, and ``MSE_R`` is the smaller error: the network R, and a
kernel ridge reconstructor (random Fourier features, Rahimi & Recht 2007) solved in closed form on the
batch, cross-fitted on its two halves (``kernel_ridge_error``). A lagging R alone let G hide x from R while
a fresh kernel intruder still rebuilt it (on the mixture, every lambda ended at the same MSE of 2.03). We use means instead of sums and divide by v (both constants go into lambda), so lambda means the same
on every data set: lambda = 0 asks G only for privacy, a large lambda mostly for utility.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from ..config import device as default_device
from ..models import Batch, as_tensors, descend, fit_minibatches, mlp

ADVERSARY_FEATURES = 64


def check_xy(X: np.ndarray, y: np.ndarray | None = None) -> np.ndarray:
    """``X`` as a float32 (n, d) array; a clear error for other shapes or a label count mismatch."""
    X = np.asarray(X, dtype=np.float32)
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"X must be a 2-D array (n_samples, n_features), got shape {X.shape}; "
                         "flatten images with X.reshape(len(X), -1)")
    if y is not None and (np.ndim(y) != 1 or len(y) != len(X)):
        raise ValueError(f"y must be a 1-D array with one label per row of X ({len(X)}), got shape {np.shape(y)}")
    return X


def train_reconstructor(Z: np.ndarray, X: np.ndarray, *, hidden: Sequence[int] = (128,), epochs: int = 20,
                        batch_size: int = 64, lr: float = 1e-3, seed: int = 0,
                        device: torch.device | None = None) -> nn.Module:
    """The intruder: a fresh MLP trained with Adam to map released data ``Z`` back to raw data ``X``."""
    Z, X = check_xy(Z), check_xy(X)
    if len(Z) != len(X):
        raise ValueError(f"Z has {len(Z)} rows but X has {len(X)}: pair each release with its raw row")
    dev = device or default_device()
    torch.manual_seed(seed)
    model = mlp(Z.shape[1], X.shape[1], hidden).to(dev).train()
    Zt, Xt = as_tensors(Z, dev=dev), as_tensors(X, dev=dev)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    fit_minibatches(lambda batch: descend(opt, nn.functional.mse_loss(model(Zt[batch.index]), Xt[batch.index])),
                    len(Zt), epochs=epochs, batch_size=batch_size, seed=seed, device=dev)
    return model.eval()


def kernel_ridge_error(z: torch.Tensor, x: torch.Tensor, omega: torch.Tensor, phase: torch.Tensor,
                       alpha: float = 1e-2) -> torch.Tensor:
    """Held-out MSE of the closed-form ridge reconstructor of ``x`` from features ``[z, 1, sqrt(2/D) cos(v omega +
    phase)]`` (``v``: ``z`` standardised on the batch; Rahimi & Recht 2007, Eq. 2), fitted on one half of the batch
    and scored on the other, both ways (cross-fitting, so it cannot just memorise the batch). Differentiable in
    ``z``: G's gradient ascent on it hides x from the best reconstructor of that family, not from one network."""
    v = (z - z.mean(0)) / (z.std(0) + 1e-6)
    features = torch.cat([z, torch.ones_like(z[:, :1]), torch.cos(v @ omega + phase) * (2 / omega.shape[1]) ** 0.5], 1)
    half = len(z) // 2
    error = z.new_zeros(())
    for fit, score in ((slice(0, half), slice(half, None)), (slice(half, None), slice(0, half))):
        A = features[fit]
        gram = A.T @ A + alpha * len(A) * torch.eye(A.shape[1], dtype=A.dtype, device=A.device)
        W = torch.linalg.solve(gram, A.T @ x[fit])
        error = error + nn.functional.mse_loss(features[score] @ W, x[score]) / 2
    return error


@torch.no_grad()
def reconstruct(model: nn.Module, Z: np.ndarray) -> np.ndarray:
    """The reconstructor's guess of the raw rows behind ``Z``."""
    dev = next(model.parameters()).device
    return model(as_tensors(check_xy(Z), dev=dev)).cpu().numpy()


class CPGAN:
    """Compressor G trained against an intruder R while keeping a classifier C accurate (Tseng & Wu 2020).

    ``fit(X, y)`` trains G, C and R alternately; ``transform(X)`` releases G(X), ``predict(X)`` is C's
    label for the released data. ``lam`` is the slide's lambda (utility weight, >= 0). After ``fit``,
    ``history`` holds one record per epoch: R's mean squared error and C's cross-entropy on the training data.
    """

    def __init__(self, n_components: int, lam: float = 1.0, *, hidden: Sequence[int] = (128,),
                 epochs: int = 20, batch_size: int = 64, lr: float = 1e-3, seed: int = 0,
                 progress: bool = False, device: torch.device | None = None) -> None:
        if int(n_components) != n_components or n_components < 1:
            raise ValueError(f"n_components must be a positive integer, got {n_components!r}")
        if not np.isfinite(lam) or lam < 0:
            raise ValueError(f"lam (lambda, the utility weight) must be a finite number >= 0, got {lam!r}")
        if epochs < 1 or batch_size < 1 or lr <= 0:
            raise ValueError("epochs and batch_size must be positive integers and lr positive")
        self.n_components, self.lam, self.hidden = int(n_components), float(lam), tuple(hidden)
        self.epochs, self.batch_size, self.lr, self.seed = epochs, batch_size, lr, seed
        self.progress, self.device = progress, device
        self.history: list[dict] = []

    def fit(self, X: np.ndarray, y: np.ndarray) -> "CPGAN":
        X = check_xy(X, y)
        y = np.asarray(y, dtype=np.int64)
        if y.min() < 0:
            raise ValueError("labels y must be integers 0..n_classes-1")
        if self.n_components >= X.shape[1]:
            raise ValueError(f"n_components={self.n_components} must be below the input dimension {X.shape[1]}: "
                             "CPGAN compresses")
        dev = self.device or default_device()
        torch.manual_seed(self.seed)
        self.n_features_in_, self.n_classes_ = X.shape[1], int(y.max()) + 1
        # G, C and R see rows centred and divided by one global scale (the root mean per-coordinate variance):
        # R's MSE is then the fraction of the variance it fails to explain (about 1 when it learns nothing),
        # on the scale of the cross-entropy. Without this the raw mixture's MSE (about 6) swamped the
        # cross-entropy (at most log 2) for lambda <= 1, G saturated its tanh and froze (chapter 8 shows it).
        self.mean_ = X.mean(0)
        self.scale_ = np.float32(max(float(np.sqrt(X.var(0).mean())), 1e-6))
        X = self._standardise(X)
        # G ends in tanh: a bounded release, so G cannot "win" against R by inflating its output scale.
        self.G_ = nn.Sequential(mlp(X.shape[1], self.n_components, self.hidden), nn.Tanh()).to(dev)
        self.C_ = mlp(self.n_components, self.n_classes_, self.hidden).to(dev)
        self.R_ = mlp(self.n_components, X.shape[1], self.hidden).to(dev)
        opt_g, opt_c, opt_r = (torch.optim.Adam(m.parameters(), lr=self.lr) for m in (self.G_, self.C_, self.R_))
        Xt, yt = as_tensors(X, y, dev)
        mse, ce = nn.functional.mse_loss, nn.functional.cross_entropy
        gen = torch.Generator().manual_seed(self.seed)
        omega = torch.randn(self.n_components, ADVERSARY_FEATURES, generator=gen).to(dev)
        phase = (torch.rand(ADVERSARY_FEATURES, generator=gen) * 2 * torch.pi).to(dev)

        def step(batch: Batch) -> dict[str, float]:
            x, t = Xt[batch.index], yt[batch.index]
            z = self.G_(x).detach()
            descend(opt_r, mse(self.R_(z), x))  # min_R
            descend(opt_c, ce(self.C_(z), t))  # max_C log P(t_hat = t)
            z = self.G_(x)
            rec = mse(self.R_(z), x)
            if len(x) >= 8:  # min over both reconstructors (a tiny last batch has too few rows to cross-fit)
                rec = torch.minimum(rec, kernel_ridge_error(z, x, omega, phase))
            cls = ce(self.C_(z), t)
            descend(opt_g, self.lam * cls - rec)  # max_G (reconstruction error + lambda * log-likelihood)
            return {"train_mse_R": rec.item() * len(x), "train_ce_C": cls.item() * len(x)}

        self.history = fit_minibatches(step, len(Xt), epochs=self.epochs, batch_size=self.batch_size,
                                       seed=self.seed, device=dev, progress=self.progress,
                                       desc=f"CPGAN lambda={self.lam:g}")
        for m in (self.G_, self.C_, self.R_):
            m.eval()
        return self

    def _standardise(self, X: np.ndarray) -> np.ndarray:
        return ((X - self.mean_) / self.scale_).astype(np.float32)

    def _check_fitted(self, X: np.ndarray) -> np.ndarray:
        if not hasattr(self, "G_"):
            raise ValueError("this CPGAN is not fitted yet: call fit(X, y) first")
        X = check_xy(X)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} features but the CPGAN was fitted on {self.n_features_in_}")
        return X

    @torch.no_grad()
    def transform(self, X: np.ndarray) -> np.ndarray:
        """The released, compressed data G(X), shape (n, n_components)."""
        X = self._check_fitted(X)
        dev = next(self.G_.parameters()).device
        return self.G_(as_tensors(self._standardise(X), dev=dev)).cpu().numpy()

    def fit_transform(self, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        return self.fit(X, y).transform(X)

    @torch.no_grad()
    def predict(self, X: np.ndarray) -> np.ndarray:
        """The utility classifier C's labels for the released data G(X)."""
        Z = as_tensors(self.transform(X), dev=next(self.C_.parameters()).device)
        return self.C_(Z).argmax(1).cpu().numpy()
