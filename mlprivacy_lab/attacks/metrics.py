"""Privacy-attack metrics as the membership-inference literature reports them.

A membership score is a number per record, larger meaning "more likely a member".
Given scores and the truth (1 = member, 0 = non-member) we report:

- the ROC curve, plotted on log-log axes (Carlini et al., "Membership Inference Attacks
  From First Principles", S&P 2022, Sec. III-B, argue for the low-FPR regime);
- its area (AUC);
- the membership advantage max_t (TPR - FPR) (Yeom et al., CSF 2018, Def. 4);
- the TPR at a fixed low FPR (e.g. 1% and 0.1%), with the number of non-members
  that FPR rests on: at FPR = 0.1% and 2,000 non-members, two false positives.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RocCurve:
    """``fpr[i]`` and ``tpr[i]`` are the rates of calling "member" when the score is >= ``thresholds[i]``."""

    fpr: np.ndarray
    tpr: np.ndarray
    thresholds: np.ndarray
    n_members: int
    n_nonmembers: int


def _check(scores: np.ndarray, is_member: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scores = np.asarray(scores, dtype=np.float64).ravel()
    labels = np.asarray(is_member).ravel()
    if scores.shape != labels.shape:
        raise ValueError(f"scores has {scores.size} entries but is_member has {labels.size}; "
                         "pass one membership label per score")
    if np.isnan(scores).any():
        raise ValueError("scores contain NaN; every record needs a comparable score")
    if labels.dtype != bool:
        if not np.isin(labels, (0, 1)).all():
            raise ValueError("is_member must be boolean or 0/1 (1 = member, 0 = non-member)")
        labels = labels.astype(bool)
    if not labels.any():
        raise ValueError("is_member has no members: a TPR needs at least one member")
    if labels.all():
        raise ValueError("is_member has no non-members: an FPR needs at least one non-member")
    return scores, labels


def roc(scores: np.ndarray, is_member: np.ndarray) -> RocCurve:
    """The full ROC curve, one point per distinct score (as ``sklearn.metrics.roc_curve`` with
    ``drop_intermediate=False``), starting at (0, 0) with threshold +inf."""
    scores, labels = _check(scores, is_member)
    order = np.argsort(-scores, kind="stable")
    s, lab = scores[order], labels[order]
    last_of_tie = np.r_[np.flatnonzero(np.diff(s) != 0), s.size - 1]
    tp = np.cumsum(lab)[last_of_tie]
    fp = np.cumsum(~lab)[last_of_tie]
    n_pos, n_neg = int(labels.sum()), int((~labels).sum())
    return RocCurve(fpr=np.r_[0.0, fp / n_neg], tpr=np.r_[0.0, tp / n_pos],
                    thresholds=np.r_[np.inf, s[last_of_tie]], n_members=n_pos, n_nonmembers=n_neg)


def _auc(curve: RocCurve) -> float:
    return float(np.trapezoid(curve.tpr, curve.fpr))


def _advantage(curve: RocCurve) -> float:
    return float(np.max(curve.tpr - curve.fpr))


def _tpr_at(curve: RocCurve, fpr: float) -> float:
    return float(curve.tpr[curve.fpr <= fpr].max())


def auc(scores: np.ndarray, is_member: np.ndarray) -> float:
    """Area under the ROC curve (trapezoids; ties count one half): 0.5 is chance."""
    return _auc(roc(scores, is_member))


def advantage(scores: np.ndarray, is_member: np.ndarray) -> float:
    """Membership advantage max over thresholds of TPR - FPR (Yeom et al. 2018, Def. 4): 0 is chance."""
    return _advantage(roc(scores, is_member))


def tpr_at_fpr(scores: np.ndarray, is_member: np.ndarray, fpr: float) -> float:
    """The largest TPR among thresholds whose FPR is at most ``fpr`` (Carlini et al. 2022, Sec. III-B).

    With N non-members an FPR below 1/N allows no false positive at all; see ``false_positives_allowed``.
    """
    if not 0.0 <= fpr <= 1.0:
        raise ValueError(f"fpr must be a rate in [0, 1], got {fpr!r} (1% is 0.01)")
    return _tpr_at(roc(scores, is_member), fpr)


def false_positives_allowed(n_nonmembers: int, fpr: float) -> int:
    """How many false positives an FPR of ``fpr`` permits among ``n_nonmembers``: what a TPR at that FPR rests on."""
    return int(np.floor(fpr * n_nonmembers + 1e-9))


def summary(scores: np.ndarray, is_member: np.ndarray) -> dict:
    """The metrics the issue and the benchmarks report, as a JSON-ready dict."""
    curve = roc(scores, is_member)
    return {
        "auc": _auc(curve),
        "advantage": _advantage(curve),
        "tpr_at_1pct_fpr": _tpr_at(curve, 0.01),
        "tpr_at_0p1pct_fpr": _tpr_at(curve, 0.001),
        "n_members": curve.n_members,
        "n_nonmembers": curve.n_nonmembers,
        "false_positives_at_0p1pct_fpr": false_positives_allowed(curve.n_nonmembers, 0.001),
    }


def plot_roc(results: dict[str, tuple[np.ndarray, np.ndarray]], ax=None, title: str = "ROC, log-log axes"):
    """Log-log ROC curves of several attacks, ``{name: (scores, is_member)}``, with the chance diagonal;
    the legend gives each AUC and TPR at 1% FPR. Returns the axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        ax = plt.subplots(figsize=(7, 6))[1]
    floor = 1.0
    for name, (scores, is_member) in results.items():
        curve = roc(scores, is_member)
        floor = min(floor, 0.5 / curve.n_nonmembers)
        ax.plot(np.maximum(curve.fpr, floor), np.maximum(curve.tpr, floor), lw=2.5,
                label=f"{name}: AUC {_auc(curve):.2f}, TPR@1% {100 * _tpr_at(curve, 0.01):.1f}%")
    ax.plot([floor, 1], [floor, 1], "k--", lw=1, label="chance")
    ax.set(xscale="log", yscale="log", xlim=(floor, 1), ylim=(floor, 1), title=title,
           xlabel="false positive rate", ylabel="true positive rate")
    ax.legend(fontsize=11, loc="lower right")
    return ax
