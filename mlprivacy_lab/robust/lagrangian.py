"""The lecture's dual problem written out: every dual variable of the relaxed primal, from the dual network.

The relaxed primal of Wong & Kolter (ICML 2018, Sec. 3.1 and Appendix A.1) is ``min c^T z_hat_k`` subject to
``z_hat_{i+1} = W_i z_i + b_i`` (dual variable ``nu_{i+1}``), ``x - eps <= z_1 <= x + eps`` (``xi_-``, ``xi_+``)
and, for each ReLU unit ``j`` of layer ``i``, ``-z_ij <= 0`` (``mu_ij``), ``z_hat_ij - z_ij <= 0`` (``tau_ij``) and
``-u_ij z_hat_ij + (u_ij - l_ij) z_ij <= -u_ij l_ij`` (``lambda_ij``). Minimising the Lagrangian over ``z, z_hat``
leaves the dual problem of the slide "Dual problem":

    max theta = -xi_+^T (x + eps) + xi_-^T (x - eps) - sum_i nu_{i+1}^T b_i + sum_i lambda_i^T (u_i * l_i)
    s.t. nu_k = -c,  W_1^T nu_2 = xi_+ - xi_-,  tau_i + nu_i = u_i * lambda_i,
         W_i^T nu_{i+1} + tau_i + mu_i = (u_i - l_i) * lambda_i,  xi, and mu, tau, lambda on crossing units, >= 0,

with ``tau = lambda = 0`` on inactive units and ``mu = lambda = 0`` on active ones. ``dual_variables`` builds a
feasible point from the dual network's ``nu`` (for crossing units with ``nu_hat >= 0``: ``lambda = nu_hat/(u - l)``;
with ``nu_hat < 0``: ``tau = alpha |nu_hat|``, ``mu = (1 - alpha) |nu_hat|``), so ``theta`` of that point is ``J``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ..models import as_tensors
from .dual_network import DualNetwork, check_lower_slope, flat_layers, input_box


@dataclass
class DualPoint:
    """One sample's dual variables (lists run over the ReLU layers ``i = 2..k-1`` of the slide)."""

    xi_plus: np.ndarray
    xi_minus: np.ndarray
    nu: list[np.ndarray]          # nu_2 .. nu_k (nu_k = -c)
    nu_hat: list[np.ndarray]      # nu_hat_1 .. nu_hat_{k-1}
    mu: list[np.ndarray]
    tau: list[np.ndarray]
    lam: list[np.ndarray]
    lower: list[np.ndarray]       # l_i
    upper: list[np.ndarray]       # u_i


def _affine_layers(model: nn.Sequential) -> list[tuple[np.ndarray, np.ndarray]]:
    layers = flat_layers(model)
    kinds = [type(layer) for layer in layers if not isinstance(layer, nn.Flatten)]
    if any(k not in (nn.Linear, nn.ReLU) for k in kinds) or kinds[::2] != [nn.Linear] * len(kinds[::2]) \
            or kinds[1::2] != [nn.ReLU] * len(kinds[1::2]) or kinds[-1] is not nn.Linear:
        raise ValueError("dual_variables needs a fully connected net Linear, ReLU, Linear, ..., Linear "
                         f"(Flatten allowed), got {[k.__name__ for k in kinds]}")
    return [(layer.weight.detach().double().cpu().numpy(),
             layer.bias.detach().double().cpu().numpy() if layer.bias is not None else np.zeros(layer.out_features))
            for layer in layers if isinstance(layer, nn.Linear)]


def dual_variables(model: nn.Sequential, x, epsilon: float, c, lower_slope: float | None = None) -> DualPoint:
    """The feasible dual point that the dual network defines for one input ``x`` (shape ``(1, n)``) and one
    objective ``c`` (shape ``(1, classes)``), with lower slope ``alpha = lower_slope`` on crossing units
    (``None``: the paper's ``u/(u - l)``). Computed in numpy from the weights and the dual network's bounds."""
    x, c = as_tensors(x, model=model), as_tensors(c, model=model)
    if x.shape[0] != 1 or c.dim() != 2 or c.shape[0] != 1:
        raise ValueError(f"dual_variables takes one sample: x of shape (1, n) and c of shape (1, classes), got "
                         f"{tuple(x.shape)} and {tuple(c.shape)}")
    check_lower_slope(lower_slope)
    affine = _affine_layers(model)
    with torch.no_grad():
        dual = DualNetwork(model, *input_box(x, epsilon))
    bounds = [(lo[0].flatten().double().cpu().numpy(), hi[0].flatten().double().cpu().numpy())
              for lo, hi in dual.bounds]
    nu = [-c[0].detach().double().cpu().numpy()]
    nu_hat, mu, tau, lam = [], [], [], []
    for (W, _), (lo, hi) in zip(affine[:0:-1], bounds[::-1]):
        g = W.T @ nu[0]                                   # nu_hat_i = W_i^T nu_{i+1}
        crossing, active = (lo < 0) & (hi > 0), lo >= 0
        d = np.where(crossing, hi / np.where(crossing, hi - lo, 1.0), active.astype(float))
        alpha = d if lower_slope is None else np.full_like(d, lower_slope)
        v = np.where(crossing, d * np.maximum(g, 0) + alpha * np.minimum(g, 0), d * g)
        lam_i = np.where(crossing, np.maximum(g, 0) / np.where(crossing, hi - lo, 1.0), 0.0)
        tau_i = np.where(crossing, alpha * np.maximum(-g, 0), np.where(active, -v, 0.0))
        mu_i = np.where(crossing, (1 - alpha) * np.maximum(-g, 0), np.where(active, 0.0, -g))
        nu_hat.insert(0, g)
        nu.insert(0, v)
        mu.insert(0, mu_i)
        tau.insert(0, tau_i)
        lam.insert(0, lam_i)
    g1 = affine[0][0].T @ nu[0]
    return DualPoint(np.maximum(g1, 0), np.maximum(-g1, 0), nu, [g1] + nu_hat, mu, tau, lam,
                     [b[0] for b in bounds], [b[1] for b in bounds])


def dual_objective(model: nn.Sequential, x, epsilon: float, point: DualPoint) -> float:
    """The slide's ``theta = -xi_+^T (x + eps) + xi_-^T (x - eps) - sum_i nu_{i+1}^T b_i + sum_i lambda_i^T (u_i l_i)``."""
    x = as_tensors(x, model=model)[0].flatten().double().cpu().numpy()
    biases = [b for _, b in _affine_layers(model)]
    return float(-point.xi_plus @ (x + epsilon) + point.xi_minus @ (x - epsilon)
                 - sum(v @ b for v, b in zip(point.nu, biases))
                 + sum(lam @ (u * l) for lam, u, l in zip(point.lam, point.upper, point.lower)))


def constraint_violation(model: nn.Sequential, point: DualPoint) -> float:
    """The largest violation of the slide's dual constraints and sign conditions at ``point`` (0 if feasible)."""
    weights = [W for W, _ in _affine_layers(model)]
    gaps = [weights[0].T @ point.nu[0] - (point.xi_plus - point.xi_minus), np.minimum(point.xi_plus, 0),
            np.minimum(point.xi_minus, 0)]
    for i, (lo, hi) in enumerate(zip(point.lower, point.upper)):
        crossing, active, inactive = (lo < 0) & (hi > 0), lo >= 0, hi <= 0
        mu, tau, lam, v = point.mu[i], point.tau[i], point.lam[i], point.nu[i]
        gaps += [tau + v - hi * lam, weights[i + 1].T @ point.nu[i + 1] + tau + mu - (hi - lo) * lam,
                 np.minimum(np.where(crossing, np.minimum(np.minimum(mu, tau), lam), 0), 0),
                 np.where(inactive, np.abs(tau) + np.abs(lam), 0), np.where(active, np.abs(mu) + np.abs(lam), 0)]
    return float(max(np.abs(g).max(initial=0.0) for g in gaps))
