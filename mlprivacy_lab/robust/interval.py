"""Interval bound propagation: the cheaper, looser comparison for the dual bound.

Each layer maps a box ``[l, u]`` (centre ``m``, radius ``r``) to the smallest box holding its image:
``W m + b`` with radius ``|W| r`` for an affine layer, and ``[ReLU(l), ReLU(u)]`` for a ReLU (Gowal et
al., "On the effectiveness of interval bound propagation", 2018, Eq. 6). The objective ``c^T f`` is
folded into the last linear layer (their "elision" of the specification layer) before the last step.
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from ..models import as_tensors
from .dual_layers import SUPPORTED
from .dual_network import check_objective_shape, flat_layers, input_box


def _interval_layer(layer: nn.Module, index: int, mid: Tensor, rad: Tensor) -> tuple[Tensor, Tensor]:
    if isinstance(layer, nn.Linear):
        return layer(mid), F.linear(rad, layer.weight.abs())
    if isinstance(layer, nn.Conv2d):
        return layer(mid), F.conv2d(rad, layer.weight.abs(), stride=layer.stride, padding=layer.padding,
                                    dilation=layer.dilation, groups=layer.groups)
    if isinstance(layer, nn.ReLU):
        lo, hi = (mid - rad).clamp(min=0), (mid + rad).clamp(min=0)
        return (lo + hi) / 2, (hi - lo) / 2
    if isinstance(layer, (nn.Flatten, nn.Unflatten)):
        return layer(mid), layer(rad)
    raise ValueError(f"layer {index} ({type(layer).__name__}) is not supported by interval bound propagation; "
                     f"supported layers: {SUPPORTED}")


def interval_bounds(model: nn.Sequential, x, epsilon: float, *,
                    data_range: tuple[float, float] | None = None) -> list[tuple[Tensor, Tensor]]:
    """Boxes ``(l, u)`` of every ReLU's input and, last, of the output, over ``||delta||_inf <= epsilon``."""
    x = as_tensors(x, model=model)
    lo, hi = input_box(x, epsilon, data_range)
    mid, rad = (lo + hi) / 2, (hi - lo) / 2
    boxes = []
    for i, layer in enumerate(flat_layers(model)):
        if isinstance(layer, nn.ReLU):
            boxes.append((mid - rad, mid + rad))
        mid, rad = _interval_layer(layer, i, mid, rad)
    return boxes + [(mid - rad, mid + rad)]


def interval_lower_bound(model: nn.Sequential, x, epsilon: float, c, *,
                         data_range: tuple[float, float] | None = None) -> Tensor:
    """Interval lower bound of ``c^T f(x + delta)`` over ``||delta||_inf <= epsilon``; same shapes as
    ``lower_bound``."""
    x = as_tensors(x, model=model)
    c = as_tensors(c, model=model)
    layers = flat_layers(model)
    lo, hi = input_box(x, epsilon, data_range)
    mid, rad = (lo + hi) / 2, (hi - lo) / 2
    last = layers[-1]
    fold = isinstance(last, nn.Linear)
    for i, layer in enumerate(layers[:-1] if fold else layers):
        mid, rad = _interval_layer(layer, i, mid, rad)
    check_objective_shape(c, x.shape[0], last.out_features if fold else mid[0].numel())
    squeeze = c.dim() == 2
    c = c.unsqueeze(1) if squeeze else c
    if fold:  # c^T (W z + b) = (W^T c)^T z + c^T b
        weight = c @ last.weight
        offset = (c @ last.bias) if last.bias is not None else 0.0
    else:
        weight, offset = c, 0.0
    out = (weight @ mid.flatten(1).unsqueeze(2)).squeeze(2) - (weight.abs() @ rad.flatten(1).unsqueeze(2)).squeeze(2)
    out = out + offset
    return out.squeeze(1) if squeeze else out
