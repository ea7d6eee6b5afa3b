"""The slide's dual problem (``robust.lagrangian``) and the free lower slope alpha of ``lower_bound``."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from mlprivacy_lab.robust import exact_minimum, lower_bound, lp_lower_bound
from mlprivacy_lab.robust.lagrangian import constraint_violation, dual_objective, dual_variables
from test_lp_bound import fc_net

ALPHAS = [None, 0.0, 0.3, 0.7, 1.0]


def sample(seed: int, n_in: int, n_out: int):
    gen = torch.Generator().manual_seed(100 + seed)
    return (torch.randn(1, n_in, generator=gen, dtype=torch.float64),
            torch.randn(1, n_out, generator=gen, dtype=torch.float64))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n_in=st.integers(1, 4), hidden=st.lists(st.integers(2, 7), min_size=1, max_size=3),
       eps=st.floats(0.05, 1.0), alpha=st.sampled_from(ALPHAS))
def test_the_dual_networks_point_is_feasible_and_its_theta_is_J(seed, n_in, hidden, eps, alpha):
    net = fc_net(seed, (n_in, *hidden, 3))
    x, c = sample(seed, n_in, 3)
    point = dual_variables(net, x, eps, c, alpha)
    assert constraint_violation(net, point) < 1e-9
    J = float(lower_bound(net, x, eps, c, lower_slope=alpha).detach())
    assert dual_objective(net, x, eps, point) == pytest.approx(J, abs=1e-9)


def test_constraint_violation_sees_an_infeasible_point():
    net = fc_net(0, (2, 5, 2))
    x, c = sample(0, 2, 2)
    point = dual_variables(net, x, 0.5, c)
    point.xi_plus = point.xi_plus + 0.1
    assert constraint_violation(net, point) == pytest.approx(0.1)


@pytest.mark.parametrize("seed", range(4))
def test_every_lower_slope_is_a_valid_bound_below_the_triangle_lp_and_the_exact_minimum(seed):
    net = fc_net(seed, (2, 6, 5, 2))
    x, c = sample(seed, 2, 2)
    triangle = float(lp_lower_bound(net, x, 0.5, c, "triangle"))
    exact = float(exact_minimum(net, x, 0.5, c))
    grid = torch.stack(torch.meshgrid(*[torch.linspace(-0.5, 0.5, 201, dtype=torch.float64)] * 2, indexing="ij"),
                       -1).reshape(-1, 2)
    with torch.no_grad():
        brute = float((net(x + grid) @ c[0]).min())
    for alpha in np.linspace(0, 1, 11):
        J = float(lower_bound(net, x, 0.5, c, lower_slope=float(alpha)).detach())
        assert J <= triangle + 1e-9 <= exact + 2e-9 <= brute + 3e-9


def test_the_default_slope_is_the_parallel_relaxation_and_alpha_changes_the_bound():
    net = fc_net(3, (2, 6, 6, 2))
    x, c = torch.tensor([[0.1, -0.2]], dtype=torch.float64), torch.tensor([[1.0, -1.0]], dtype=torch.float64)
    assert float(lower_bound(net, x, 0.5, c).detach()) == pytest.approx(
        float(lp_lower_bound(net, x, 0.5, c, "parallel")), abs=1e-7)
    values = [float(lower_bound(net, x, 0.5, c, lower_slope=a).detach()) for a in (0.0, 1.0)]
    assert abs(values[0] - values[1]) > 1e-3


@pytest.mark.parametrize("alpha, match", [(1.5, r"\[0, 1\]"), (-0.1, r"\[0, 1\]"), (True, r"\[0, 1\]")])
def test_lower_slope_out_of_range_is_refused(alpha, match):
    net = fc_net(0, (2, 4, 2))
    x, c = sample(0, 2, 2)
    with pytest.raises(ValueError, match=match):
        lower_bound(net, x, 0.5, c, lower_slope=alpha)
    with pytest.raises(ValueError, match=match):
        dual_variables(net, x, 0.5, c, alpha)


@pytest.mark.parametrize("net, x, c, match", [
    (fc_net(0, (2, 4, 2)), torch.zeros(2, 2, dtype=torch.float64), torch.zeros(2, 2, dtype=torch.float64),
     "one sample"),
    (nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.ReLU(), nn.Linear(3, 2)).double(),
     torch.zeros(1, 2, dtype=torch.float64), torch.zeros(1, 2, dtype=torch.float64), "fully connected"),
    (nn.Sequential(nn.Linear(2, 3), nn.ReLU()).double(), torch.zeros(1, 2, dtype=torch.float64),
     torch.zeros(1, 3, dtype=torch.float64), "fully connected"),
])
def test_dual_variables_refuses_what_it_cannot_write_out(net, x, c, match):
    with pytest.raises(ValueError, match=match):
        dual_variables(net, x, 0.5, c)
