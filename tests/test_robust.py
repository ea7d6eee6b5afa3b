"""The dual bound of Wong & Kolter (2018) and interval bounds: soundness, tightness and exactness checks."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from torch import nn

from mlprivacy_lab.attacks.adversarial import minimize_margin
from mlprivacy_lab.data import load_dataset, mnist5k_split
from mlprivacy_lab.robust import (DualNetwork, bound_widths, certify, interval_bounds, interval_lower_bound,
                                  lower_bound, margin_matrix, robust_loss)
from mlprivacy_lab.robust.checkpoints import load_small_cnn
from mlprivacy_lab.robust.dual_network import input_box


def tiny_net(seed: int, widths=(2, 8, 8, 3)) -> nn.Sequential:
    torch.manual_seed(seed)
    layers = []
    for a, b in zip(widths[:-1], widths[1:]):
        layers += [nn.Linear(a, b), nn.ReLU()]
    return nn.Sequential(*layers[:-1]).double()


def dense_minimum(net, x, eps, c, n=201):
    """Minimum of c^T f over an n x n grid of the 2-D box: an upper bound on the true minimum."""
    g = torch.linspace(-eps, eps, n, dtype=torch.float64)
    grid = torch.stack(torch.meshgrid(g, g, indexing="ij"), -1).reshape(-1, 2)
    with torch.no_grad():
        return torch.stack([(net(x[i] + grid) @ c[i]).min() for i in range(len(x))])


def test_dual_and_interval_bounds_are_below_the_dense_search_minimum_and_dual_is_tighter():
    gaps_dual, gaps_interval = [], []
    for seed in range(6):
        net = tiny_net(seed)
        gen = torch.Generator().manual_seed(seed)
        x = torch.randn(6, 2, generator=gen, dtype=torch.float64)
        c = torch.randn(6, 3, generator=gen, dtype=torch.float64)
        for eps in (0.05, 0.3, 1.0):
            exact = dense_minimum(net, x, eps, c)
            dual = lower_bound(net, x, eps, c).detach()
            interval = interval_lower_bound(net, x, eps, c).detach()
            assert torch.all(dual <= exact + 1e-9), (seed, eps, dual - exact)
            assert torch.all(interval <= exact + 1e-9), (seed, eps, interval - exact)
            gaps_dual.append((exact - dual).mean().item())
            gaps_interval.append((exact - interval).mean().item())
    assert np.mean(gaps_dual) < 0.7 * np.mean(gaps_interval), (np.mean(gaps_dual), np.mean(gaps_interval))


def lp_minimum(net, x, lo_in, hi_in, c, bounds, relaxation="triangle"):
    """min c^T f over an LP relaxation of every crossing ReLU: the triangle (Wong & Kolter Eq. 3), or the
    parallel strip d z_hat <= z <= d (z_hat - l) with d = u / (u - l) that the fixed dual slopes correspond to."""
    linears = [m for m in net if isinstance(m, nn.Linear)]
    sizes = [linears[0].in_features] + [m.out_features for m in linears]
    # variables: z_1, then (z_hat_i, z_i) for hidden layers, then z_hat_k
    offsets, n = [], 0
    for i, s in enumerate(sizes):
        offsets.append(n)
        n += s if i in (0, len(sizes) - 1) else 2 * s
    A_eq, b_eq, A_ub, b_ub, box = [], [], [], [], [(None, None)] * n
    box[:sizes[0]] = list(zip(lo_in.tolist(), hi_in.tolist()))
    for i, lin in enumerate(linears):
        W, b = lin.weight.detach().numpy(), lin.bias.detach().numpy()
        src = offsets[i] + (sizes[i] if 0 < i else 0)  # post-activation z_i
        for j in range(sizes[i + 1]):
            row = np.zeros(n)
            row[offsets[i + 1] + j] = 1.0
            row[src:src + sizes[i]] = -W[j]
            A_eq.append(row), b_eq.append(b[j])
    for i, (l, u) in enumerate(bounds, start=1):
        l, u = l.detach().numpy(), u.detach().numpy()
        for j in range(sizes[i]):
            zh, z = offsets[i] + j, offsets[i] + sizes[i] + j
            if u[j] <= 0:
                box[z] = (0.0, 0.0)
            elif l[j] >= 0:
                row = np.zeros(n)
                row[z], row[zh] = 1.0, -1.0
                A_eq.append(row), b_eq.append(0.0)
            elif relaxation == "triangle":
                box[z] = (0.0, None)
                r1, r2 = np.zeros(n), np.zeros(n)
                r1[zh], r1[z] = 1.0, -1.0  # z_hat <= z
                r2[z], r2[zh] = u[j] - l[j], -u[j]  # (u - l) z - u z_hat <= -u l
                A_ub += [r1, r2]
                b_ub += [0.0, -u[j] * l[j]]
            else:
                d = u[j] / (u[j] - l[j])
                r1, r2 = np.zeros(n), np.zeros(n)
                r1[zh], r1[z] = d, -1.0  # d z_hat <= z
                r2[z], r2[zh] = 1.0, -d  # z <= d z_hat - d l
                A_ub += [r1, r2]
                b_ub += [0.0, -d * l[j]]
    cost = np.zeros(n)
    cost[offsets[-1]:] = c
    res = linprog(cost, A_ub=np.array(A_ub) if A_ub else None, b_ub=b_ub or None, A_eq=np.array(A_eq),
                  b_eq=b_eq, bounds=box, method="highs")
    assert res.status == 0, res.message
    return res.fun


def test_dual_bound_obeys_weak_duality_against_the_lp_relaxation():
    for seed in range(4):
        net = tiny_net(seed, widths=(2, 6, 5, 3))
        gen = torch.Generator().manual_seed(100 + seed)
        x = torch.randn(3, 2, generator=gen, dtype=torch.float64)
        c = torch.randn(3, 3, generator=gen, dtype=torch.float64)
        lo, hi = input_box(x, 0.4)
        dual = DualNetwork(net, lo, hi)
        J = dual(c).detach()
        exact = dense_minimum(net, x, 0.4, c)
        for i in range(3):
            lp = lp_minimum(net, x[i], lo[i], hi[i], c[i].numpy(), [(l[i], u[i]) for l, u in dual.bounds])
            assert J[i] <= lp + 1e-7 <= exact[i] + 2e-7, (J[i], lp, exact[i])
            # with the slopes fixed at u / (u - l) the dual bound is exact for the parallel relaxation
            parallel = lp_minimum(net, x[i], lo[i], hi[i], c[i].numpy(), [(l[i], u[i]) for l, u in dual.bounds],
                                  relaxation="parallel")
            assert abs(J[i] - parallel) < 1e-6, (J[i], parallel)


def test_affine_network_bound_equals_the_analytic_minimum():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(5, 7), nn.Linear(7, 4)).double()
    x, c = torch.randn(10, 5, dtype=torch.float64), torch.randn(10, 4, dtype=torch.float64)
    W = net[1].weight @ net[0].weight
    b = net[1].weight @ net[0].bias + net[1].bias
    analytic = c @ b + ((c @ W) * x).sum(1) - 0.25 * (c @ W).abs().sum(1)  # c^T(Wx + b) - eps ||W^T c||_1
    assert torch.allclose(lower_bound(net, x, 0.25, c), analytic)
    assert torch.all(interval_lower_bound(net, x, 0.25, c) <= analytic + 1e-12)
    # with the data range, the box is clipped per coordinate: min over [lo, hi] of (W^T c)^T z
    xs = torch.rand(10, 5, dtype=torch.float64)
    lo, hi = (xs - 0.25).clamp(min=0), (xs + 0.25).clamp(max=1)
    w = c @ W
    clipped = c @ b + torch.where(w > 0, w * lo, w * hi).sum(1)
    assert torch.allclose(lower_bound(net, xs, 0.25, c, data_range=(0.0, 1.0)), clipped)


def test_convolutional_affine_network_bound_equals_the_analytic_minimum():
    torch.manual_seed(1)
    net = nn.Sequential(nn.Unflatten(1, (1, 6, 6)), nn.Conv2d(1, 3, 3, stride=2, padding=1), nn.Flatten(),
                        nn.Linear(27, 4)).double()
    x, c = torch.randn(3, 36, dtype=torch.float64), torch.randn(3, 4, dtype=torch.float64)
    W = torch.autograd.functional.jacobian(lambda z: net(z[None])[0], x[0])  # the network is affine: f = W x + b
    b = net(torch.zeros(1, 36, dtype=torch.float64))[0]
    analytic = c @ b + (c @ W * x).sum(1) - 0.1 * (c @ W).abs().sum(1)
    assert torch.allclose(lower_bound(net, x, 0.1, c), analytic)


def test_layer_bounds_of_algorithm_1_equal_the_dual_objective_for_unit_vectors():
    """Forward bounds (Algorithm 1) and backward J(c = +-e_j) agree on a conv net, unit by unit."""
    torch.manual_seed(2)
    net = nn.Sequential(nn.Unflatten(1, (1, 8, 8)), nn.Conv2d(1, 4, 4, stride=2, padding=1), nn.ReLU(),
                        nn.Conv2d(4, 5, 3, stride=1, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(80, 3)).double()
    x = torch.rand(2, 64, dtype=torch.float64)
    dual = DualNetwork(net, *input_box(x, 0.05))
    lo, hi = dual.bounds[1]
    head = nn.Sequential(*net[:4], nn.Flatten())
    for j in range(0, 80, 7):
        e = torch.zeros(2, 80, dtype=torch.float64)
        e[:, j] = 1
        assert torch.allclose(lower_bound(head, x, 0.05, e), lo.flatten(1)[:, j])
        assert torch.allclose(-lower_bound(head, x, 0.05, -e), hi.flatten(1)[:, j])
    interval = interval_bounds(net, x, 0.05)
    assert all(torch.all(l_i <= l_d + 1e-12) and torch.all(u_d <= u_i + 1e-12)
               for (l_d, u_d), (l_i, u_i) in zip(dual.bounds[:1], interval[:1]))


def test_forward_backward_and_auto_bounds_agree():
    """Algorithm 1 (forward), the dual network on c = +-e_j (backward) and the mix give the same bounds."""
    torch.manual_seed(2)
    net = nn.Sequential(nn.Unflatten(1, (1, 8, 8)), nn.Conv2d(1, 4, 4, stride=2, padding=1), nn.ReLU(),
                        nn.Conv2d(4, 5, 3, stride=1, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(80, 20),
                        nn.ReLU(), nn.Linear(20, 3)).double()
    x = torch.rand(3, 64, dtype=torch.float64)
    c = torch.randn(3, 4, 3, dtype=torch.float64)
    lo, hi = input_box(x, 0.05, data_range=(0.0, 1.0))
    nets = {m: DualNetwork(net, lo, hi, method=m) for m in ("forward", "backward", "auto")}
    for m in ("backward", "auto"):
        for (l1, u1), (l2, u2) in zip(nets["forward"].bounds, nets[m].bounds):
            assert torch.allclose(l1, l2) and torch.allclose(u1, u2), m
        assert torch.allclose(nets["forward"](c), nets[m](c))
    with pytest.raises(ValueError, match="method must be"):
        DualNetwork(net, lo, hi, method="sideways")


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), eps=st.floats(0.0, 1.0), width=st.integers(1, 6))
def test_bound_never_exceeds_sampled_values(seed, eps, width):
    net = tiny_net(seed, widths=(3, width, width, 2))
    gen = torch.Generator().manual_seed(seed)
    x, c = torch.randn(4, 3, generator=gen, dtype=torch.float64), torch.randn(4, 2, generator=gen, dtype=torch.float64)
    delta = (torch.rand(500, 3, generator=gen, dtype=torch.float64) * 2 - 1) * eps
    with torch.no_grad():
        sampled = torch.stack([(net(x[i] + delta) @ c[i]).min() for i in range(4)])
    assert torch.all(lower_bound(net, x, eps, c) <= sampled + 1e-9)
    assert torch.all(interval_lower_bound(net, x, eps, c) <= sampled + 1e-9)


def test_random_projections_estimate_the_exact_bounds():
    torch.manual_seed(3)
    net = tiny_net(3, widths=(20, 30, 30, 5))
    x = torch.randn(4, 20, dtype=torch.float64)
    exact = DualNetwork(net, *input_box(x, 0.2))
    approx = DualNetwork(net, *input_box(x, 0.2), projection=400, seed=0)
    for (l, u), (la, ua) in zip(exact.bounds, approx.bounds):
        width, width_a = (u - l).mean(), (ua - la).mean()
        assert abs(width_a / width - 1) < 0.15, (width, width_a)


@pytest.fixture(scope="module")
def mnist_test():
    data = mnist5k_split()
    return torch.tensor(data.X_test[:16]), torch.tensor(data.y_test[:16])


@pytest.mark.parametrize("kind", ["normal", "robust"])
def test_certified_bound_is_below_the_best_pgd_attack_on_every_sample(kind, mnist_test):
    model = load_small_cnn(kind, device=torch.device("cpu"))
    x, y = mnist_test
    c = margin_matrix(y, 10)
    with torch.no_grad():
        bound = lower_bound(model, x, 0.1, c)
    for j in range(10):
        rows = y != j
        _, attacked = minimize_margin(model, x[rows], c[rows, j], 0.1, steps=30, data_range=None)
        assert torch.all(bound[rows, j] <= attacked + 1e-5), (kind, j, (bound[rows, j] - attacked).max())
    if kind == "robust":
        certified = certify(model, x, y, 0.1)
        assert certified.mean() >= 0.5, "the robust model certifies most of these digits"


def test_robust_loss_has_gradients_and_matches_certification():
    torch.manual_seed(4)
    net = tiny_net(4, widths=(2, 10, 10, 3)).float()
    x = torch.randn(8, 2)
    y = torch.randint(0, 3, (8,))
    loss, not_certified = robust_loss(net, x, y, 0.05)
    loss.backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in net.parameters())
    assert np.array_equal(~not_certified.numpy(), certify(net, x, y, 0.05))


def test_bound_widths_and_interval_certification():
    net = tiny_net(6, widths=(4, 16, 16, 3))
    gen = torch.Generator().manual_seed(6)
    X = torch.randn(12, 4, generator=gen, dtype=torch.float64)
    with torch.no_grad():
        y = net(X).argmax(1)
    widths = bound_widths(net, X, 0.1, batch_size=5)
    assert np.isclose(*widths[0]), "one affine layer: the dual and the interval bounds coincide"
    assert widths[1][0] < widths[1][1]
    eps = 0.02
    dual, box = certify(net, X, y, eps), certify(net, X, y, eps, method="interval")
    assert dual.sum() >= box.sum() > 0
    J = lower_bound(net, X, eps, margin_matrix(y, 3).double())
    assert np.array_equal(dual, (J.masked_fill(margin_matrix(y, 3).abs().sum(2) == 0, np.inf) > 0).all(1).numpy())
    with pytest.raises(ValueError, match="method must be 'dual' or 'interval'"):
        certify(net, X, y, eps, method="lp")


def test_unsupported_layers_and_bad_inputs_raise_clear_errors():
    x, c = torch.zeros(2, 4), torch.ones(2, 3)
    for layer in (nn.Sigmoid(), nn.Tanh(), nn.BatchNorm1d(5)):
        net = nn.Sequential(nn.Linear(4, 5), layer, nn.Linear(5, 3))
        name = type(layer).__name__
        with pytest.raises(ValueError, match=f"layer 1 \\({name}\\) is not supported by the dual network"):
            lower_bound(net, x, 0.1, c)
        with pytest.raises(ValueError, match=f"layer 1 \\({name}\\) is not supported by interval"):
            interval_lower_bound(net, x, 0.1, c)
    pool = nn.Sequential(nn.Unflatten(1, (1, 2, 2)), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1, 3))
    with pytest.raises(ValueError, match=r"layer 1 \(MaxPool2d\)"):
        lower_bound(pool, x, 0.1, c)
    net = nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 3))
    with pytest.raises(TypeError, match="nn.Sequential"):
        lower_bound(nn.Linear(4, 3), x, 0.1, c)
    with pytest.raises(ValueError, match="epsilon"):
        lower_bound(net, x, -0.1, c)
    with pytest.raises(ValueError, match="c must have shape"):
        lower_bound(net, x, 0.1, torch.ones(3, 3))
    with pytest.raises(ValueError, match="3 outputs"):
        lower_bound(net, x, 0.1, torch.ones(2, 4))
    with pytest.raises(ValueError, match="outside data_range"):
        lower_bound(net, x + 2, 0.1, c, data_range=(0.0, 1.0))
    with pytest.raises(ValueError, match="projection"):
        lower_bound(net, x, 0.1, c, projection=0)


def test_outer_polygon_holds_the_reachable_set_and_is_smaller_than_the_interval_box():
    from mlprivacy_lab.robust.geometry import (inside_polygon, interval_box, outer_polygon, polygon_area,
                                               reachable_points)
    net = tiny_net(5, widths=(2, 10, 10, 2))
    x = np.array([0.1, -0.4])
    for eps in (0.2, 0.8):
        points, polygon = reachable_points(net, x, eps, n=120), outer_polygon(net, x, eps, n_directions=120)
        lo, hi = interval_box(net, x, eps)
        assert inside_polygon(points, polygon).all()
        assert np.all((points >= lo - 1e-9) & (points <= hi + 1e-9))
        assert polygon_area(points[[points[:, 0].argmin(), points[:, 1].argmin(), points[:, 0].argmax(),
                                    points[:, 1].argmax()]]) <= polygon_area(polygon) < np.prod(hi - lo)
    with pytest.raises(ValueError, match="one 2-D input"):
        reachable_points(net, np.zeros(3), 0.1)


def test_shipped_checkpoints_load_and_keep_their_logged_quality():
    from mlprivacy_lab.models import accuracy
    from mlprivacy_lab.robust.checkpoints import RECIPES, training_log
    data = mnist5k_split()
    floors = {"normal": 0.95, "pgd": 0.94, "robust": 0.88}
    for kind, floor in floors.items():
        log = training_log(kind)
        assert f"--kind {kind} --out data/small_cnn_{kind}.pt" in log["command"] and log["n_train"] == 4000
        logged = {key: log[key] for key in RECIPES[kind] if key in log}  # older logs omit trainer defaults
        assert {"epochs", "batch_size", "lr", "seed"} <= logged.keys(), kind
        assert logged == {key: RECIPES[kind][key] for key in logged}, kind
        model = load_small_cnn(kind, device=torch.device("cpu"))
        assert accuracy(model, data.X_test, data.y_test) >= floor, kind
    with pytest.raises(ValueError, match="unknown checkpoint"):
        load_small_cnn("resnet")


def test_shipped_or_retrained_loads_the_checkpoint_or_trains_by_its_recipe():
    from mlprivacy_lab.robust.checkpoints import shipped_or_retrained
    data = mnist5k_split()
    cpu = torch.device("cpu")
    shipped, how = shipped_or_retrained("normal", data.X_train, data.y_train, retrain=False, device=cpu)
    assert "small_cnn_normal.pt" in how
    assert all(torch.equal(a, b) for a, b in zip(shipped.state_dict().values(),
                                                 load_small_cnn("normal", cpu).state_dict().values()))
    fresh, how = shipped_or_retrained("normal", data.X_train[:64], data.y_train[:64], retrain=True, device=cpu)
    assert "recipe" in how and not fresh.training
    assert any(not torch.equal(a, b) for a, b in zip(fresh.state_dict().values(), shipped.state_dict().values()))


def test_robust_training_raises_the_certified_accuracy_of_a_small_network():
    from mlprivacy_lab.models import accuracy, mlp, train_classifier
    from mlprivacy_lab.robust.training import epsilon_schedule, train_robust
    data = load_dataset("digits", seed=0)
    cpu = torch.device("cpu")
    torch.manual_seed(0)
    normal = train_classifier(mlp(64, 10, (64,)), data.X_train, data.y_train, epochs=10, progress=False, device=cpu)
    torch.manual_seed(0)
    robust = mlp(64, 10, (64,))
    history = train_robust(robust, data.X_train, data.y_train, 0.1, epochs=10, warmup_epochs=5, batch_size=32,
                           projection=None, progress=False, device=cpu)
    assert [h["epsilon"] for h in history][-1] == 0.1 and accuracy(robust, data.X_test, data.y_test) > 0.85
    certified = [certify(m, data.X_test, data.y_test, 0.1, batch_size=60).mean() for m in (normal, robust)]
    assert certified[1] > certified[0] + 0.25, certified
    assert epsilon_schedule(0, 10, 0.1, 0.001) == 0.001 and epsilon_schedule(5, 10, 0.1, 0.001) == pytest.approx(0.0505)
    with pytest.raises(ValueError, match="epsilon_start"):
        train_robust(robust, data.X_train, data.y_train, 0.1, epsilon_start=1.0)


def test_make_checkpoints_rejects_overrides_outside_the_recipe(tmp_path, capsys):
    from mlprivacy_lab.robust.make_checkpoints import main
    with pytest.raises(SystemExit):
        main(["--kind", "normal", "--out", str(tmp_path / "a.pt"), "--projection", "3"])
    assert "--projection does not apply to --kind normal" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--kind", "robust", "--out", str(tmp_path / "a.txt")])
    assert "--out must end in .pt" in capsys.readouterr().err
