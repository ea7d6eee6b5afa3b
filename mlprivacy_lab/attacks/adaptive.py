"""Adaptive attacks: the attacker knows the defence and attacks the defended system as a whole.

- BPDA (Athalye, Carlini & Wagner, ICML 2018, "Obfuscated Gradients Give a False Sense of Security", Sec. 4.1):
  for a pre-processing ``t`` with ``t(x) ~ x`` whose gradient is useless (zero almost everywhere for bit-depth
  rounding), run the forward pass through ``t`` but replace its derivative by the identity on the backward pass:
  ``grad_x f(t(x)) ~ grad_z f(z) at z = t(x)`` (the straight-through estimator of Bengio et al. 2013).
- Detector-aware PGD (Carlini & Wagner, AISec 2017, "Adversarial examples are not easily detected", Sec. 4: put
  the detector into the loss): minimise, within ``||Delta x||_p <= epsilon``,
  ``max(z_y - max_{j != y} z_j, -kappa) + kappa + c max(D(x) - tau, -kappa_D) + c kappa_D``, the margin loss
  ``f_6`` of Carlini & Wagner (S&P 2017, Sec. V-A) plus the detector's score ``D`` above its threshold ``tau``.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor, nn

from ..models import as_tensors
from ..robust.defences import Detector, Preprocessed
from .adversarial import DataRange, minimize_objective

__all__ = ["StraightThrough", "bpda", "detector_aware_pgd"]


class _IdentityBackward(torch.autograd.Function):
    """Forward: ``transform(x)``; backward: the incoming gradient unchanged (BPDA with g(x) = x)."""

    @staticmethod
    def forward(ctx, x: Tensor, transform: nn.Module) -> Tensor:  # noqa: ARG004 - autograd's signature
        return transform(x)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor, None]:  # noqa: ARG004
        return grad, None


class StraightThrough(nn.Module):
    """``transform`` on the forward pass, the identity on the backward pass (Athalye et al. 2018, Sec. 4.1)."""

    def __init__(self, transform: nn.Module) -> None:
        super().__init__()
        self.transform = transform

    def forward(self, x: Tensor) -> Tensor:
        out = _IdentityBackward.apply(x, self.transform)
        if out.shape != x.shape:
            raise ValueError(f"BPDA with the identity needs a transform that keeps the input shape: "
                             f"{tuple(x.shape)} became {tuple(out.shape)}")
        return out


def bpda(defended: Preprocessed) -> Preprocessed:
    """The same defended classifier with a straight-through pre-processing: equal outputs, useful gradients."""
    if not isinstance(defended, Preprocessed):
        raise ValueError(f"bpda needs a Preprocessed(model, transform) defence, got {type(defended).__name__}")
    return Preprocessed(defended.model, StraightThrough(defended.transform))


class _WithScore(nn.Module):
    def __init__(self, model: nn.Module, detector: Detector) -> None:
        super().__init__()
        self.model, self.detector = model, detector

    def forward(self, x: Tensor) -> Tensor:
        return torch.cat([self.model(x), self.detector(x)[:, None]], 1)


def detector_aware_pgd(model: nn.Module, detector: Detector, x, y, epsilon: float, *, weight: float = 3.0,
                       kappa: float = 1.0, detector_kappa: float = 0.5, norm="inf", steps: int = 20,
                       step_size: float | None = None, random_start: bool = False,
                       data_range: DataRange = (0.0, 1.0), seed: int = 0) -> Tensor:
    """Adversarial inputs that the classifier gets wrong *and* the detector passes (Carlini & Wagner 2017).

    PGD on ``relu(z_y - max_{j != y} z_j + kappa) + weight relu(D(x) - threshold + detector_kappa)``; per input it
    keeps an iterate that succeeds (wrong class and ``D(x) <= threshold``) if one is found, else the lowest loss.
    """
    for name, value in (("weight", weight), ("kappa", kappa), ("detector_kappa", detector_kappa)):
        if isinstance(value, bool) or not np.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    if not isinstance(detector, Detector):
        raise ValueError(f"detector must be a robust.defences.Detector, got {type(detector).__name__}")
    x, y = as_tensors(x, y, model=model)
    tau = detector.threshold

    def objective(out: Tensor) -> Tensor:
        z, score = out[:, :-1], out[:, -1]
        z_true = z.gather(1, y[:, None])[:, 0]
        z_other = z.masked_fill(nn.functional.one_hot(y, z.shape[1]).bool(), -torch.inf).amax(1)
        loss = torch.relu(z_true - z_other + kappa) + weight * torch.relu(score - tau + detector_kappa)
        failed = ((z_true >= z_other) | (score > tau)).to(loss.dtype)  # constant: steers the choice, not the step
        return loss + 1e6 * failed.detach()

    x_adv, _ = minimize_objective(_WithScore(model, detector), x, objective, epsilon, norm=norm, steps=steps,
                                  step_size=step_size, random_start=random_start, data_range=data_range, seed=seed)
    return x_adv
