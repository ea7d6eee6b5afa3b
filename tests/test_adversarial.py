"""Adversarial examples: FGSM, the targeted attack, PGD (l_inf, l_2) and adversarial training."""

import numpy as np
import pytest
import torch
from torch import nn

from mlprivacy_lab.attacks.adversarial import (adversarial_error, adversarial_train, fgsm, minimize_margin, pgd,
                                               targeted_attack)
from mlprivacy_lab.data import load_dataset, mnist5k_split
from mlprivacy_lab.models import accuracy, mlp, train_classifier
from mlprivacy_lab.robust.checkpoints import load_small_cnn


def linear_model(seed=0, d=6, k=4) -> nn.Sequential:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(d, k)).double()


def test_fgsm_matches_the_closed_form_gradient_sign_of_a_softmax_regression():
    model = linear_model()
    W, b = model[0].weight.detach().numpy(), model[0].bias.detach().numpy()
    rng = np.random.default_rng(0)
    x, y = rng.random((20, 6)), rng.integers(0, 4, 20)
    logits = x @ W.T + b
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    grad = (p - np.eye(4)[y]) @ W  # d CE / dx for softmax regression
    expected = x + 0.1 * np.sign(grad)
    got = fgsm(model, x, y, 0.1, data_range=None).numpy()
    assert np.allclose(got, expected)
    clipped = fgsm(model, x, y, 0.1).numpy()
    assert np.allclose(clipped, np.clip(expected, 0, 1))


@pytest.mark.parametrize("norm", ["inf", 2])
def test_targeted_attack_reaches_the_analytic_optimum_on_a_linear_model(norm):
    """min (e_y - e_t)^T (W x' + b) over ||x' - x||_p <= eps is x - eps sign(w) (l_inf) or x - eps w/||w|| (l_2)."""
    model = linear_model(1)
    W, b = model[0].weight.detach(), model[0].bias.detach()
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(10, 6, generator=gen, dtype=torch.float64)
    y, target = torch.zeros(10, dtype=torch.long), torch.full((10,), 2)
    w = (W[0] - W[2]).expand(10, 6)
    best = x - 0.3 * (w.sign() if norm == "inf" else w / w.norm(dim=1, keepdim=True))
    x_adv = targeted_attack(model, x, y, target, 0.3, norm=norm, steps=100, data_range=None)
    margin = lambda z: (z @ W.T + b)[:, 0] - (z @ W.T + b)[:, 2]  # noqa: E731
    assert torch.allclose(margin(x_adv), margin(best), atol=1e-6)
    delta = x_adv - x
    size = delta.abs().amax(1) if norm == "inf" else delta.norm(dim=1)
    assert torch.all(size <= 0.3 + 1e-9)


@pytest.mark.parametrize("norm,eps", [("inf", 0.1), (2, 1.5)])
def test_pgd_stays_in_the_ball_and_the_data_range_and_beats_fgsm(norm, eps):
    model = load_small_cnn("normal", device=torch.device("cpu"))
    data = mnist5k_split()
    x, y = torch.tensor(data.X_test[:100]), torch.tensor(data.y_test[:100])
    x_adv = pgd(model, x, y, eps, norm=norm, steps=10)
    delta = x_adv - x
    size = delta.abs().amax(1) if norm == "inf" else delta.norm(dim=1)
    assert torch.all(size <= eps + 1e-5) and x_adv.min() >= 0 and x_adv.max() <= 1
    clean_err = 1 - accuracy(model, data.X_test[:100], data.y_test[:100])
    pgd_err = adversarial_error(model, x, y, eps, "pgd", norm=norm, steps=10)
    assert pgd_err > clean_err + 0.3, (clean_err, pgd_err)
    if norm == "inf":
        assert pgd_err >= adversarial_error(model, x, y, eps, "fgsm")


def test_minimize_margin_returns_the_value_at_the_returned_input():
    model = load_small_cnn("normal", device=torch.device("cpu"))
    data = mnist5k_split()
    x, y = torch.tensor(data.X_test[:30]), torch.tensor(data.y_test[:30])
    c = torch.eye(10)[y] - torch.eye(10)[(y + 1) % 10]
    x_adv, value = minimize_margin(model, x, c, 0.1, steps=10, restarts=2)
    with torch.no_grad():
        assert torch.allclose((model(x_adv) * c).sum(1), value, atol=1e-5)
        assert torch.all(value <= (model(x) * c).sum(1) + 1e-6)  # never worse than the clean point


def test_adversarial_training_lowers_pgd_error():
    data = load_dataset("digits", seed=0)
    torch.manual_seed(0)
    normal = train_classifier(mlp(64, 10, (64,)), data.X_train, data.y_train, epochs=10, progress=False)
    torch.manual_seed(0)
    robust = adversarial_train(mlp(64, 10, (64,)), data.X_train, data.y_train, 0.1, epochs=10, steps=3,
                               progress=False)
    errs = [adversarial_error(m, data.X_test, data.y_test, 0.1, "pgd", steps=10) for m in (normal, robust)]
    assert errs[1] < errs[0] - 0.1, errs
    assert accuracy(robust, data.X_test, data.y_test) > 0.85


def test_bad_inputs_raise_clear_errors():
    model = linear_model()
    x, y = torch.zeros(3, 6, dtype=torch.float64), torch.zeros(3, dtype=torch.long)
    with pytest.raises(ValueError, match="norm must be 'inf' or 2"):
        pgd(model, x, y, 0.1, norm=1)
    with pytest.raises(ValueError, match="epsilon must be a finite number"):
        fgsm(model, x, y, -1.0)
    with pytest.raises(ValueError, match="steps must be a positive integer"):
        pgd(model, x, y, 0.1, steps=0)
    with pytest.raises(ValueError, match="one label per row"):
        fgsm(model, x, y[:2], 0.1)
    with pytest.raises(ValueError, match="target must be one class"):
        targeted_attack(model, x, y, 7, 0.1)
    with pytest.raises(ValueError, match="unknown attack"):
        adversarial_error(model, x, y, 0.1, "cw")


def test_a_relu_network_is_affine_on_each_linear_region():
    from mlprivacy_lab.attacks.adversarial import linear_regions
    torch.manual_seed(0)
    net = mlp(2, 3, (8, 8)).double()
    grid = np.stack(np.meshgrid(np.linspace(-2, 2, 60), np.linspace(-2, 2, 60)), -1).reshape(-1, 2)
    regions = linear_regions(net, grid)
    assert 5 < len(np.unique(regions)) < len(grid)
    jac = lambda p: torch.autograd.functional.jacobian(net, torch.tensor(p)).numpy()  # noqa: E731
    for r in np.unique(regions)[:5]:
        pts = grid[regions == r][:4]
        assert all(np.allclose(jac(p), jac(pts[0])) for p in pts)
    first, second = grid[regions == regions[0]][0], grid[regions != regions[0]][0]
    assert not np.allclose(jac(first), jac(second))
