"""The dual network and the certified lower bound of Wong & Kolter (ICML 2018).

For a ReLU network ``f`` and the input box ``||delta||_inf <= epsilon``, Theorem 1 of the paper gives,
for any vector ``c``,

    min_{||delta||_inf <= epsilon} c^T f(x + delta) >= J_epsilon(x, nu)
      = -sum_i nu_{i+1}^T b_i - x^T nu_hat_1 - epsilon ||nu_hat_1||_1 + sum_i sum_{j in I_i} l_ij [nu_ij]_+,

where ``nu`` is the output of the *dual network*: ``nu_k = -c``, ``nu_hat_i = W_i^T nu_{i+1}`` and
``nu_i = D_i nu_hat_i`` (Eq. 8-10). The bounds ``l_i, u_i`` of every pre-activation come first, layer by
layer (Algorithm 1); ``DualNetwork`` builds them and then evaluates ``J`` for any ``c``.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor, nn

from ..models import as_tensors
from .dual_layers import DualInput, DualLayer, DualReLU, check_layer, dual_layer


def flat_layers(model: nn.Module) -> list[nn.Module]:
    """The layers of a (possibly nested) ``nn.Sequential``; a clear error for any other model."""
    if not isinstance(model, nn.Sequential):
        raise TypeError(f"the dual network needs an nn.Sequential model, got {type(model).__name__}; "
                        "write the network as nn.Sequential(Linear/Conv2d, ReLU, Flatten, ...)")
    layers: list[nn.Module] = []
    for layer in model:
        layers += flat_layers(layer) if isinstance(layer, nn.Sequential) else [layer]
    return layers


def input_box(x: Tensor, epsilon: float, data_range: tuple[float, float] | None = None) -> tuple[Tensor, Tensor]:
    """The l_inf ball ``[x - epsilon, x + epsilon]``, intersected with ``data_range`` when one is given."""
    if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float, np.integer, np.floating)) \
            or not np.isfinite(epsilon) or epsilon < 0:
        raise ValueError(f"epsilon must be a finite number >= 0, got {epsilon!r}")
    lo, hi = x - epsilon, x + epsilon
    if data_range is not None:
        low, high = data_range
        if not low < high:
            raise ValueError(f"data_range must be (low, high) with low < high, got {data_range!r}")
        if x.min() < low or x.max() > high:
            raise ValueError(f"x has values in [{float(x.min()):.3g}, {float(x.max()):.3g}], outside "
                             f"data_range={data_range}: pass data_range=None or rescale x")
        lo, hi = lo.clamp(min=low), hi.clamp(max=high)
    return lo, hi


class DualNetwork:
    """Dual network of ``model`` over the box ``lo <= z_1 <= hi`` (Wong & Kolter 2018, Sec. 3).

    On construction it computes the pre-activation bounds of every ReLU (``self.bounds``, a list of
    ``(l, u)`` pairs, each of shape ``(batch, *units)``); calling it with ``c`` of shape
    ``(batch, classes)`` or ``(batch, m, classes)`` returns ``J(c)`` of shape ``(batch,)`` or
    ``(batch, m)``: lower bounds of ``c^T f(z)`` over the box.

    Each bound ``l_j`` is ``J(e_j)`` of the network cut after that layer and ``u_j = -J(-e_j)``. ``method``
    says how they are computed, with equal results: ``"forward"`` carries the input box and the relaxed
    ReLUs forward through the layers (Algorithm 1, cost grows with the input size), ``"backward"`` runs the
    dual network on ``c = +-I`` (cost grows with the layer's width), ``"auto"`` picks the cheaper one per
    layer. With ``projection=k`` the forward pass estimates the l1 terms from ``k`` Cauchy random
    projections (Wong et al., NeurIPS 2018): for training, not certificates.
    """

    def __init__(self, model: nn.Sequential, lo: Tensor, hi: Tensor, projection: int | None = None,
                 seed: int | None = None, method: str = "auto") -> None:
        if projection is not None and (isinstance(projection, bool) or int(projection) != projection
                                       or projection < 1):
            raise ValueError(f"projection must be a positive integer (number of random projections) or None, "
                             f"got {projection!r}")
        if method not in ("auto", "forward", "backward"):
            raise ValueError(f"method must be 'auto', 'forward' or 'backward', got {method!r}")
        self.layers = flat_layers(model)
        for i, layer in enumerate(self.layers):
            check_layer(layer, i)
        generator = None if seed is None else torch.Generator().manual_seed(seed)
        with torch.no_grad():  # shapes of every layer's input and output
            shapes = [tuple(lo.shape[1:])]
            z = lo[:1]
            for layer in self.layers:
                z = layer(z)
                shapes.append(tuple(z.shape[1:]))
        n_inputs = int(np.prod(shapes[0]))
        backward = {i for i, layer in enumerate(self.layers) if isinstance(layer, nn.ReLU) and (
            method == "backward" or (method == "auto" and projection is None
                                     and 2 * int(np.prod(shapes[i])) < n_inputs))}
        forward = [i for i, layer in enumerate(self.layers) if isinstance(layer, nn.ReLU) and i not in backward]
        last_push = forward[-1] if forward else -1
        self.bounds: list[tuple[Tensor, Tensor]] = []
        self.dual: list[DualLayer] = [DualInput(lo, hi, projection, generator)]
        for i, layer in enumerate(self.layers):
            if isinstance(layer, nn.ReLU):
                bounds = self._backward_bounds(shapes[i]) if i in backward else self._forward_bounds()
                self.bounds.append(bounds)
                new = DualReLU(*bounds, projection, generator)
            else:
                new = dual_layer(layer, shapes[i], shapes[i + 1])
            if i < last_push:  # later forward-bounded ReLUs need this layer's terms carried forward
                for d in self.dual:
                    d.push(new)
            self.dual.append(new)
        self.out_features = shapes[-1][0] if len(shapes[-1]) == 1 else None

    def _forward_bounds(self) -> tuple[Tensor, Tensor]:
        """Algorithm 1: sum every earlier layer's contribution, carried forward to this layer."""
        terms = [d.bounds() for d in self.dual]
        return sum(t[0] for t in terms), sum(t[1] for t in terms)

    def _backward_bounds(self, shape: tuple[int, ...]) -> tuple[Tensor, Tensor]:
        """``l_j = J(e_j)`` and ``u_j = -J(-e_j)`` for every unit, from one dual pass with ``c = [I; -I]``."""
        lo = self.dual[0].center0
        n = int(np.prod(shape))
        eye = torch.eye(n, dtype=lo.dtype, device=lo.device)
        c = torch.cat([eye, -eye]).reshape(1, 2 * n, *shape).expand(lo.shape[0], -1, *shape)
        J = self._objective(c)
        return J[:, :n].reshape(-1, *shape), -J[:, n:].reshape(-1, *shape)

    def _objective(self, c: Tensor, lower_slope: float | None = None) -> Tensor:
        """``J(c)`` of the dual network built so far; ``c`` has shape (batch, m, *out_shape). ``lower_slope``
        replaces the crossing units' ``alpha = u/(u - l)`` of the backward pass (the bounds keep theirs)."""
        nu = -c  # nu_k = -c
        objective = 0.0
        for d in reversed(self.dual[1:]):
            nu_in = d.T(nu) if lower_slope is None or not isinstance(d, DualReLU) else d.T_lower_slope(nu, lower_slope)
            objective = objective + d.objective(nu, nu_in)
            nu = nu_in
        return objective + self.dual[0].objective(nu, nu)  # -m^T nu_hat_1 - r^T |nu_hat_1|

    def __call__(self, c: Tensor, lower_slope: float | None = None) -> Tensor:
        check_lower_slope(lower_slope)
        squeeze = c.dim() == 2
        objective = self._objective(c.unsqueeze(1) if squeeze else c, lower_slope)
        return objective.squeeze(1) if squeeze else objective


def check_lower_slope(lower_slope: float | None) -> None:
    """A clear error unless ``lower_slope`` is None (the paper's u/(u - l)) or a number in [0, 1]."""
    if lower_slope is not None and (isinstance(lower_slope, bool) or not 0 <= lower_slope <= 1):
        raise ValueError(f"lower_slope must be a number in [0, 1] (alpha of the crossing units), or None for "
                         f"the paper's u/(u - l); got {lower_slope!r}")


def check_objective_shape(c: Tensor, batch: int, out_features: int | None) -> None:
    """A clear error unless the objective vectors ``c`` of ``c^T f`` fit a batch of ``batch`` inputs: shape
    ``(batch, classes)`` or ``(batch, m, classes)``, with ``classes == out_features`` when that is known."""
    if c.dim() not in (2, 3) or c.shape[0] != batch:
        raise ValueError(f"c must have shape (batch, classes) or (batch, m, classes) with batch={batch}, "
                         f"got {tuple(c.shape)}")
    if out_features is not None and c.shape[-1] != out_features:
        raise ValueError(f"c has {c.shape[-1]} columns but the model has {out_features} outputs")


def lower_bound(model: nn.Sequential, x, epsilon: float, c, *, data_range: tuple[float, float] | None = None,
                projection: int | None = None, seed: int | None = None, lower_slope: float | None = None) -> Tensor:
    """Certified lower bound of ``c^T f(x + delta)`` over ``||delta||_inf <= epsilon`` (Wong & Kolter 2018, Thm. 1).

    ``x``: inputs of shape ``(batch, ...)``; ``c``: ``(batch, classes)`` or ``(batch, m, classes)``.
    Returns ``J_epsilon(x, nu)`` of shape ``(batch,)`` or ``(batch, m)``. The box is not clipped unless
    ``data_range=(low, high)`` is given, which intersects it with the data range (a tighter, still sound
    bound for inputs that must stay valid images). ``projection=k`` estimates the bounds of the hidden
    layers from ``k`` random projections (Wong et al., NeurIPS 2018): fast for training, not a certificate.
    Gradients flow to the model's parameters. ``lower_slope=alpha`` in [0, 1] sets the crossing units' lower slope
    of the final backward pass (Thm. 1 allows any; the default is the paper's ``u/(u - l)``): still a valid bound.
    """
    x = as_tensors(x, model=model)
    c = as_tensors(c, model=model)
    lo, hi = input_box(x, epsilon, data_range)
    dual = DualNetwork(model, lo, hi, projection, seed)
    check_objective_shape(c, x.shape[0], dual.out_features)
    return dual(c, lower_slope)


def margin_matrix(y: Tensor, n_classes: int) -> Tensor:
    """Rows ``c_j = e_y - e_j`` for every class ``j`` (row ``y`` is zero), so ``c_j^T f = f_y - f_j``;
    shape (batch, classes, classes)."""
    eye = torch.eye(n_classes, device=y.device)
    return eye[y].unsqueeze(1) - eye.unsqueeze(0)


def robust_logits(model: nn.Sequential, x, y, epsilon: float, *, data_range: tuple[float, float] | None = None,
                  projection: int | None = None, seed: int | None = None) -> Tensor:
    """``-J_epsilon(x, nu)`` for ``c = e_y - e_j``: the worst-case logits whose cross-entropy is the robust loss.

    Entry ``y`` is 0 and entry ``j`` upper-bounds ``f_j - f_y`` over the box (Wong & Kolter 2018, Thm. 2).
    """
    x, y = as_tensors(x, y, model=model)
    with torch.no_grad():
        n_classes = model(x[:1]).shape[1]
    return -lower_bound(model, x, epsilon, margin_matrix(y, n_classes).to(x.dtype), data_range=data_range,
                        projection=projection, seed=seed)


def robust_loss(model: nn.Sequential, x, y, epsilon: float, *, data_range: tuple[float, float] | None = None,
                projection: int | None = None, seed: int | None = None) -> tuple[Tensor, Tensor]:
    """Robust cross-entropy ``L(-J_epsilon(x, nu), y)`` (Wong & Kolter 2018, Eq. 14) and, per sample,
    whether the bound fails to certify it."""
    x, y = as_tensors(x, y, model=model)
    f = robust_logits(model, x, y, epsilon, data_range=data_range, projection=projection, seed=seed)
    not_certified = (f.scatter(1, y[:, None], -torch.inf).max(1).values >= 0)
    return nn.functional.cross_entropy(f, y), not_certified
