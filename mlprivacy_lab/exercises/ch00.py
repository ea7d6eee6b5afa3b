"""Chapter 0 exercises: the classifier's outputs, which every later attack reads."""

from __future__ import annotations

import numpy as np
import torch

from .core import Exercise, Mistake, array_of_shape, number

LOGITS = [2.0, 1.0, 0.1]
LABEL = 1


def _softmax() -> np.ndarray:
    return torch.softmax(torch.tensor(LOGITS, dtype=torch.float64), dim=0).numpy()


def _cross_entropy() -> float:
    logits = torch.tensor([LOGITS], dtype=torch.float64)
    return float(torch.nn.functional.cross_entropy(logits, torch.tensor([LABEL])))


z = np.array(LOGITS)
EXERCISES = [
    Exercise(
        "00", "softmax",
        f"The network's last layer gives the logits z = {LOGITS}. Compute the confidence vector "
        "p = softmax(z) that the prediction API returns (three numbers).",
        _softmax,
        hint="softmax exponentiates each logit and divides by the sum of the exponentials.",
        common_mistakes=[
            Mistake(z / z.sum(), "you divided the logits by their sum: exponentiate them first (a logit can "
                                 "be negative, a probability cannot)."),
            Mistake(np.exp(z), "these are the exponentials, not yet probabilities: divide by their sum so "
                               "that the three confidences add up to 1."),
        ],
        prepare=array_of_shape(3),
        explanation="the confidences add up to 1 and keep the logits' order; an attacker reads all three.",
    ),
    Exercise(
        "00", "cross_entropy",
        f"With the same logits z = {LOGITS} and the true label y = {LABEL}, compute the cross-entropy "
        "loss that training minimises (one number, natural logarithm). Chapter 2's loss-threshold attack "
        "compares exactly this number between members and non-members.",
        _cross_entropy,
        hint="the loss is minus the logarithm of the confidence given to the true class.",
        common_mistakes=[
            Mistake(float(np.log(_softmax()[LABEL])), "the sign is off: a loss is -log p_y, which is positive."),
            Mistake(float(-np.log10(_softmax()[LABEL])), "that is the base-10 logarithm: use the natural one."),
            Mistake(float(-np.log(_softmax()[0])), "that is the loss of class 0, the predicted class: use the "
                                                   f"true label y = {LABEL}."),
        ],
        prepare=number(),
        explanation="a member the model has memorised gets a loss near 0, which is what membership "
                    "inference exploits.",
    ),
]
