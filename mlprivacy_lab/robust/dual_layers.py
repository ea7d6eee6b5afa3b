"""Dual layers of the dual network of Wong & Kolter (ICML 2018), one class per layer kind.

Each layer of a ReLU network ``z_hat_{i+1} = W_i z_i + b_i``, ``z_{i+1} = ReLU(z_hat_{i+1})`` becomes a
dual layer that can

- ``forward(g)``: apply its linear part (no bias) to rows ``g`` of shape ``(m, *in_shape)``; this is the
  forward pass of Algorithm 1 ("computing activation bounds") that builds the bounds ``l, u`` layer by layer;
- ``T(nu)``: apply the transpose, ``nu_hat_i = W_i^T nu_{i+1}`` (or ``nu_i = D_i nu_hat_i`` for a ReLU), on
  ``nu`` of shape ``(batch, m, *out_shape)``: the backward pass of the dual network (Theorem 1);
- ``objective(nu_out, nu_in)``: its term of ``J_epsilon(x, nu)`` (Eq. 8 of the paper);
- ``push(later)``: carry the terms it contributes to the bounds through a later layer, and
  ``bounds()``: those terms' contribution to the lower and upper bounds of the current layer.

``DualReLU`` fixes the lower slope to ``alpha = u / (u - l)`` as the paper does, so its forward and
backward passes multiply by ``D_i`` with ``D_jj = 0`` (inactive), ``1`` (active) or ``u/(u - l)``
(crossing). With ``projection=k`` the l1 terms of the bounds are estimated from ``k`` Cauchy random
projections (Wong, Schmidt, Metzen & Kolter, NeurIPS 2018, Sec. 3.2; see ``_l1_estimate``): cheap but
not a certificate, for training only.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

SUPPORTED = "Linear, Conv2d, ReLU, Flatten, Unflatten"


def _owner_sum(values: Tensor, owner: Tensor, batch: int) -> Tensor:
    """Sum the rows of ``values`` (m, *shape) that belong to each sample: (batch, *shape)."""
    out = values.new_zeros((batch, *values.shape[1:]))
    return out.index_add(0, owner, values)


def _l1_estimate(g: Tensor, batch: int, k: int) -> Tensor:
    """Estimate ``sum_q |A_q|`` from ``k`` projections ``g_t = sum_q A_q C_qt`` with standard Cauchy ``C``.

    Each ``g_t`` is Cauchy with scale ``sum_q |A_q|``, so the median of ``|g_t|`` estimates it (Wong et al.,
    NeurIPS 2018, Sec. 3.2). Its gradient flows to one projection and stays bounded, unlike a mean of
    ``log |g_t|``, whose gradient ``1 / g_t`` is itself Cauchy-distributed and derails training.
    """
    return g.abs().reshape(batch, k, *g.shape[1:]).median(1).values


def _cauchy(shape: tuple[int, ...], like: Tensor, generator: torch.Generator | None) -> Tensor:
    """Standard Cauchy samples, tan(pi (U - 1/2)), on ``like``'s device and dtype."""
    u = torch.rand(shape, generator=generator, dtype=like.dtype).to(like.device)
    return torch.tan(torch.pi * (u - 0.5))


class DualLayer:
    """Interface of a dual layer; affine layers and the input contribute a bias-like term, ReLUs
    and the input contribute l1 terms."""

    def forward(self, g: Tensor, owner: Tensor | None = None) -> Tensor:
        raise NotImplementedError

    def T(self, nu: Tensor) -> Tensor:
        raise NotImplementedError

    def push(self, later: "DualLayer") -> None:
        """Carry this layer's bound terms through ``later`` (nothing to carry by default)."""

    def bounds(self) -> tuple[Tensor | float, Tensor | float]:
        return 0.0, 0.0

    def objective(self, nu_out: Tensor, nu_in: Tensor) -> Tensor | float:
        return 0.0


class DualInput(DualLayer):
    """The input box ``{z_1 : lo <= z_1 <= hi}``: centre ``m = (lo + hi) / 2``, radius ``r = (hi - lo) / 2``.

    For the l_inf ball ``m = x`` and ``r = epsilon``, and the objective is the paper's
    ``-x^T nu_hat_1 - epsilon ||nu_hat_1||_1``; intersecting the ball with the data range gives a box
    with a per-pixel radius, and the term becomes ``-m^T nu_hat_1 - r^T |nu_hat_1|``. For the bounds the
    box contributes ``+- sum_p r_p |A e_p|``, ``A`` the (D-scaled) linear map from the input to the layer:
    its ``epsilon ||nu_hat_1||_1`` term of Algorithm 1.
    """

    def __init__(self, lo: Tensor, hi: Tensor, projection: int | None = None,
                 generator: torch.Generator | None = None) -> None:
        self.batch = lo.shape[0]
        self.center0 = (lo + hi) / 2
        self.radius = (hi - lo) / 2
        self.center = self.center0
        self.projection = projection
        n = self.radius[0].numel()
        if projection is None:  # generators r_p e_p, stored as rows e_p (shared by the batch until a ReLU) and r
            self.basis = torch.eye(n, dtype=lo.dtype, device=lo.device).reshape(n, *lo.shape[1:])
            self.scale = self.radius.reshape(self.batch, 1, n)
            self.g = None
        else:  # k random combinations r * Cauchy (one Cauchy matrix shared by the batch)
            cauchy = _cauchy((projection, *lo.shape[1:]), lo, generator)
            self.owner = torch.arange(self.batch, device=lo.device).repeat_interleave(projection)
            self.g = (self.radius.unsqueeze(1) * cauchy).reshape(self.batch * projection, *lo.shape[1:])

    def push(self, later: DualLayer) -> None:
        self.center = later.forward(self.center)
        if self.projection is not None:
            self.g = later.forward(self.g, self.owner)
        elif self.g is None and not isinstance(later, DualReLU):  # affine maps act on the shared rows once
            self.basis = later.forward(self.basis)
        elif self.g is None:  # a ReLU's slopes differ per sample: one group of rows per sample from here on
            self.g = self.basis.unsqueeze(0) * later.d.unsqueeze(1)
        elif isinstance(later, DualReLU):
            self.g = self.g * later.d.unsqueeze(1)
        else:
            out = later.forward(self.g.flatten(0, 1))
            self.g = out.reshape(self.batch, -1, *out.shape[1:])

    def bounds(self) -> tuple[Tensor, Tensor]:
        if self.projection is not None:
            l1 = _l1_estimate(self.g, self.batch, self.projection)
        else:  # sum_p r_p |row_p| (r >= 0), as a batched matrix product
            rows = self.basis.flatten(1).abs().unsqueeze(0) if self.g is None else self.g.flatten(2).abs()
            l1 = (self.scale @ rows).reshape(self.center.shape)
        return self.center - l1, self.center + l1

    def objective(self, nu_out: Tensor, nu_in: Tensor) -> Tensor:
        nu = nu_out.flatten(2)
        m, r = self.center0.flatten(1).unsqueeze(1), self.radius.flatten(1).unsqueeze(1)
        return -(nu * m).sum(2) - (nu.abs() * r).sum(2)


class DualLinear(DualLayer):
    """``nn.Linear``: forward ``W g``, transpose ``W^T nu``, objective ``-nu_{i+1}^T b_i``."""

    def __init__(self, layer: nn.Linear, out_shape: tuple[int, ...]) -> None:
        self.layer = layer
        self.bias0 = None if layer.bias is None else self._full_bias(out_shape)
        self.bias = self.bias0

    def _full_bias(self, out_shape: tuple[int, ...]) -> Tensor:
        return self.layer.bias.reshape(1, *out_shape)

    def apply_weight(self, g: Tensor, weight: Tensor) -> Tensor:
        """The layer's linear map with ``weight`` in place of its own (e.g. its positive part), no bias."""
        return F.linear(g, weight)

    def forward(self, g: Tensor, owner: Tensor | None = None) -> Tensor:
        return self.apply_weight(g, self.layer.weight)

    def T(self, nu: Tensor) -> Tensor:
        return F.linear(nu, self.layer.weight.t())

    def push(self, later: DualLayer) -> None:
        if self.bias is not None:
            self.bias = later.forward(self.bias)

    def bounds(self) -> tuple[Tensor | float, Tensor | float]:
        return (0.0, 0.0) if self.bias is None else (self.bias, self.bias)

    def objective(self, nu_out: Tensor, nu_in: Tensor) -> Tensor | float:
        if self.bias0 is None:
            return 0.0
        return -(nu_out.flatten(2) * self.bias0.flatten(1).unsqueeze(1)).sum(2)


class DualConv2d(DualLinear):
    """``nn.Conv2d`` (zero padding): forward is the convolution, transpose the transposed convolution."""

    def __init__(self, layer: nn.Conv2d, in_shape: tuple[int, ...], out_shape: tuple[int, ...]) -> None:
        if isinstance(layer.padding, str) or layer.padding_mode != "zeros":
            raise ValueError(f"Conv2d with padding={layer.padding!r}, padding_mode={layer.padding_mode!r} is not "
                             "supported by the dual network: use integer zero padding")
        super().__init__(layer, out_shape)
        kernel = layer.weight.shape[2:]
        # output_padding restores the input size that the strided convolution rounded down
        self.output_padding = tuple(
            in_shape[1 + k] - ((out_shape[1 + k] - 1) * layer.stride[k] - 2 * layer.padding[k]
                               + layer.dilation[k] * (kernel[k] - 1) + 1) for k in range(2))

    def _full_bias(self, out_shape: tuple[int, ...]) -> Tensor:
        return self.layer.bias.reshape(1, -1, 1, 1).expand(1, *out_shape)

    def apply_weight(self, g: Tensor, weight: Tensor) -> Tensor:
        lay = self.layer
        return F.conv2d(g, weight, stride=lay.stride, padding=lay.padding, dilation=lay.dilation, groups=lay.groups)

    def T(self, nu: Tensor) -> Tensor:
        lay = self.layer
        out = F.conv_transpose2d(nu.flatten(0, 1), lay.weight, stride=lay.stride, padding=lay.padding,
                                 output_padding=self.output_padding, dilation=lay.dilation, groups=lay.groups)
        return out.reshape(*nu.shape[:2], *out.shape[1:])


class DualReshape(DualLayer):
    """``nn.Flatten`` / ``nn.Unflatten``: a reshape, its own transpose up to shapes; no objective term."""

    def __init__(self, in_shape: tuple[int, ...], out_shape: tuple[int, ...]) -> None:
        self.in_shape, self.out_shape = in_shape, out_shape

    def forward(self, g: Tensor, owner: Tensor | None = None) -> Tensor:
        return g.reshape(g.shape[0], *self.out_shape)

    def T(self, nu: Tensor) -> Tensor:
        return nu.reshape(*nu.shape[:2], *self.in_shape)


class DualReLU(DualLayer):
    """``nn.ReLU`` with pre-activation bounds ``l <= z_hat <= u`` (Wong & Kolter 2018, Sec. 3.1).

    Units with ``u <= 0`` are off (``D = 0``), units with ``l >= 0`` on (``D = 1``), and crossing units
    (``l < 0 < u``, the set ``I``) get ``D = u / (u - l)``; both passes multiply by ``D``. The objective
    term is ``sum_{j in I} l_j [nu_j]_+``. For the bounds of later layers, each crossing unit adds a
    term ``e_j`` with coefficient in ``[0, -u_j l_j / (u_j - l_j)]``: its ``l [-nu]_+`` terms of
    Algorithm 1.
    """

    def __init__(self, lo: Tensor, hi: Tensor, projection: int | None = None,
                 generator: torch.Generator | None = None) -> None:
        self.batch = lo.shape[0]
        self.lo = lo
        self.crossing = (lo < 0) & (hi > 0)
        slope = hi / (hi - lo).masked_fill(~self.crossing, 1.0)
        self.d = torch.where(self.crossing, slope, (lo >= 0).to(lo.dtype))
        beta = torch.where(self.crossing, -self.d * lo, torch.zeros_like(lo))  # width of the relaxation
        self.projection = projection
        if projection is None:  # one term beta_j e_j per crossing unit, kept as the vector beta until needed
            self.beta, self.pending, self.g = beta, None, None
        else:  # sum_j beta_j e_j exactly, and k random combinations beta * Cauchy for the l1 term
            self.g_one = beta
            cauchy = _cauchy((projection, *lo.shape[1:]), lo, generator)
            self.owner = torch.arange(self.batch, device=lo.device).repeat_interleave(projection)
            self.g = (beta.unsqueeze(1) * cauchy).reshape(self.batch * projection, *lo.shape[1:])

    def _materialize(self) -> None:
        """One row ``beta_j e_j`` per crossing unit (rows of all samples stacked, ``owner`` maps them back)."""
        flat = self.beta.reshape(self.batch, -1)
        index = (flat > 0).nonzero()
        self.owner = index[:, 0]
        g = flat.new_zeros(len(index), flat.shape[1])
        g[torch.arange(len(index), device=g.device), index[:, 1]] = flat[index[:, 0], index[:, 1]]
        self.g = g.reshape(len(index), *self.beta.shape[1:])
        if self.pending is not None:
            self.g, self.pending = self.pending.forward(self.g), None

    def forward(self, g: Tensor, owner: Tensor | None = None) -> Tensor:
        return g * (self.d if owner is None else self.d[owner])

    def T(self, nu: Tensor) -> Tensor:
        return nu * self.d.unsqueeze(1)

    def T_lower_slope(self, nu: Tensor, alpha: float) -> Tensor:
        """The backward pass before the paper fixes the lower slope: on crossing units
        ``nu = u/(u - l) [nu_hat]_+ - alpha [nu_hat]_-`` (Wong & Kolter 2018, Eq. 6); every ``alpha`` in
        ``[0, 1]`` is dual feasible, so gives a valid bound, and ``alpha = u/(u - l)`` is ``T``."""
        d, crossing = self.d.unsqueeze(1), self.crossing.unsqueeze(1)
        return torch.where(crossing, d * nu.clamp(min=0) + alpha * nu.clamp(max=0), d * nu)

    def push(self, later: DualLayer) -> None:
        if self.projection is None and self.g is None:
            # Through one affine layer W the terms need no rows: sum_j [beta_j W e_j]_+ = W^+ beta.
            if self.pending is None and isinstance(later, DualReshape):
                self.beta = later.forward(self.beta)
                return
            if self.pending is None and isinstance(later, DualLinear):
                self.pending = later
                return
            self._materialize()
        self.g = later.forward(self.g, self.owner)
        if self.projection is not None:
            self.g_one = later.forward(self.g_one)

    def bounds(self) -> tuple[Tensor, Tensor]:
        if self.projection is None and self.g is None:
            if self.pending is None:
                return torch.zeros_like(self.beta), self.beta
            weight = self.pending.layer.weight
            return (self.pending.apply_weight(self.beta, weight.clamp(max=0)),
                    self.pending.apply_weight(self.beta, weight.clamp(min=0)))
        if self.projection is None:
            return (_owner_sum(self.g.clamp(max=0), self.owner, self.batch),
                    _owner_sum(self.g.clamp(min=0), self.owner, self.batch))
        l1 = _l1_estimate(self.g, self.batch, self.projection)
        return (self.g_one - l1) / 2, (self.g_one + l1) / 2

    def objective(self, nu_out: Tensor, nu_in: Tensor) -> Tensor:
        lo_crossing = torch.where(self.crossing, self.lo, torch.zeros_like(self.lo))
        return (nu_in.clamp(min=0).flatten(2) * lo_crossing.flatten(1).unsqueeze(1)).sum(2)


def check_layer(layer: nn.Module, index: int) -> None:
    """A clear error naming any layer the dual network cannot handle."""
    if not isinstance(layer, (nn.Linear, nn.Conv2d, nn.ReLU, nn.Flatten, nn.Unflatten)):
        raise ValueError(f"layer {index} ({type(layer).__name__}) is not supported by the dual network; "
                         f"supported layers: {SUPPORTED}")


def dual_layer(layer: nn.Module, in_shape: tuple[int, ...], out_shape: tuple[int, ...]) -> DualLayer:
    """The dual of one affine or reshape layer (ReLUs need bounds: see ``DualNetwork``)."""
    if isinstance(layer, nn.Linear):
        return DualLinear(layer, out_shape)
    if isinstance(layer, nn.Conv2d):
        return DualConv2d(layer, in_shape, out_shape)
    return DualReshape(in_shape, out_shape)
