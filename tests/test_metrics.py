"""Privacy metrics agree with scikit-learn and reject bad input clearly."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score, roc_curve

from mlprivacy_lab.attacks import metrics


@st.composite
def scored_records(draw):
    n = draw(st.integers(2, 60))
    labels = draw(st.lists(st.booleans(), min_size=n, max_size=n).filter(lambda l: any(l) and not all(l)))
    scores = draw(st.lists(st.integers(-5, 5) | st.floats(-1e3, 1e3), min_size=n, max_size=n))
    return np.array(scores, dtype=float), np.array(labels)


@settings(max_examples=200, deadline=None)
@given(scored_records())
def test_roc_and_auc_agree_with_sklearn(data):
    scores, labels = data
    fpr, tpr, thresholds = roc_curve(labels, scores, drop_intermediate=False)
    curve = metrics.roc(scores, labels)
    np.testing.assert_allclose(curve.fpr, fpr)
    np.testing.assert_allclose(curve.tpr, tpr)
    np.testing.assert_array_equal(curve.thresholds, thresholds)
    assert metrics.auc(scores, labels) == pytest.approx(roc_auc_score(labels, scores))


@settings(max_examples=200, deadline=None)
@given(scored_records(), st.sampled_from([0.0, 0.001, 0.01, 0.1, 0.5, 1.0]))
def test_advantage_and_tpr_at_fpr_by_brute_force(data, target_fpr):
    scores, labels = data
    best_gap, best_tpr = 0.0, 0.0
    for t in np.r_[np.inf, scores]:  # every "member if score >= t" rule
        called = scores >= t
        tpr, fpr = called[labels].mean(), called[~labels].mean()
        best_gap = max(best_gap, tpr - fpr)
        if fpr <= target_fpr:
            best_tpr = max(best_tpr, tpr)
    assert metrics.advantage(scores, labels) == pytest.approx(best_gap)
    assert metrics.tpr_at_fpr(scores, labels, target_fpr) == pytest.approx(best_tpr)


def test_perfect_and_inverted_scores():
    labels = np.r_[np.ones(50, bool), np.zeros(50, bool)]
    scores = np.arange(100.0)[::-1]
    s = metrics.summary(scores, labels)
    assert s["auc"] == 1.0 and s["advantage"] == 1.0 and s["tpr_at_0p1pct_fpr"] == 1.0
    assert metrics.auc(-scores, labels) == 0.0 and metrics.tpr_at_fpr(-scores, labels, 0.01) == 0.0
    assert s["n_members"] == 50 and s["n_nonmembers"] == 50


def test_chance_scores_give_half_auc():
    rng = np.random.default_rng(0)
    scores, labels = rng.normal(size=20_000), rng.random(20_000) < 0.5
    assert abs(metrics.auc(scores, labels) - 0.5) < 0.02
    assert metrics.advantage(scores, labels) < 0.03


def test_false_positives_allowed():
    assert metrics.false_positives_allowed(2000, 0.001) == 2
    assert metrics.false_positives_allowed(500, 0.001) == 0
    assert metrics.false_positives_allowed(4000, 0.01) == 40


@pytest.mark.parametrize("scores, labels, message", [
    ([0.1, 0.2, 0.3], [1, 0], "one membership label per score"),
    ([0.1, 0.2], [0, 0], "no members"),
    ([0.1, 0.2], [True, True], "no non-members"),
    ([], [], "no members"),
    ([0.1, np.nan], [1, 0], "NaN"),
    ([0.1, 0.2], [1, 2], "boolean or 0/1"),
])
def test_bad_input_raises_clear_errors(scores, labels, message):
    with pytest.raises(ValueError, match=message):
        metrics.summary(scores, labels)


def test_fpr_out_of_range():
    with pytest.raises(ValueError, match="1% is 0.01"):
        metrics.tpr_at_fpr([0.0, 1.0], [0, 1], 1.5)
