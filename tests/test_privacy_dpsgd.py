"""DP-SGD: clipped per-sample gradients against per-sample backward passes, the noise scale, Poisson sampling."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from mlprivacy_lab.data import load_dataset
from mlprivacy_lab.models import accuracy, mlp, small_cnn
from mlprivacy_lab.privacy import DPSGD, clipped_gradient_sum, per_sample_gradients, train_dpsgd
from mlprivacy_lab.privacy.dpsgd import add_noise, poisson_sample

torch.set_num_threads(1)
CPU = torch.device("cpu")


def _loop_clipped_sum(model, X, y, C):
    """The reference: one backward pass per sample, clip, sum."""
    params = [p for p in model.parameters() if p.requires_grad]
    total = [torch.zeros_like(p) for p in params]
    norms = []
    for i in range(len(X)):
        model.zero_grad()
        nn.functional.cross_entropy(model(X[i:i + 1]), y[i:i + 1]).backward()
        g = [p.grad.detach().clone() for p in params]
        norm = torch.sqrt(sum(t.square().sum() for t in g))
        norms.append(norm)
        for acc, t in zip(total, g):
            acc += t * min(1.0, C / norm.item())
    return total, torch.stack(norms)


def _batch(seed, n=24, features=20, classes=5, scale=3.0):
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(n, features, generator=gen) * scale, torch.randint(0, classes, (n,), generator=gen)


@pytest.mark.parametrize("method", ["ghost", "vmap", "auto"])
@pytest.mark.parametrize("C", [0.05, 1.0, 100.0])  # every sample clipped, some, none
def test_mlp_clipped_sum_equals_per_sample_backward(method, C):
    torch.manual_seed(1)
    model = mlp(20, 5, hidden=(16, 12))
    X, y = _batch(2)
    expected, expected_norms = _loop_clipped_sum(model, X, y, C)
    clipped, norms = clipped_gradient_sum(model, X, y, C, method=method)
    assert torch.allclose(norms, expected_norms, rtol=1e-5, atol=1e-6)
    for (name, p), ref in zip(model.named_parameters(), expected):
        assert clipped[name].shape == p.shape
        assert torch.allclose(clipped[name], ref, rtol=1e-4, atol=1e-6), name
    if C == 0.05:
        assert torch.all(norms > C)  # the case really clips every sample


@settings(max_examples=15, deadline=None)
@given(hidden=st.lists(st.integers(1, 24), min_size=0, max_size=3), n=st.integers(1, 12),
       log_c=st.floats(-3, 2), seed=st.integers(0, 2 ** 16))
def test_ghost_equals_vmap_on_random_mlps(hidden, n, log_c, seed):
    torch.manual_seed(seed)
    model = mlp(7, 3, hidden=hidden)
    X, y = _batch(seed, n=n, features=7, classes=3)
    ghost, ghost_norms = clipped_gradient_sum(model, X, y, 10.0 ** log_c, method="ghost")
    vmap, vmap_norms = clipped_gradient_sum(model, X, y, 10.0 ** log_c, method="vmap")
    assert torch.allclose(ghost_norms, vmap_norms, rtol=1e-4, atol=1e-6)
    assert all(torch.allclose(ghost[k], vmap[k], rtol=1e-4, atol=1e-6) for k in vmap)


def test_cnn_clipped_sum_and_per_sample_gradients_equal_backward():
    torch.manual_seed(3)
    model = small_cnn((8, 8), n_classes=4, channels=4)
    X, y = _batch(4, n=10, features=64, classes=4, scale=1.0)
    grads = per_sample_gradients(model, X, y)
    for i in range(len(X)):
        model.zero_grad()
        nn.functional.cross_entropy(model(X[i:i + 1]), y[i:i + 1]).backward()
        for name, p in model.named_parameters():
            assert torch.allclose(grads[name][i], p.grad, rtol=1e-4, atol=1e-6), (i, name)
    expected, expected_norms = _loop_clipped_sum(model, X, y, 0.5)
    clipped, norms = clipped_gradient_sum(model, X, y, 0.5)  # auto picks vmap: convolutions
    assert torch.allclose(norms, expected_norms, rtol=1e-5)
    for (name, _), ref in zip(model.named_parameters(), expected):
        assert torch.allclose(clipped[name], ref, rtol=1e-4, atol=1e-6), name


def test_ghost_refuses_models_it_cannot_handle():
    X, y = _batch(5, features=64, classes=4)
    with pytest.raises(ValueError, match="vmap"):
        clipped_gradient_sum(small_cnn((8, 8), 4, 4), X, y, 1.0, method="ghost")
    shared = nn.Linear(64, 64)
    twice = nn.Sequential(shared, nn.ReLU(), shared, nn.ReLU(), nn.Linear(64, 4))
    with pytest.raises(ValueError, match="once"):
        clipped_gradient_sum(twice, X, y, 1.0, method="ghost")
    expected, _ = _loop_clipped_sum(twice, X, y, 1.0)  # vmap handles weight sharing
    clipped, _ = clipped_gradient_sum(twice, X, y, 1.0, method="vmap")
    assert all(torch.allclose(clipped[n], r, rtol=1e-4, atol=1e-6) for (n, _), r in zip(twice.named_parameters(), expected))


def test_noise_has_the_stated_scale():
    gen = torch.Generator().manual_seed(0)
    sigma, C, B = 1.3, 0.7, 50.0
    noisy = add_noise(torch.full((1_000_000,), 5.0), sigma, C, B, gen)
    assert noisy.mean().item() == pytest.approx(5.0 / B, abs=5 * sigma * C / B / 1000)
    assert noisy.std().item() == pytest.approx(sigma * C / B, rel=0.005)


def test_a_step_on_an_empty_batch_moves_the_weights_by_pure_noise():
    """With no sample drawn the clipped sum is 0, so an SGD step with lr 1 moves each weight by N(0, (sigma C / qN)^2)."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(500, 400))
    before = [p.detach().clone() for p in model.parameters()]
    dp = DPSGD(model, torch.optim.SGD(model.parameters(), lr=1.0), noise_multiplier=2.0, max_grad_norm=3.0,
               sample_rate=0.01, expected_batch_size=10, seed=5)
    dp.step(torch.zeros(0, 500), torch.zeros(0, dtype=torch.long))
    moves = torch.cat([(b - p.detach()).flatten() for b, p in zip(before, model.parameters())])
    assert moves.std().item() == pytest.approx(2.0 * 3.0 / (0.01 * 1000), rel=0.01)
    assert dp.accountant.history == [(2.0, 0.01, 1)]


def test_poisson_sampling_has_binomial_batch_sizes():
    gen = torch.Generator().manual_seed(0)
    n, q = 1000, 0.05
    sizes = np.array([len(poisson_sample(n, q, gen)) for _ in range(2000)])
    assert sizes.mean() == pytest.approx(n * q, abs=4 * math.sqrt(n * q * (1 - q) / 2000))
    assert sizes.var() == pytest.approx(n * q * (1 - q), rel=0.15)
    batch = poisson_sample(n, q, gen)
    assert len(torch.unique(batch)) == len(batch) and (batch < n).all()


def test_train_dpsgd_learns_accounts_and_is_seeded():
    data = load_dataset("digits", test_size=300, seed=0)

    def run():
        torch.manual_seed(0)
        return train_dpsgd(mlp(data.n_features, data.n_classes, (32,)), data.X_train, data.y_train, epochs=8,
                           batch_size=128, target_epsilon=4.0, target_delta=1e-5,
                           progress=False, device=CPU)

    result = run()
    assert result.steps == int(8 / (128 / len(data.y_train)))
    assert result.accountant.history == [(result.noise_multiplier, result.sample_rate, result.steps)]
    assert 3.99 - 0.01 <= result.epsilon(1e-5) <= 4.0
    assert accuracy(result.model, data.X_test, data.y_test) > 0.6  # chance is 0.1
    again = run()
    assert all(torch.equal(a, b) for a, b in zip(result.model.parameters(), again.model.parameters()))


@pytest.mark.parametrize("kwargs, error, match", [
    ({"noise_multiplier": 0.0}, ValueError, "noise_multiplier"),
    ({"noise_multiplier": 1.0, "target_epsilon": 1.0}, ValueError, "exactly one"),
    ({"target_epsilon": -1.0}, ValueError, "target_epsilon"),
    ({"target_epsilon": 1.0, "target_delta": 0.0}, ValueError, "target_delta"),
    ({"noise_multiplier": 1.0, "batch_size": 10_000}, ValueError, "batch_size"),
    ({"noise_multiplier": 1.0, "optimizer": "lbfgs"}, ValueError, "optimizer"),
    ({"noise_multiplier": 1.0, "method": "magic"}, ValueError, "method"),
    ({"noise_multiplier": 1.0, "max_grad_norm": 0.0}, ValueError, "max_grad_norm"),
])
def test_train_dpsgd_rejects_bad_input(kwargs, error, match):
    X, y = np.zeros((100, 4), np.float32), np.zeros(100, np.int64)
    with pytest.raises(error, match=match):
        train_dpsgd(mlp(4, 2), X, y, **{"epochs": 1, "batch_size": 10, "progress": False, "device": CPU, **kwargs})


def test_dpsgd_rejects_bad_sample_rate():
    model = mlp(4, 2)
    for q in (0.0, 1.2):
        with pytest.raises(ValueError, match="sample_rate"):
            DPSGD(model, torch.optim.SGD(model.parameters(), lr=0.1), noise_multiplier=1.0, max_grad_norm=1.0,
                  sample_rate=q, expected_batch_size=10)
