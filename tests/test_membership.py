"""Membership inference attacks: exact against references, strong on an overfit target, at chance otherwise."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from mlprivacy_lab.attacks import membership as mia
from mlprivacy_lab.attacks.metrics import auc

from conftest import POOL



def test_log_odds_matches_logits():
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=4, size=(50, 10))
    y = rng.integers(10, size=50)
    proba = torch.softmax(torch.as_tensor(logits), 1).numpy()
    others = np.where(np.eye(10)[y].astype(bool), -np.inf, logits)
    expected = logits[np.arange(50), y] - np.logaddexp.reduce(others, axis=1)
    np.testing.assert_allclose(mia.log_odds(proba, y), expected, rtol=1e-9, atol=1e-9)


def test_threshold_ranks_like_the_loss():
    rng = np.random.default_rng(1)
    proba = rng.dirichlet(np.ones(10), size=300)
    y = rng.integers(10, size=300)
    member = rng.random(300) < 0.5
    loss = -np.log(proba[np.arange(300), y])
    assert auc(mia.threshold_scores(proba, y), member) == pytest.approx(auc(-loss, member))


def test_threshold_resolves_confidences_near_one():
    proba = np.array([[1 - 1e-20, 1e-20], [1 - 1e-30, 1e-30]])
    scores = mia.threshold_scores(proba, np.array([0, 0]))
    assert scores[1] > scores[0] > 40


def test_lira_matches_the_gaussian_likelihood_ratio():
    rng = np.random.default_rng(2)
    n_shadows, n = 40, 30
    keep = mia.complementary_halves(n_shadows, n, seed=0)
    phi = rng.normal(size=(n_shadows, n)) + 2.0 * keep
    proba = 1 / (1 + np.exp(-phi))  # two classes: log_odds of class 0 is phi
    conf = np.stack([proba, 1 - proba], -1)
    y = np.zeros(n, dtype=np.int64)
    target_phi = rng.normal(size=n)
    target = np.stack([1 / (1 + np.exp(-target_phi)), 1 / (1 + np.exp(target_phi))], -1)
    online = mia.LiRA(online=True, fix_variance=False).fit(conf, keep, y).score(target, y)
    offline = mia.LiRA(online=False, fix_variance=False).fit(conf, keep, y).score(target, y)
    for j in range(n):
        inside, outside = phi[keep[:, j], j], phi[~keep[:, j], j]
        lr = (norm.logpdf(target_phi[j], np.median(inside), inside.std())
              - norm.logpdf(target_phi[j], np.median(outside), outside.std()))
        assert online[j] == pytest.approx(lr, rel=1e-6, abs=1e-6)
        assert offline[j] == pytest.approx(-np.log(norm.sf(target_phi[j], np.median(outside), outside.std())),
                                           rel=1e-6)


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 12), st.integers(2, 41), st.integers(0, 1000))
def test_complementary_halves(n_models, n_records, seed):
    keep = mia.complementary_halves(n_models, n_records, seed)
    assert keep.shape == (n_models, n_records)
    assert (keep.sum(1) == n_records // 2).all()
    pairs = keep[: n_models // 2 * 2].reshape(-1, 2, n_records)
    assert not (pairs[:, 0] & pairs[:, 1]).any()  # a model and its partner never share a record
    if n_models % 2 == 0 and n_records % 2 == 0:
        assert (keep.sum(0) == n_models // 2).all()  # every record IN for exactly half of the models


def test_attacks_beat_chance_on_an_overfit_target(experiment):
    results = experiment.run()
    assert set(results) == set(mia.ATTACKS)
    for name, result in results.items():
        stats = result.summary()
        assert stats["auc"] > 0.58, (name, stats)
        assert stats["n_members"] == stats["n_nonmembers"] == POOL
        assert result.target_queries == 2 * POOL  # every target answered every record once, through the API
    assert results["lira_online"].summary()["tpr_at_1pct_fpr"] > results["threshold"].summary()["tpr_at_1pct_fpr"]


def test_attacks_sit_at_chance_when_members_were_never_used(experiment, mnist):
    X, y = mnist
    train_fn = mia.mlp_train_fn(784, 10, hidden=(128,), epochs=30)
    keep = mia.complementary_halves(4, POOL, seed=7)
    outsiders = mia.train_models(X[POOL:], y[POOL:], train_fn, keep, seed=50, progress=False)
    # the "members" are labels on the pool, but these targets trained on other records
    unrelated = mia.MembershipExperiment(experiment.X, experiment.y, 10, outsiders, experiment.shadows)
    for name, result in unrelated.run().items():
        assert abs(result.summary()["auc"] - 0.5) <= 0.05, (name, result.summary())


def test_label_only_endpoint_reaches_attacks_as_one_hot(experiment):
    conf, queries = mia.query_models(experiment.targets.models, experiment.X, 10, mode="label")
    assert conf.shape == (2, POOL, 10) and queries == 2 * POOL
    assert set(np.unique(conf)) == {0.0, 1.0} and (conf.sum(-1) == 1).all()
    for result in experiment.run(["threshold", "lira_online"], mode="label").values():
        assert 0.4 < result.summary()["auc"] < 0.8


def test_bad_input_raises_clear_errors(experiment):
    conf = np.full((5, 3), 1 / 3)
    with pytest.raises(ValueError, match="one label per record"):
        mia.threshold_scores(conf, np.zeros(4, dtype=np.int64))
    with pytest.raises(ValueError, match="integer labels in"):
        mia.threshold_scores(conf, np.full(5, 3))
    with pytest.raises(ValueError, match="at least one record"):
        mia.threshold_scores(np.zeros((0, 3)), np.zeros(0, dtype=np.int64))
    with pytest.raises(ValueError, match="before score"):
        mia.LiRA().score(conf, np.zeros(5, dtype=np.int64))
    with pytest.raises(ValueError, match="same y"):
        mia.LiRA().fit(np.stack([conf, conf]), [[True] * 5, [False] * 5], np.zeros(5, dtype=np.int64)).score(
            conf, np.ones(5, dtype=np.int64))
    with pytest.raises(ValueError, match="each side"):
        mia.LiRA().fit(np.stack([conf, conf]), np.ones((2, 5), bool), np.zeros(5, dtype=np.int64))
    with pytest.raises(ValueError, match="empty member set"):
        mia.train_models(experiment.X, experiment.y, None, np.zeros((1, POOL), bool))
    with pytest.raises(ValueError, match="same records"):
        mia.train_models(experiment.X[:10], experiment.y, None, np.ones((1, POOL), bool))
    with pytest.raises(ValueError, match="unknown attacks"):
        experiment.run(["loss"])


def test_disclosure_floor_bounds_the_log_odds_of_rounded_answers():
    assert mia.disclosure_floor() == pytest.approx(1e-45)
    assert mia.disclosure_floor(mode="rounded", decimals=2) == pytest.approx(0.005)
    rounded = np.array([[1.0, 0.0, 0.0], [0.99, 0.01, 0.0], [0.0, 1.0, 0.0]])
    phi = mia.log_odds(rounded, np.zeros(3, dtype=np.int64), floor=mia.disclosure_floor(decimals=2))
    np.testing.assert_allclose(phi, [np.log(1 / 0.005), np.log(0.99 / 0.01), np.log(0.005 / 1.0)])


def test_experiment_rejects_too_few_models(mnist):
    X, y = mnist
    with pytest.raises(ValueError, match="n_shadows >= 2"):
        mia.MembershipExperiment.train(X[:20], y[:20], None, n_targets=1, n_shadows=1)
    with pytest.raises(ValueError, match="n_records must be in"):
        mia.vulnerable_mnist(n_records=1)
