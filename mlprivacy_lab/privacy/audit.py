"""What (epsilon, delta)-DP promises a membership attacker, and checking an attack's ROC against it.

Membership inference is a hypothesis test between a model trained with a record and one trained without
it. If training is (epsilon, delta)-DP for add/remove neighbours, every test's rates obey
TPR <= e^epsilon FPR + delta and 1 - FPR <= e^epsilon (1 - TPR) + delta (Kairouz, Oh & Viswanath, ICML 2015,
Thm. 2.1; Wasserman & Zhou 2010). Membership is decided by a fair coin per record (the membership game of
Yeom et al., CSF 2018, Exp. 1), so a member's and a non-member's training sets are such neighbours.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import beta

from ..attacks import metrics
from .validation import check_count, check_delta, check_epsilon


def dp_roc_bound(fpr: np.ndarray, epsilon: float, delta: float) -> np.ndarray:
    """The largest TPR an (epsilon, delta)-DP training run permits at each FPR (Kairouz et al. 2015, Thm. 2.1):
    min(1, e^eps FPR + delta, 1 - e^-eps (1 - delta - FPR))."""
    epsilon, delta = check_epsilon(epsilon), check_delta(delta)
    fpr = np.asarray(fpr, dtype=np.float64)
    return np.clip(np.minimum(math.exp(epsilon) * fpr + delta, 1 - math.exp(-epsilon) * (1 - delta - fpr)), 0, 1)


def dp_max_auc(epsilon: float, delta: float) -> float:
    """The largest ROC AUC any membership attack can have against an (epsilon, delta)-DP model: the area
    under ``dp_roc_bound`` (a concave piecewise-linear curve, so the trapezoid rule on its kinks is exact)."""
    epsilon, delta = check_epsilon(epsilon), check_delta(delta)
    kink = (1 - delta) / (1 + math.exp(epsilon))  # where the two lines meet; the second reaches 1 at 1 - delta
    xs = np.array([0.0, kink, 1 - delta, 1.0])
    return float(np.trapezoid(dp_roc_bound(xs, epsilon, delta), xs))


def _upper(k: np.ndarray, n: int, alpha: float) -> np.ndarray:
    """Clopper-Pearson upper confidence bound at level 1 - alpha on a rate with k successes out of n."""
    return np.where(k >= n, 1.0, beta.ppf(1 - alpha, k + 1, np.maximum(n - k, 1)))


def empirical_epsilon(scores: np.ndarray, is_member: np.ndarray, delta: float, confidence: float = 0.95) -> float:
    """A statistical lower bound on the epsilon of the training run, certified by an attack's scores
    (Jagielski, Ullman & Oprea, "Auditing differentially private machine learning", NeurIPS 2020, Sec. 3):
    at every threshold, Clopper-Pearson upper bounds on FPR and FNR give
    eps >= max(ln((1 - delta - FPR) / FNR), ln((1 - delta - FNR) / FPR)). A Bonferroni correction over the
    thresholds makes the bound hold with probability ``confidence`` for the maximum over all of them.
    If the model is (epsilon, delta)-DP, the result exceeds epsilon with probability at most 1 - confidence."""
    delta = check_delta(delta)
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")
    curve = metrics.roc(scores, is_member)
    n_pos, n_neg = curve.n_members, curve.n_nonmembers
    fp = np.rint(curve.fpr * n_neg)
    fn = np.rint((1 - curve.tpr) * n_pos)
    alpha = (1 - confidence) / (2 * len(fp))
    fpr_hi, fnr_hi = _upper(fp, n_neg, alpha), _upper(fn, n_pos, alpha)
    with np.errstate(divide="ignore", invalid="ignore"):
        bounds = np.concatenate([np.log((1 - delta - fpr_hi) / fnr_hi), np.log((1 - delta - fnr_hi) / fpr_hi)])
    bounds = bounds[np.isfinite(bounds)]
    return float(max(bounds.max(initial=0.0), 0.0))


def coin_flip_membership(n_models: int, n_records: int, seed: int = 0) -> np.ndarray:
    """Training-set masks (n_models, n_records): each record joins each model's training set on a fair coin
    flip, so that, for every record, the training sets with and without it are add/remove neighbours on
    average (Yeom et al. 2018, Exp. 1): the setting in which ``dp_roc_bound`` applies to the pooled ROC."""
    n_models, n_records = check_count(n_models, "n_models"), check_count(n_records, "n_records")
    return np.random.default_rng(seed).random((n_models, n_records)) < 0.5
