"""The DP region of ROC curves, the empirical-epsilon audit, and the membership-game helpers."""

import math

import numpy as np
import pytest
import torch

from mlprivacy_lab.data import load_dataset
from mlprivacy_lab.privacy import GaussianMechanism, LaplaceMechanism, gaussian_epsilon
from mlprivacy_lab.privacy.audit import coin_flip_membership, dp_max_auc, dp_roc_bound, empirical_epsilon
from mlprivacy_lab.privacy.dpsgd import dpsgd_train_fn
from mlprivacy_lab.privacy.figures import neighbouring_outputs, roc_in_dp_region


def test_roc_bound_is_kairouz_region():
    eps, delta = 1.0, 1e-3
    fpr = np.linspace(0, 1, 1001)
    bound = dp_roc_bound(fpr, eps, delta)
    assert bound[0] == pytest.approx(delta) and bound[-1] == 1.0
    assert np.all(bound <= math.e * fpr + delta + 1e-12)
    assert np.all(1 - fpr <= math.e * (1 - bound) + delta + 1e-12)  # the symmetric constraint
    assert np.all(bound >= fpr) and np.all(np.diff(bound) >= 0)


@pytest.mark.parametrize("eps", [0.1, 0.5, 1.0, 3.0])
def test_max_auc_is_area_under_the_bound(eps):
    x = np.linspace(0, 1, 400_001)
    assert dp_max_auc(eps, 1e-5) == pytest.approx(np.trapezoid(dp_roc_bound(x, eps, 1e-5), x), abs=1e-8)
    # pure DP: the region's corner (1/(1+e^eps), e^eps/(1+e^eps)) gives AUC = e^eps / (1 + e^eps)
    assert dp_max_auc(eps, 1e-12) == pytest.approx(math.exp(eps) / (1 + math.exp(eps)), abs=1e-9)


def test_empirical_epsilon_of_randomized_response():
    """Randomized response is exactly eps-DP: the audit's lower bound must stay below eps and come close."""
    eps, n = 1.0, 200_000
    rng = np.random.default_rng(0)
    p = math.exp(eps) / (1 + math.exp(eps))
    member = np.r_[np.ones(n, bool), np.zeros(n, bool)]
    scores = np.where(member, rng.random(2 * n) < p, rng.random(2 * n) < 1 - p).astype(float)
    lower = empirical_epsilon(scores, member, delta=1e-6)
    assert 0.9 * eps < lower <= eps


def test_empirical_epsilon_of_gaussian_shift_and_chance():
    rng = np.random.default_rng(1)
    n, mu, delta = 100_000, 1.0, 1e-4
    member = np.r_[np.ones(n, bool), np.zeros(n, bool)]
    scores = rng.normal(size=2 * n) + mu * member
    assert empirical_epsilon(scores, member, delta) <= gaussian_epsilon(1.0, delta, mu)
    assert empirical_epsilon(rng.normal(size=2 * n), member, delta) < 0.1  # no signal: nothing certified


def test_empirical_epsilon_rejects_bad_input():
    with pytest.raises(ValueError, match="confidence"):
        empirical_epsilon(np.arange(4.0), np.array([1, 0, 1, 0]), 1e-5, confidence=1.0)
    with pytest.raises(ValueError, match="delta"):
        empirical_epsilon(np.arange(4.0), np.array([1, 0, 1, 0]), 0.0)


def test_coin_flip_membership():
    keep = coin_flip_membership(8, 5000, seed=3)
    assert keep.shape == (8, 5000) and keep.dtype == bool
    assert abs(keep.mean() - 0.5) < 0.01
    assert np.array_equal(keep, coin_flip_membership(8, 5000, seed=3))
    with pytest.raises(ValueError, match="n_models"):
        coin_flip_membership(0, 10)


def test_dpsgd_train_fn_uses_the_public_sample_rate():
    data = load_dataset("digits", test_size=300, seed=0)
    train = dpsgd_train_fn(data.n_features, data.n_classes, (16,), target_epsilon=2.0, target_delta=1e-5,
                           sample_rate=0.1, batch_size=70, epochs=2, device=torch.device("cpu"))
    model = train(data.X_train[:700], data.y_train[:700], 0)
    assert isinstance(model, torch.nn.Module) and not model.training
    again = train(data.X_train[:700], data.y_train[:700], 0)
    assert all(torch.equal(a, b) for a, b in zip(model.parameters(), again.parameters()))


def test_figures_draw_what_they_compute():
    import matplotlib.pyplot as plt

    mechs = {"Laplace": LaplaceMechanism(1.0, 0.1), "Gaussian": GaussianMechanism(1.0, 1e-5, 0.1)}
    fig = neighbouring_outputs(mechs, 0.3, 0.4)
    x, loss = fig.axes[2].lines[0].get_data()  # bottom-left: Laplace privacy loss
    assert np.allclose(loss, mechs["Laplace"].privacy_loss(x, 0.3, 0.4)) and np.abs(loss).max() <= 1.0 + 1e-12
    member = np.r_[np.ones(50, bool), np.zeros(50, bool)]
    ax = roc_in_dp_region({"a": (np.arange(100.0), member)}, 1.0, 1e-5)
    x, bound = ax.lines[-1].get_data()
    assert np.allclose(bound, dp_roc_bound(x, 1.0, 1e-5))
    plt.close("all")
