"""Chapter 1 exercises: the gradient MI-Face follows, and what rounding does to a black-box estimate of it."""

from __future__ import annotations

import numpy as np
import torch

from .core import Exercise, Mistake, array_of_shape

W = [[1.0, -2.0], [0.5, 1.5], [-1.0, 0.0]]
B = [0.0, 0.2, -0.1]
X = [0.3, 0.6]
TARGET = 1
STEP = 1e-3
DECIMALS = 2


def _probabilities(x: np.ndarray) -> np.ndarray:
    return torch.softmax(torch.tensor(W, dtype=torch.float64) @ torch.as_tensor(x, dtype=torch.float64)
                         + torch.tensor(B, dtype=torch.float64), dim=0).numpy()


def _cost_gradient() -> np.ndarray:
    x = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    p = torch.softmax(torch.tensor(W, dtype=torch.float64) @ x + torch.tensor(B, dtype=torch.float64), dim=0)
    (1 - p[TARGET]).backward()
    return x.grad.numpy()


def _rounded_estimate() -> np.ndarray:
    """Central differences of the cost 1 - p_t read from an API that rounds to DECIMALS places."""
    x = np.array(X)
    grad = np.zeros(2)
    for i in range(2):
        e = np.eye(2)[i] * STEP
        up, down = (np.round(_probabilities(x + s * e), DECIMALS)[TARGET] for s in (1, -1))
        grad[i] = -(up - down) / (2 * STEP)
    return grad


p = _probabilities(np.array(X))
EXERCISES = [
    Exercise(
        "01", "mi_face_gradient",
        f"A softmax-regression model has weights W = {W} (one row per class) and biases b = {B}. MI-Face "
        f"descends the cost c(x) = 1 - p_t(x) for the target class t = {TARGET}. Compute the gradient of c "
        f"at x = {X} (two numbers).",
        _cost_gradient,
        hint="d p_t / d x = p_t (W_t - sum_k p_k W_k); the cost is 1 - p_t.",
        common_mistakes=[
            Mistake(p[TARGET] * (np.array(W[TARGET]) - p @ np.array(W)),
                    "that is the gradient of p_t: the cost is 1 - p_t, so flip the sign (MI-Face descends "
                    "the cost, which climbs p_t)."),
            Mistake(-p[TARGET] * np.array(W[TARGET]),
                    "you left out the sum over classes: raising p_t also lowers the other classes, so "
                    "d p_t / d x = p_t (W_t - sum_k p_k W_k)."),
        ],
        prepare=array_of_shape(2),
        explanation="white-box MI-Face follows exactly this gradient, step after step.",
        given={"W": W, "b": B, "x": X, "target": TARGET},
    ),
    Exercise(
        "01", "rounded_gradient_estimate",
        f"A black-box attacker estimates the same gradient by central differences with step h = {STEP}: "
        f"(c(x + h e_i) - c(x - h e_i)) / 2h, but the API rounds confidences to {DECIMALS} decimals before "
        "returning them. Compute the estimate the attacker actually gets (two numbers).",
        _rounded_estimate,
        hint="round p_t(x + h e_i) and p_t(x - h e_i) to two decimals before taking the difference.",
        common_mistakes=[
            Mistake(_cost_gradient(), "that is the true gradient: the attacker never sees it, only rounded "
                                      "confidences. Round both queries before subtracting."),
        ],
        prepare=array_of_shape(2),
        explanation="the two rounded answers agree, so the estimate vanishes: rounding hides the small "
                    "changes that finite differences need (a larger step brings some signal back).",
        given={"W": W, "b": B, "x": X, "target": TARGET, "h": STEP, "decimals": DECIMALS},
    ),
]
