"""The log-depth circuits and the Jacobi eigen solver built on them: same results as the ripple circuits and
numpy, fewer sequential layers."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlprivacy_lab.crypto.garbled import LocalEngine, PlainEngine
from mlprivacy_lab.crypto.garbled import circuits as C
from mlprivacy_lab.crypto.garbled.linalg import jacobi_eigh, jacobi_eigh_until
from mlprivacy_lab.crypto.garbled.values import decode, encode


def _all_pairs(w):
    values = np.arange(-(1 << (w - 1)), 1 << (w - 1))
    x, y = (np.array(v) for v in zip(*itertools.product(values, values)))
    return x, y, encode(x, w), encode(y, w)


@pytest.mark.parametrize("w", [1, 2, 3, 4, 5])
def test_log_depth_adders_and_comparators_equal_the_ripple_circuits_exhaustively(w):
    e = PlainEngine()
    x, y, a, b = _all_pairs(w)
    carry = (x & 1).astype(np.uint8)
    assert np.array_equal(C.add_log(e, a, b), C.add(e, a, b))
    assert np.array_equal(C.add_log(e, a, b, carry), C.add(e, a, b, carry))
    assert np.array_equal(C.sub_log(e, a, b), C.sub(e, a, b))
    assert np.array_equal(C.negate_if_log(e, a, carry), C.negate_if(e, a, carry))
    for signed in (True, False):
        assert np.array_equal(C.less_than_log(e, a, b, signed), C.less_than(e, a, b, signed))
    assert np.array_equal(C.multiply_log(e, a, b, True), C.multiply(e, a, b, True))
    assert np.array_equal(decode(C.add_log(e, a, b)), (x + y + (1 << (w - 1))) % (1 << w) - (1 << (w - 1)))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(-2 ** 31, 2 ** 31 - 1), min_size=2, max_size=2))
def test_log_depth_circuits_match_python_on_32_bits(pair):
    e, (x, y) = PlainEngine(), pair
    a, b = encode(x, 32), encode(y, 32)
    wrap = lambda v: (v + 2 ** 31) % 2 ** 32 - 2 ** 31  # noqa: E731
    assert int(decode(C.add_log(e, a, b))) == wrap(x + y)
    assert int(decode(C.sub_log(e, a, b))) == wrap(x - y)
    assert int(decode(C.less_than_log(e, a, b, True)[None], signed=False)) == int(x < y)
    assert int(decode(C.multiply_log(e, a, b, True))) == x * y


@pytest.mark.parametrize("w, frac", [(8, 4), (16, 8), (25, 22)])
def test_bounded_division_equals_the_full_division_within_its_bound(w, frac):
    rng, e = np.random.default_rng(w), PlainEngine()
    den = rng.integers(1, 1 << (w - 1), size=3000) * rng.choice([-1, 1], size=3000)
    num = rng.integers(-(1 << (w - 1)), 1 << (w - 1), size=3000)
    ok = np.array([abs(int(n)) * 2 ** frac // abs(int(d)) < 2 ** (frac + 1) for n, d in zip(num, den)])
    a, b = encode(num[ok], w), encode(den[ok], w)
    assert ok.sum() > 500
    assert np.array_equal(C.divide_bounded(e, a, b, frac, frac + 1, True), C.divide(e, a, b, frac, True))


def test_bounded_division_and_log_adders_cut_the_sequential_layers():
    a, b = encode(np.array([3 << 20]), 25), encode(np.array([7 << 20]), 25)
    ripple, fast = PlainEngine(), PlainEngine()
    C.divide(ripple, a, b, 22, True)
    C.divide_bounded(fast, a, b, 22, 23, True)
    assert fast.and_layers * 8 < ripple.and_layers  # ~ 23 steps x 7 layers against 47 steps x 26 layers
    adder = PlainEngine()
    C.add_log(adder, encode(np.array([1]), 64), encode(np.array([2]), 64))
    assert adder.and_layers == 1 + 6  # generates, then ⌈log₂ 64⌉ prefix levels


def _covariance(d, seed=0):
    X = np.random.default_rng(seed).normal(size=(6 * d, d)) * np.linspace(1, 3, d)
    S = np.cov(X.T)
    return S / np.trace(S)


@pytest.mark.parametrize("d", [2, 3, 5, 6])
def test_jacobi_matches_numpy_for_even_and_odd_sizes(d):
    S, e = _covariance(d, d), PlainEngine()
    values, vectors, sweeps = jacobi_eigh_until(e.input("garbler", S, width=25, frac=22), 10, 2.0 ** -18)
    got, V = e.reveal(values), e.reveal(vectors)
    order = np.argsort(got)
    truth, axes = np.linalg.eigh(S)
    assert np.allclose(got[order], truth, atol=1e-5)
    assert np.allclose(V.T @ V, np.eye(d), atol=1e-5)
    assert np.all(np.abs(np.sum(V[:, order] * axes, axis=0)) > 1 - 1e-5)
    assert sweeps <= 5  # quadratic convergence: a handful of sweeps


def test_garbled_jacobi_equals_the_plaintext_circuit_bit_for_bit():
    S = _covariance(4, 1)
    plain, local = PlainEngine(), LocalEngine()
    ours = [local.reveal(x) for x in jacobi_eigh(local.input("garbler", S, width=25, frac=22), sweeps=2)]
    ref = [plain.reveal(x) for x in jacobi_eigh(plain.input("garbler", S, width=25, frac=22), sweeps=2)]
    assert all(np.array_equal(x, y) for x, y in zip(ours, ref))
    assert local.and_gates == plain.and_gates and local.and_layers == plain.and_layers


def test_jacobi_refuses_a_format_without_room_for_its_intermediates():
    e = PlainEngine()
    with pytest.raises(ValueError, match="width >= frac \\+ 3"):
        jacobi_eigh(e.input("garbler", np.eye(2) / 2, width=24, frac=22))
