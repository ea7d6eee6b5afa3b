"""Chapter 9's causes and remedies: epsilon ||w||_1 and the dimension sweep, the PCA residual, bit-depth and
median pre-processing, BPDA, the clean-vs-adversarial detector and the detector-aware attack."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.ndimage import median_filter
from torch import nn

from mlprivacy_lab.attacks.adaptive import StraightThrough, bpda, detector_aware_pgd
from mlprivacy_lab.attacks.adversarial import loss_gradient, minimize_objective, pgd
from mlprivacy_lab.attacks.dimension import (PCAManifold, dimension_sweep, downsample, fit_logistic,
                                             linear_worst_case, sign_perturbation)
from mlprivacy_lab.robust.defences import (BitDepth, Detector, MedianSmoothing, Preprocessed, bit_depth,
                                           median_smooth, train_detector)

CPU = torch.device("cpu")


def tiny_net(d: int = 16, k: int = 3, seed: int = 0) -> nn.Sequential:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(d, 12), nn.ReLU(), nn.Linear(12, k)).double()


def pixels(shape, seed: int = 0) -> torch.Tensor:
    return torch.tensor(np.random.default_rng(seed).random(shape))


# --- the curse of dimensionality -----------------------------------------------------------------------------

@pytest.mark.parametrize("d", [1, 2, 3, 5, 8])
def test_eps_l1_is_the_brute_force_maximum_over_the_vertices_of_the_linf_box(d):
    """A linear function's maximum over a box is at a vertex: brute force over all 2^d sign vectors."""
    rng = np.random.default_rng(d)
    w, eps = rng.normal(size=d), 0.07
    vertices = np.array(list(itertools.product((-eps, eps), repeat=d)))
    brute = np.abs(vertices @ w).max()
    assert linear_worst_case(w, eps) == pytest.approx(brute, rel=1e-12)
    inside = rng.uniform(-eps, eps, (2000, d))  # no interior point does better
    assert np.abs(inside @ w).max() <= brute + 1e-12
    step = sign_perturbation(w, [1.0, -1.0], eps)  # lowers y w^T x by exactly eps ||w||_1
    assert np.allclose(step @ w * np.array([1.0, -1.0]), -brute)


def test_downsample_is_the_block_mean_and_the_sweep_attains_the_bound_exactly():
    rng = np.random.default_rng(0)
    X = rng.random((120, 64))
    blocks = X.reshape(-1, 4, 2, 4, 2).mean((2, 4)).reshape(-1, 16)
    assert np.allclose(downsample(X, (8, 8), 4), blocks)
    assert np.allclose(downsample(X, (8, 8), 8), X)
    y = (X[:, :32].mean(1) + 0.1 * rng.normal(size=120) > 0.5).astype(int)
    points = dimension_sweep(X[:80], y[:80], X[80:], y[80:], image_shape=(8, 8), sides=(2, 4, 8), epsilon=0.05)
    assert [p.d for p in points] == [4, 16, 64]
    for p in points:
        assert p.measured == pytest.approx(p.bound, rel=1e-9)
        w, b = fit_logistic(downsample(X[:80], (8, 8), p.side), y[:80])
        assert p.bound == pytest.approx(0.05 * np.abs(w).sum(), rel=1e-9)
        s = 2 * y[80:] - 1
        margin = s * (downsample(X[80:], (8, 8), p.side) @ w + b)
        assert p.adversarial_error == pytest.approx(np.mean(margin <= p.bound))  # the exact robust error
        assert p.clean_error <= p.adversarial_error_in_range <= p.adversarial_error


# --- off the manifold ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("k", [1, 2, 4])
def test_pca_residual_and_projection_agree_with_a_least_squares_projection(k):
    rng = np.random.default_rng(k)
    X = rng.normal(size=(40, 6)) @ rng.normal(size=(6, 6))
    Z = rng.normal(size=(7, 6))
    manifold = PCAManifold.fit(X, 5)
    mean = X.mean(0)
    _, vectors = np.linalg.eigh(np.cov(X.T))  # ascending eigenvalues
    V = vectors[:, ::-1][:, :k]
    coef, *_ = np.linalg.lstsq(V, (Z - mean).T, rcond=None)
    nearest = mean + (V @ coef).T
    assert np.allclose(manifold.project(Z, k), nearest)
    assert np.allclose(manifold.residual(Z, k), np.linalg.norm(Z - nearest, axis=1))
    from sklearn.decomposition import PCA

    assert manifold.explained(k) == pytest.approx(PCA().fit(X).explained_variance_ratio_[:k].sum())


def test_pca_residual_is_zero_on_the_subspace_and_shrinks_with_k():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3)) @ rng.normal(size=(3, 8))  # rank-3 data
    manifold = PCAManifold.fit(X, 6)
    assert np.allclose(manifold.residual(X, 3), 0, atol=1e-10)
    Z = rng.normal(size=(10, 8))
    r = np.stack([manifold.residual(Z, k) for k in range(1, 7)])
    assert np.all(np.diff(r, axis=0) <= 1e-12)


# --- pre-processing --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("bits", [1, 2, 3, 5, 8, 16])
def test_bit_depth_is_rounding_to_2_to_the_k_levels(bits):
    x = pixels((50, 16), bits)
    levels = 2 ** bits - 1
    expected = np.round(x.numpy() * levels) / levels
    assert np.allclose(bit_depth(x, bits).numpy(), expected, rtol=0, atol=1e-12)
    assert np.allclose(BitDepth(bits)(x).numpy(), expected, rtol=0, atol=1e-12)


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, (5, 7), elements=st.floats(0, 1)), st.integers(1, 10))
def test_bit_depth_moves_a_pixel_by_at_most_half_a_level_onto_the_grid(x, bits):
    levels = 2 ** bits - 1
    out = bit_depth(torch.tensor(x), bits).numpy()
    assert np.all(np.abs(out - x) <= 0.5 / levels + 1e-12)
    assert np.allclose(out * levels, np.round(out * levels))
    assert np.array_equal(bit_depth(torch.tensor(out), bits).numpy(), out)  # idempotent


@pytest.mark.parametrize("size", [1, 3, 5])
@pytest.mark.parametrize("flat", [True, False])
def test_median_smoothing_agrees_with_scipy_median_filter(size, flat):
    images = pixels((4, 7, 9), size)
    x = images.reshape(4, 63) if flat else images
    out = median_smooth(x, size, (7, 9))
    assert out.shape == x.shape
    expected = np.stack([median_filter(im, size=size, mode="reflect") for im in images.numpy()])
    assert np.allclose(out.reshape(4, 7, 9).numpy(), expected)
    assert np.allclose(MedianSmoothing(size, (7, 9))(x).reshape(4, 7, 9).numpy(), expected)


# --- BPDA --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("transform", [BitDepth(3), MedianSmoothing(3, (4, 4))], ids=["bit depth", "median"])
def test_bpda_gradient_is_the_straight_through_gradient_and_the_outputs_are_unchanged(transform):
    model = tiny_net()
    defended = Preprocessed(model, transform)
    x, y = pixels((20, 16)), torch.tensor(np.arange(20) % 3)
    with torch.no_grad():
        assert torch.equal(bpda(defended)(x), defended(x))
    straight = loss_gradient(model, transform(x), y)  # grad_z J(theta, z, y) at z = t(x)
    assert torch.allclose(loss_gradient(bpda(defended), x, y), straight, rtol=0, atol=1e-12)
    if isinstance(transform, BitDepth):
        assert torch.count_nonzero(loss_gradient(defended, x, y)) == 0  # the obfuscated gradient


def test_plain_pgd_cannot_move_through_bit_depth_but_pgd_through_bpda_can():
    model = tiny_net()
    defended = Preprocessed(model, BitDepth(3))
    x, y = pixels((30, 16), 1), torch.tensor(np.arange(30) % 3)
    loss = lambda z: nn.functional.cross_entropy(defended(z), y).item()  # noqa: E731
    still = pgd(defended, x, y, 0.2, steps=10, random_start=False)
    assert torch.equal(still, x)  # zero gradient: not a single step
    moved = pgd(bpda(defended), x, y, 0.2, steps=10, random_start=False)
    assert (moved - x).abs().max() <= 0.2 + 1e-12 and moved.min() >= 0 and moved.max() <= 1
    assert loss(moved) > loss(x) + 0.05


# --- detection and the detector-aware attack ----------------------------------------------------------------

def fixed_linear(weight) -> nn.Linear:
    layer = nn.Linear(2, 2).double()
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(weight, dtype=torch.float64))
        layer.bias.zero_()
    return layer


def test_detector_aware_pgd_succeeds_exactly_where_a_grid_search_finds_a_way_past_the_detector():
    """Classifier: class 1 iff x1 + x2 > 0; detector: flags x2 > 0. Within the l_inf ball a point succeeds if
    some x' is class 1 with x2' <= 0; a 201 x 201 grid of the ball says where that exists."""
    model = fixed_linear([[0.0, 0.0], [1.0, 1.0]])
    detector = Detector(fixed_linear([[0.0, 0.0], [0.0, 1.0]]), threshold=0.0)
    eps = 0.1
    x = torch.tensor([[a, b] for a in (-0.3, -0.12, -0.06, 0.02) for b in (-0.07, -0.02, 0.05, 0.2)],
                     dtype=torch.float64)
    y = torch.zeros(len(x), dtype=torch.long)
    keep = (x.sum(1) < 0)  # correctly classified to start with
    x, y = x[keep], y[keep]
    grid = torch.linspace(-eps, eps, 201, dtype=torch.float64)
    d1, d2 = torch.meshgrid(grid, grid, indexing="ij")
    feasible = torch.tensor([bool((((p[0] + d1) + (p[1] + d2) > 1e-9) & (p[1] + d2 <= 0)).any()) for p in x])
    assert feasible.any() and not feasible.all()
    plain = pgd(model, x, y, eps, steps=20, random_start=False, data_range=None)
    with torch.no_grad():
        assert torch.all(detector(plain)[model(plain).argmax(1) == 1] > 0), "plain PGD raises x2 and is caught"
    # margins in the units of this toy's logits and scores (tenths), not the MNIST defaults
    adv = detector_aware_pgd(model, detector, x, y, eps, steps=40, kappa=0.01, detector_kappa=0.0, data_range=None)
    with torch.no_grad():
        success = (model(adv).argmax(1) == 1) & (detector(adv) <= 0)
    assert torch.equal(success, feasible)
    assert (adv - x).abs().max() <= eps + 1e-12


def test_train_detector_flags_at_most_the_chosen_fraction_of_clean_calibration_data():
    rng = np.random.default_rng(0)
    clean = rng.random((300, 10)).astype(np.float32) * 0.5
    adversarial = np.clip(clean + rng.choice([0.2, 0.4], size=clean.shape), 0, 1).astype(np.float32)
    calibration = rng.random((400, 10)).astype(np.float32) * 0.5
    detector = train_detector(clean, adversarial, X_calibration=calibration, false_positive_rate=0.05, epochs=20,
                              device=CPU)
    assert detector.flags(calibration).mean() <= 0.05
    assert detector.flags(adversarial).mean() >= 0.9
    assert np.allclose(detector.scores(clean[:5]), detector(torch.tensor(clean[:5])).detach().numpy())


# --- bad inputs --------------------------------------------------------------------------------------------------

X4 = pixels((3, 16))
NET = tiny_net()
DEFENDED = Preprocessed(NET, BitDepth(2))
DETECTOR = Detector(nn.Linear(16, 2).double())
LABELS = torch.tensor([0, 1, 2])
BAD = [
    ("bits zero", lambda: bit_depth(X4, 0), "bits must be an integer from 1 to 16"),
    ("bits too many", lambda: BitDepth(17), "bits must be an integer from 1 to 16"),
    ("bits float", lambda: bit_depth(X4, 2.5), "bits must be an integer"),
    ("bits bool", lambda: bit_depth(X4, True), "bits must be an integer"),
    ("bit depth NaN", lambda: bit_depth(torch.tensor([[0.5, float("nan")]]), 3), "NaN"),
    ("bit depth out of range", lambda: bit_depth(torch.tensor([[-0.2, 0.5]]), 3), r"pixels in \[0, 1\]"),
    ("median even size", lambda: median_smooth(X4, 2, (4, 4)), "odd positive integer"),
    ("median size zero", lambda: MedianSmoothing(0, (4, 4)), "odd positive integer"),
    ("median wrong shape", lambda: median_smooth(X4, 3, (5, 5)), r"must be \(n, 25\)"),
    ("median NaN", lambda: median_smooth(torch.full((1, 16), float("nan")), 3, (4, 4)), "NaN"),
    ("negative epsilon", lambda: linear_worst_case([1.0, 2.0], -0.1), "epsilon must be a finite number >= 0"),
    ("NaN epsilon", lambda: linear_worst_case([1.0, 2.0], float("nan")), "epsilon must be a finite"),
    ("w matrix", lambda: linear_worst_case(np.ones((2, 2)), 0.1), "w must be a non-empty 1-D"),
    ("w NaN", lambda: sign_perturbation([1.0, np.nan], [1], 0.1), "finite weights"),
    ("labels not signs", lambda: sign_perturbation([1.0, 2.0], [0, 1], 0.1), "y_sign must hold labels -1 or"),
    ("side zero", lambda: downsample(np.ones((2, 16)), (4, 4), 0), r"side must be an integer in \[1, 4\]"),
    ("side too large", lambda: downsample(np.ones((2, 16)), (4, 4), 5), r"side must be an integer in \[1, 4\]"),
    ("wrong image shape", lambda: downsample(np.ones((2, 15)), (4, 4), 2), "needs 16"),
    ("X NaN", lambda: downsample(np.full((2, 16), np.nan), (4, 4), 2), "NaN or infinite"),
    ("X 1-D", lambda: downsample(np.ones(16), (4, 4), 2), "2-D array"),
    ("one class", lambda: fit_logistic(np.ones((4, 2)), [1, 1, 1, 1]), "both labels present"),
    ("labels 0..2", lambda: fit_logistic(np.ones((3, 2)), [0, 1, 2]), "label 0 or 1"),
    ("C negative", lambda: fit_logistic(np.eye(2), [0, 1], C=-1.0), "C must be a finite number > 0"),
    ("sweep negative eps", lambda: dimension_sweep(np.ones((2, 16)), [0, 1], np.ones((2, 16)), [0, 1],
                                                   image_shape=(4, 4), sides=(2,), epsilon=-1), "epsilon must"),
    ("sweep no sides", lambda: dimension_sweep(np.ones((2, 16)), [0, 1], np.ones((2, 16)), [0, 1],
                                               image_shape=(4, 4), sides=(), epsilon=0.1), "at least one"),
    ("pca k zero", lambda: PCAManifold.fit(np.eye(5), 0), r"k must be an integer number of components in \[1, 5\]"),
    ("pca k too big", lambda: PCAManifold.fit(np.eye(5), 6), r"in \[1, 5\]"),
    ("pca residual k too big", lambda: PCAManifold.fit(np.eye(5), 2).residual(np.eye(5), 3), r"in \[1, 2\]"),
    ("pca wrong features", lambda: PCAManifold.fit(np.eye(5), 2).residual(np.ones((2, 4))), "fitted on 5"),
    ("pca NaN", lambda: PCAManifold.fit(np.full((3, 3), np.nan), 1), "NaN or infinite"),
    ("preprocessed not a module", lambda: Preprocessed(NET, lambda x: x), "two torch modules"),
    ("bpda of a plain model", lambda: bpda(NET), "Preprocessed"),
    ("bpda negative eps", lambda: pgd(bpda(DEFENDED), X4, LABELS, -0.1), "epsilon must be a finite number >= 0"),
    ("bpda wrong labels", lambda: pgd(bpda(DEFENDED), X4, LABELS[:2], 0.1), "one label per row"),
    ("straight-through reshapes", lambda: StraightThrough(nn.Flatten(0))(X4), "keeps the input shape"),
    ("aware negative weight", lambda: detector_aware_pgd(NET, DETECTOR, X4, LABELS, 0.1, weight=-1.0),
     "weight must be a finite number >= 0"),
    ("aware no detector", lambda: detector_aware_pgd(NET, NET, X4, LABELS, 0.1), "robust.defences.Detector"),
    ("aware NaN eps", lambda: detector_aware_pgd(NET, DETECTOR, X4, LABELS, float("nan")), "epsilon must be"),
    ("aware zero steps", lambda: detector_aware_pgd(NET, DETECTOR, X4, LABELS, 0.1, steps=0), "steps must be"),
    ("objective negative eps", lambda: minimize_objective(NET, X4, lambda z: z.sum(1), -1.0), "epsilon must be"),
    ("detector fpr zero", lambda: train_detector(np.ones((2, 3)), np.ones((2, 3)), false_positive_rate=0.0),
     r"false_positive_rate must be in \(0, 1\)"),
    ("detector fpr one", lambda: train_detector(np.ones((2, 3)), np.ones((2, 3)), false_positive_rate=1),
     r"false_positive_rate must be in \(0, 1\)"),
    ("detector mismatched d", lambda: train_detector(np.ones((2, 3)), np.ones((2, 4))), "the same d"),
    ("detector NaN", lambda: train_detector(np.full((2, 3), np.nan), np.ones((2, 3))), "NaN"),
]


@pytest.mark.parametrize("call,match", [row[1:] for row in BAD], ids=[row[0] for row in BAD])
def test_bad_input_is_a_clear_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()
