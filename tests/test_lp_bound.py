"""The relaxed primal LP and the exact MILP of ``robust.lp``: against brute force and against the dual network."""

import numpy as np
import pytest
import torch
from torch import nn

from mlprivacy_lab.robust import exact_minimum, lower_bound, lp_lower_bound


def fc_net(seed: int, widths) -> nn.Sequential:
    torch.manual_seed(seed)
    layers = []
    for a, b in zip(widths[:-1], widths[1:]):
        layers += [nn.Linear(a, b), nn.ReLU()]
    return nn.Sequential(*layers[:-1]).double()


def brute_force_minimum(net, x, eps, c, n):
    """Minimum of c^T f over a dense grid of the 1-D or 2-D box (a value attained, so >= the true minimum)."""
    g = torch.linspace(-eps, eps, n, dtype=torch.float64)
    grid = g[:, None] if x.shape[1] == 1 else torch.stack(torch.meshgrid(g, g, indexing="ij"), -1).reshape(-1, 2)
    with torch.no_grad():
        return torch.stack([(net(x[i] + grid) @ c[i]).min() for i in range(len(x))])


@pytest.mark.parametrize("dim, n_grid", [(1, 20001), (2, 401)])
def test_lp_and_milp_against_brute_force_on_1d_and_2d_nets(dim, n_grid):
    for seed in range(3):
        net = fc_net(seed, (dim, 6, 5, 2))
        gen = torch.Generator().manual_seed(seed)
        x = torch.randn(3, dim, generator=gen, dtype=torch.float64)
        c = torch.randn(3, 2, generator=gen, dtype=torch.float64)
        brute = brute_force_minimum(net, x, 0.5, c, n_grid)
        exact = exact_minimum(net, x, 0.5, c)
        triangle = lp_lower_bound(net, x, 0.5, c, "triangle")
        parallel = lp_lower_bound(net, x, 0.5, c, "parallel")
        assert torch.all(parallel <= triangle + 1e-8) and torch.all(triangle <= exact + 1e-8)
        assert torch.all(exact <= brute + 1e-8)
        # the grid is fine enough that the true minimum lies within a hair of its best point
        assert torch.allclose(exact, brute, atol=2e-3), (exact, brute)


def test_dual_bound_equals_the_parallel_lp_and_is_below_the_triangle_lp_on_random_nets():
    rng = np.random.default_rng(0)
    gaps = []
    for seed in range(8):
        widths = (int(rng.integers(2, 6)), int(rng.integers(3, 9)), int(rng.integers(3, 9)), 3)
        net = fc_net(seed, widths)
        gen = torch.Generator().manual_seed(50 + seed)
        x = torch.randn(2, widths[0], generator=gen, dtype=torch.float64)
        c = torch.randn(2, 4, 3, generator=gen, dtype=torch.float64)
        eps = float(rng.uniform(0.1, 0.8))
        J = lower_bound(net, x, eps, c).detach()
        parallel = lp_lower_bound(net, x, eps, c, "parallel")
        triangle = lp_lower_bound(net, x, eps, c, "triangle")
        assert parallel.shape == J.shape == (2, 4)
        assert torch.allclose(J, parallel, atol=1e-6), (J - parallel).abs().max()
        assert torch.all(J <= triangle + 1e-7)
        gaps.append(float((triangle - J).max()))
    assert max(gaps) > 1e-3  # the triangle is strictly tighter somewhere: the two LPs are not the same program


def test_lp_respects_the_data_range_and_a_float32_model():
    net = fc_net(1, (4, 8, 3)).float()
    x = torch.rand(2, 4)
    c = torch.randn(2, 3)
    J = lower_bound(net, x, 0.3, c, data_range=(0.0, 1.0)).detach()
    parallel = lp_lower_bound(net, x, 0.3, c, "parallel", data_range=(0.0, 1.0))
    assert torch.allclose(J, parallel, atol=1e-4)
    assert torch.all(parallel >= lp_lower_bound(net, x, 0.3, c, "parallel") - 1e-5)  # a smaller box


@pytest.mark.parametrize("net, x, n_out, kwargs, message", [
    (nn.Sequential(nn.Linear(784, 3000), nn.ReLU(), nn.Linear(3000, 10)), torch.zeros(1, 784), 10, {},
     "6794 variables per sample, more than max_variables=5000"),
    (nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2)), torch.zeros(1, 4), 2, {}, "layer 1 \\(Tanh\\)"),
    (nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8, 2)), torch.zeros(1, 1, 4, 4), 2, {},
     "layer 0 \\(Conv2d\\) is not supported by the LP"),
    (nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)), torch.zeros(1, 4), 2, {"relaxation": "box"},
     "relaxation must be one of"),
])
def test_lp_refuses_large_nets_and_unsupported_layers_with_a_clear_error(net, x, n_out, kwargs, message):
    with pytest.raises(ValueError, match=message):
        lp_lower_bound(net, x, 0.1, torch.zeros(1, n_out), **kwargs)


def test_lp_checks_the_objective_shape():
    net = fc_net(0, (2, 4, 3))
    with pytest.raises(ValueError, match="c has 2 columns but the model has 3 outputs"):
        lp_lower_bound(net, torch.zeros(1, 2, dtype=torch.float64), 0.1, torch.zeros(1, 2, dtype=torch.float64))
