"""Chapter 10 exercises: the dual network's slopes, the interval bound and J_epsilon of a 2-2-1 net by hand."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..robust.dual_layers import DualReLU
from ..robust.dual_network import lower_bound
from ..robust.interval import interval_bounds, interval_lower_bound
from .core import Exercise, Mistake, array_of_shape, number

LOWER = [-1.0, 0.5, -2.0, -0.3]
UPPER = [2.0, 3.0, -0.5, 0.9]
W1, B1 = [[1.0, -1.0], [0.5, 1.0]], [0.0, -0.2]
W2, B2 = [[1.0, -2.0]], [0.5]
X, EPSILON = [0.3, 0.2], 0.2


def two_layer_net() -> nn.Sequential:
    """The exercises' 2-2-1 ReLU network (float64)."""
    net = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1)).double()
    with torch.no_grad():
        for layer, (w, b) in zip((net[0], net[2]), ((W1, B1), (W2, B2))):
            layer.weight.copy_(torch.tensor(w, dtype=torch.float64))
            layer.bias.copy_(torch.tensor(b, dtype=torch.float64))
    return net


def _slopes() -> np.ndarray:
    return DualReLU(torch.tensor([LOWER], dtype=torch.float64), torch.tensor([UPPER], dtype=torch.float64)).d[0].numpy()


def _interval() -> float:
    return float(interval_lower_bound(two_layer_net(), [X], EPSILON, [[1.0]]).item())


def _dual() -> float:
    return float(lower_bound(two_layer_net(), [X], EPSILON, [[1.0]]).item())


def _dual_terms(with_relaxation_term: bool = True, with_epsilon_term: bool = True) -> float:
    """J_epsilon(x, nu) of Wong & Kolter (2018, Thm. 1) for c = 1, written out term by term."""
    (lo, hi), _ = interval_bounds(two_layer_net(), [X], EPSILON)
    lo, hi = lo.detach().numpy()[0], hi.detach().numpy()[0]
    slope = np.where(lo >= 0, 1.0, np.where(hi <= 0, 0.0, hi / (hi - lo)))
    nu_hat2 = -np.array(W2).T @ np.array([1.0])           # nu_3 = -c, nu_hat_2 = W_2^T nu_3
    nu2 = slope * nu_hat2
    nu_hat1 = np.array(W1).T @ nu2
    crossing = (lo < 0) & (hi > 0)
    j = 1.0 * B2[0] - nu2 @ np.array(B1) - np.array(X) @ nu_hat1
    if with_epsilon_term:
        j -= EPSILON * np.abs(nu_hat1).sum()
    if with_relaxation_term:
        j += (lo * np.maximum(nu2, 0))[crossing].sum()
    return float(j)


l, u = np.array(LOWER), np.array(UPPER)
EXERCISES = [
    Exercise(
        "10", "relu_slopes",
        f"Four ReLUs have pre-activation bounds l = {LOWER}, u = {UPPER}. Give the slope D_j the dual network "
        "uses for each (Wong & Kolter 2018, Sec. 3.1): four numbers.",
        _slopes,
        hint="an unit that is always off has slope 0, always on slope 1, and a crossing unit u / (u - l).",
        common_mistakes=[
            Mistake(np.where(l >= 0, 1.0, np.where(u <= 0, 0.0, 0.5)),
                    "a crossing unit's slope is not a fixed 1/2: it is u / (u - l), the slope of the upper edge "
                    "of the triangle."),
            Mistake(np.where(l >= 0, 1.0, np.where(u <= 0, 0.0, -l / (u - l))),
                    "that is -l / (u - l); the upper edge of the triangle joins (l, 0) to (u, u), slope u / (u - l)."),
            Mistake(np.where(u <= 0, 0.0, u / (u - l)),
                    "a unit with l >= 0 is always on: its slope is exactly 1."),
        ],
        prepare=array_of_shape(4),
        explanation="these slopes make the dual network a copy of the real one run backwards.",
        given={"l": LOWER, "u": UPPER},
    ),
    Exercise(
        "10", "interval_bound",
        f"The net f(x) = W2 ReLU(W1 x + b1) + b2 has W1 = {W1}, b1 = {B1}, W2 = {W2}, b2 = {B2}. By interval "
        f"arithmetic, give a lower bound on f over the l_inf ball of radius {EPSILON} around x = {X}.",
        _interval,
        hint="propagate the box layer by layer: centre W c + b, radius |W| r; clip the ReLU's box at 0.",
        common_mistakes=[
            Mistake(float((np.array(W2) @ (np.array(W1) @ np.array(X) + B1) + B2)[0]
                          - EPSILON * np.abs(np.array(W2) @ np.array(W1)).sum()),
                    "you treated the ReLU as the identity and multiplied the weights through: a ReLU clips its "
                    "box at 0, and the layers' boxes must be propagated one at a time."),
            Mistake(float((np.array(W2) @ np.maximum(np.array(W1) @ (np.array(X) - EPSILON) + B1, 0) + B2)[0]),
                    "multiplying the box's lower corner through W ignores the weights' signs: a negative weight "
                    "takes the other end of the interval."),
        ],
        prepare=number(),
        explanation="the interval bound is sound but loose: it forgets how the two hidden units depend on "
                    "the same input.",
        given={"W1": W1, "b1": B1, "W2": W2, "b2": B2, "x": X, "epsilon": EPSILON},
    ),
    Exercise(
        "10", "dual_bound",
        "For the same net, ball and c = 1, compute J_epsilon(x, nu) (Wong & Kolter 2018, Theorem 1): nu_3 = -c, "
        "nu_hat_2 = W2^T nu_3, nu_2 = D nu_hat_2 with the slopes D from the interval bounds of the hidden "
        "layer, nu_hat_1 = W1^T nu_2, and J = -nu_3^T b2 - nu_2^T b1 - x^T nu_hat_1 - epsilon ||nu_hat_1||_1 "
        "+ sum over crossing units of l_j [nu_2j]_+.",
        _dual,
        hint="compute l, u of W1 x + b1 over the ball first; both hidden units cross zero here.",
        common_mistakes=[
            Mistake(_dual_terms(with_relaxation_term=False),
                    "you left out the relaxation term sum_j l_j [nu_2j]_+ over the crossing units."),
            Mistake(_dual_terms(with_epsilon_term=False),
                    "you left out -epsilon ||nu_hat_1||_1, the price of the ball around x."),
        ],
        prepare=number(),
        explanation="J is at least the interval bound here and never above the true minimum: the "
                    "certificate of chapter 10.",
        given={"W1": W1, "b1": B1, "W2": W2, "b2": B2, "x": X, "epsilon": EPSILON},
    ),
]
