"""The lecture's other remedies: pre-processing the input, and detecting adversarial examples.

- Bit-depth reduction (Xu, Evans & Qi, NDSS 2018, "Feature Squeezing", Sec. III-A): ``round(x (2^k - 1)) / (2^k - 1)``
  keeps ``2^k`` grey levels. Its gradient is zero almost everywhere, so a gradient attack through it sees nothing:
  an *obfuscated gradient* (Athalye, Carlini & Wagner, ICML 2018, Sec. 3.1, "shattered gradients").
- Median smoothing (Xu et al. 2018, Sec. III-B): each pixel becomes the median of its ``size x size`` window
  (edges reflected as in ``scipy.ndimage.median_filter``'s default ``mode="reflect"``).
- ``Preprocessed(model, transform)``: the defended classifier ``f(t(x))``.
- ``Detector`` / ``train_detector``: a binary classifier of clean vs adversarial inputs trained on PGD examples
  (Gong, Wang & Ku 2017, "Adversarial and clean data are not twins": a classifier on the inputs; relatives:
  Grosse et al. 2017, an extra "adversarial" class, and Metzen et al., ICLR 2017, a detector on inner layers),
  by default a logistic regression on the pixels; an input is flagged when its score ``z_adv - z_clean``
  exceeds a threshold set for a chosen false-positive rate on clean data.

``attacks.adaptive`` breaks both: BPDA through the pre-processing, and a detector-aware PGD.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor, nn

from ..config import device as default_device
from ..models import as_tensors, train_classifier

__all__ = ["BitDepth", "Detector", "MedianSmoothing", "Preprocessed", "bit_depth", "median_smooth",
           "train_detector"]


def _finite_pixels(x: Tensor, what: str) -> None:
    if not torch.isfinite(x).all():
        raise ValueError(f"{what} got NaN or infinite inputs; pass pixels in [0, 1]")
    if x.numel() and (x.min() < 0 or x.max() > 1):
        raise ValueError(f"{what} expects pixels in [0, 1], got values in [{float(x.min()):.3g}, "
                         f"{float(x.max()):.3g}]; clip or rescale the inputs first")


def _bits(bits: int) -> int:
    if isinstance(bits, bool) or not isinstance(bits, (int, np.integer)) or not 1 <= bits <= 16:
        raise ValueError(f"bits must be an integer from 1 to 16 (2 to 65,536 grey levels), got {bits!r}")
    return int(bits)


def bit_depth(x: Tensor, bits: int) -> Tensor:
    """``round(x (2^bits - 1)) / (2^bits - 1)`` for pixels in [0, 1] (Xu et al. 2018, Sec. III-A)."""
    levels = 2 ** _bits(bits) - 1
    x = torch.as_tensor(x)
    _finite_pixels(x, "bit_depth")
    return torch.round(x * levels) / levels


def _size(size: int) -> int:
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1 or size % 2 == 0:
        raise ValueError(f"size must be an odd positive integer (3 for a 3 x 3 window), got {size!r}")
    return int(size)


def _reflect_index(n: int, pad: int, device: torch.device) -> Tensor:
    """Indices of a length-``n`` axis padded by ``pad`` on each side in scipy's "reflect" mode (d c b a | a b c d)."""
    i = torch.arange(-pad, n + pad, device=device)
    period = 2 * n
    i = torch.remainder(i, period)
    return torch.where(i >= n, period - 1 - i, i)


def median_smooth(x: Tensor, size: int, image_shape: tuple[int, int]) -> Tensor:
    """Median of each ``size x size`` window, per image (Xu et al. 2018, Sec. III-B).

    ``x`` is a batch of flattened images ``(n, h*w)`` or images ``(n, h, w)``; the result has ``x``'s shape and
    equals ``scipy.ndimage.median_filter(image, size=size, mode="reflect")`` per image. The median passes the
    gradient to the selected pixel (it is not an obfuscated gradient).
    """
    size = _size(size)
    h, w = image_shape
    x = torch.as_tensor(x)
    if x.dim() not in (2, 3) or x.shape[1:] not in ((h * w,), (h, w)):
        raise ValueError(f"x must be (n, {h * w}) flattened or (n, {h}, {w}) images, got {tuple(x.shape)}")
    if not torch.isfinite(x).all():
        raise ValueError("median_smooth got NaN or infinite inputs")
    pad = size // 2
    images = x.reshape(-1, h, w)
    images = images.index_select(1, _reflect_index(h, pad, x.device)).index_select(2, _reflect_index(w, pad, x.device))
    windows = images.unfold(1, size, 1).unfold(2, size, 1).reshape(-1, h, w, size * size)
    return windows.median(-1).values.reshape(x.shape)


class BitDepth(nn.Module):
    """``bit_depth(x, bits)`` as a module."""

    def __init__(self, bits: int) -> None:
        super().__init__()
        self.bits = _bits(bits)

    def forward(self, x: Tensor) -> Tensor:
        return bit_depth(x, self.bits)

    def extra_repr(self) -> str:
        return f"bits={self.bits}"


class MedianSmoothing(nn.Module):
    """``median_smooth(x, size, image_shape)`` as a module."""

    def __init__(self, size: int = 3, image_shape: tuple[int, int] = (28, 28)) -> None:
        super().__init__()
        self.size, self.image_shape = _size(size), tuple(image_shape)

    def forward(self, x: Tensor) -> Tensor:
        return median_smooth(x, self.size, self.image_shape)

    def extra_repr(self) -> str:
        return f"size={self.size}, image_shape={self.image_shape}"


class Preprocessed(nn.Module):
    """A defended classifier ``model(transform(x))``: the pre-processing defence of the lecture's slide."""

    def __init__(self, model: nn.Module, transform: nn.Module) -> None:
        super().__init__()
        if not isinstance(model, nn.Module) or not isinstance(transform, nn.Module):
            raise ValueError("Preprocessed(model, transform) needs two torch modules, e.g. (small_cnn(), BitDepth(3))")
        self.model, self.transform = model, transform

    def forward(self, x: Tensor) -> Tensor:
        return self.model(self.transform(x))


class Detector(nn.Module):
    """Scores ``z_adv(x) - z_clean(x)`` of a two-class ``network`` (class 1 = adversarial); ``flags(x)`` is
    ``score > threshold``. Differentiable, so an adaptive attacker can descend on it (Carlini & Wagner 2017)."""

    def __init__(self, network: nn.Module, threshold: float = 0.0) -> None:
        super().__init__()
        self.network, self.threshold = network, float(threshold)

    def forward(self, x: Tensor) -> Tensor:
        z = self.network(x)
        return z[:, 1] - z[:, 0]

    @torch.no_grad()
    def scores(self, X) -> np.ndarray:
        """Scores of a batch, as a numpy array."""
        self.eval()
        return self(as_tensors(X, model=self.network)).double().cpu().numpy()

    def flags(self, X) -> np.ndarray:
        """True where the detector calls the input adversarial."""
        return self.scores(X) > self.threshold


def train_detector(X_clean, X_adv, *, X_calibration=None, false_positive_rate: float = 0.05,
                   network: nn.Module | None = None, epochs: int = 5, lr: float = 1e-2, seed: int = 0,
                   device: torch.device | None = None) -> Detector:
    """Train a clean-vs-adversarial classifier (Gong et al. 2017; cf. Grosse et al. 2017, Metzen et al. 2017) and
    set its threshold.

    ``network`` (default: logistic regression, ``nn.Linear(d, 2)``) is trained with Adam on the rows of
    ``X_clean`` (label 0) and ``X_adv`` (label 1). The threshold is the ``1 - false_positive_rate`` quantile of
    the scores of ``X_calibration`` (clean inputs not used for training; default ``X_clean``), so at most that
    fraction of them is flagged.
    """
    X_clean, X_adv = (np.asarray(torch.as_tensor(a).detach().cpu(), dtype=np.float32) for a in (X_clean, X_adv))
    if X_clean.ndim != 2 or X_adv.ndim != 2 or X_clean.shape[1] != X_adv.shape[1] or not len(X_clean) \
            or not len(X_adv):
        raise ValueError(f"X_clean and X_adv must be non-empty (n, d) arrays with the same d, got "
                         f"{X_clean.shape} and {X_adv.shape}")
    if not (np.isfinite(X_clean).all() and np.isfinite(X_adv).all()):
        raise ValueError("X_clean and X_adv must not contain NaN or infinite values")
    if isinstance(false_positive_rate, bool) or not 0 < false_positive_rate < 1:
        raise ValueError(f"false_positive_rate must be in (0, 1), e.g. 0.05, got {false_positive_rate!r}")
    net = nn.Linear(X_clean.shape[1], 2) if network is None else network
    torch.manual_seed(seed)
    if network is None:  # a convex problem: start at zero, the same fit on every run
        nn.init.zeros_(net.weight)
        nn.init.zeros_(net.bias)
    X = np.concatenate([X_clean, X_adv])
    y = np.r_[np.zeros(len(X_clean)), np.ones(len(X_adv))].astype(np.int64)
    train_classifier(net, X, y, epochs=epochs, lr=lr, seed=seed, progress=False, device=device or default_device())
    detector = Detector(net).eval()
    calibration = X_clean if X_calibration is None else X_calibration
    detector.threshold = float(np.quantile(detector.scores(calibration), 1 - false_positive_rate, method="higher"))
    return detector
