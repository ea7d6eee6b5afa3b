"""Chapter 2 exercises: scoring a membership attack by hand."""

from __future__ import annotations

import numpy as np

from ..attacks import metrics
from .core import Exercise, Mistake, number

#: A threshold attack's decisions on 100 members and 100 non-members.
TP, FN, FP, TN = 70, 30, 25, 75
MEMBER_SCORES = [0.9, 0.8, 0.4]
NONMEMBER_SCORES = [0.7, 0.4, 0.1]


def _confusion_advantage() -> float:
    scores = np.r_[np.ones(TP), np.zeros(FN), np.ones(FP), np.zeros(TN)]
    is_member = np.r_[np.ones(TP + FN), np.zeros(FP + TN)].astype(bool)
    return metrics.advantage(scores, is_member)


def _auc() -> float:
    scores = np.r_[MEMBER_SCORES, NONMEMBER_SCORES]
    return metrics.auc(scores, np.r_[np.ones(3), np.zeros(3)].astype(bool))


EXERCISES = [
    Exercise(
        "02", "advantage_from_confusion_matrix",
        f"A loss-threshold attack says 'member' for {TP} of 100 members and for {FP} of 100 non-members "
        f"(so TP = {TP}, FN = {FN}, FP = {FP}, TN = {TN}). What is its membership advantage "
        "(Yeom et al. 2018)?",
        _confusion_advantage,
        hint="the advantage is the true-positive rate minus the false-positive rate.",
        common_mistakes=[
            Mistake((TP + TN) / 200, "that is the attack's accuracy; the advantage subtracts the false-positive "
                                     "rate from the true-positive rate, so a coin flip scores 0, not 0.5."),
            Mistake(TP / (TP + FP), "that is the precision; the advantage is TPR - FPR."),
            Mistake(TP / (TP + FN), "that is the true-positive rate alone: subtract the false-positive rate."),
        ],
        prepare=number(),
        explanation="0 is a coin flip and 1 a perfect attack; DP-SGD bounds this number by e^epsilon - 1.",
    ),
    Exercise(
        "02", "auc_by_hand",
        f"An attack gives three members the scores {MEMBER_SCORES} and three non-members {NONMEMBER_SCORES} "
        "(higher = more likely a member). Compute its ROC AUC by hand: the probability that a random member "
        "scores above a random non-member, ties counting one half.",
        _auc,
        hint="compare all 3 x 3 (member, non-member) pairs; a win counts 1, a tie 1/2.",
        common_mistakes=[
            Mistake(1 - _auc(), "that is the AUC of the opposite rule: count the pairs where the member scores "
                                "higher."),
            Mistake(7 / 9, "you counted the tie (0.4 against 0.4) as a loss: a tie counts one half."),
            Mistake(8 / 9, "you counted the tie (0.4 against 0.4) as a win: a tie counts one half."),
        ],
        prepare=number(),
        explanation="the AUC summarises every threshold at once; chapter 2 adds the TPR at 1% FPR because a "
                    "few confident hits matter more than the average.",
    ),
]
