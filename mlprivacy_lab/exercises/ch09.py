"""Chapter 9 exercises: one FGSM step by hand, and why high dimension makes small steps add up."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..attacks.adversarial import fgsm
from ..robust.interval import interval_bounds
from .core import Exercise, Mistake, array_of_shape, number

W = [[1.0, -2.0], [-1.0, 1.0]]
B = [0.0, 0.1]
X = [0.4, 0.5]
LABEL = 0
EPSILON = 0.1
WEIGHTS = [0.5, -1.0, 0.25, 2.0, -0.75]


def linear_model(weights: list[list[float]], bias: list[float]) -> nn.Linear:
    """An ``nn.Linear`` with the given weights (float64), the exercises' white-box model."""
    layer = nn.Linear(len(weights[0]), len(weights)).double()
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(weights, dtype=torch.float64))
        layer.bias.copy_(torch.tensor(bias, dtype=torch.float64))
    return layer


def _fgsm() -> np.ndarray:
    return fgsm(linear_model(W, B), [X], [LABEL], EPSILON).detach().numpy()[0]


def _gradient() -> np.ndarray:
    x = torch.tensor([X], dtype=torch.float64, requires_grad=True)
    nn.functional.cross_entropy(linear_model(W, B)(x), torch.tensor([LABEL])).backward()
    return x.grad.numpy()[0]


def _worst_change() -> float:
    lo, hi = interval_bounds(nn.Sequential(linear_model([WEIGHTS], [0.0])), [np.zeros(len(WEIGHTS))], EPSILON)[-1]
    return float((hi - lo).item() / 2)


w = np.array(WEIGHTS)
EXERCISES = [
    Exercise(
        "09", "fgsm_step",
        f"A 2-class linear model has logits W x + b with W = {W}, b = {B}. Take one FGSM step "
        f"(Goodfellow et al. 2015) of size epsilon = {EPSILON} from x = {X} with true label y = {LABEL} "
        "(cross-entropy loss; no clipping is needed here). Give x_adv (two numbers).",
        _fgsm,
        hint="x_adv = x + epsilon * sign(grad_x loss); for logits W x the gradient is W^T (p - onehot(y)).",
        common_mistakes=[
            Mistake(np.array(X) - EPSILON * np.sign(_gradient()),
                    "you stepped down the loss; the attacker climbs it: x + epsilon * sign(gradient)."),
            Mistake(np.array(X) + EPSILON * _gradient(), "FGSM takes the sign of the gradient, not the gradient: "
                                                         "every pixel moves by exactly epsilon."),
        ],
        prepare=array_of_shape(2),
        explanation="for a linear model the sign of the gradient is the sign of W_other - W_y.",
        given={"W": W, "b": B, "x": X, "y": LABEL, "epsilon": EPSILON},
    ),
    Exercise(
        "09", "linf_logit_change",
        f"A linear score w^T x has w = {WEIGHTS}. An attacker may change every feature by at most epsilon = "
        f"{EPSILON} (an l_inf ball). By how much can the score change at most?",
        _worst_change,
        hint="each feature moves by epsilon in the direction of its weight's sign.",
        common_mistakes=[
            Mistake(EPSILON * float(np.linalg.norm(w)), "that is epsilon ||w||_2, the l_2 attacker's budget; "
                                                        "under l_inf every feature moves, giving epsilon ||w||_1."),
            Mistake(EPSILON * float(np.abs(w).max()), "that is one feature's contribution: all features move at "
                                                      "once, epsilon * sum |w_i|."),
        ],
        prepare=number(),
        explanation="epsilon ||w||_1 grows with the dimension at a fixed per-pixel epsilon: the lecture's "
                    "curse of dimensionality.",
        given={"w": WEIGHTS, "epsilon": EPSILON},
    ),
]
