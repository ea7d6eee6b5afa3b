"""The log-depth circuits and the CORDIC Jacobi eigen solver built on them: same results as the ripple
circuits, Python integers and numpy, fewer sequential layers."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlprivacy_lab.crypto.garbled import LocalEngine, PlainEngine
from mlprivacy_lab.crypto.garbled import circuits as C
from mlprivacy_lab.crypto.garbled.linalg import _round as one_round
from mlprivacy_lab.crypto.garbled.linalg import (cordic_gain, cordic_vectoring, jacobi_eigh, jacobi_eigh_until,
                                                 round_robin, signed_digits)
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


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_carry_save_sums_of_several_groups_match_python(data):
    """Each group's operands and carry bits add up modulo 2^w, whatever the group sizes, in one tree."""
    w, e = data.draw(st.integers(2, 12), label="w"), PlainEngine()
    groups, expected = [], []
    for _ in range(data.draw(st.integers(1, 3), label="groups")):
        lanes, count = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 7))
        ops = [data.draw(st.lists(st.integers(-(1 << (w - 1)), (1 << (w - 1)) - 1), min_size=lanes, max_size=lanes))
               for _ in range(count)]
        slots = max(count - 2, 0) + 1  # one per full adder, one for the final adder
        bits = [data.draw(st.lists(st.integers(0, 1), min_size=lanes, max_size=lanes))
                for _ in range(data.draw(st.integers(0, slots)))]
        groups.append(([encode(np.array(o), w) for o in ops], [np.array(b, dtype=np.uint8) for b in bits]))
        total = np.sum(ops, axis=0) + (np.sum(bits, axis=0) if bits else 0)
        expected.append((total + (1 << (w - 1))) % (1 << w) - (1 << (w - 1)))
    for got, want in zip(C.carry_save_sum(e, groups), expected):
        assert np.array_equal(decode(got), want)


def test_carry_save_sum_refuses_more_carry_bits_than_slots():
    e, x = PlainEngine(), encode(np.array([1, 2]), 8)
    with pytest.raises(ValueError, match="more carry bits than"):
        C.carry_save_sum(e, [([x, x], [np.ones(2, np.uint8)] * 2)])


@pytest.mark.parametrize("k", [0, 1, 3, 7, 9])
def test_shift_right_is_floor_division(k):
    x = np.arange(-128, 128)
    assert np.array_equal(decode(C.shift_right(encode(x, 8), k)), x >> k)


@pytest.mark.parametrize("c", [1 / cordic_gain(18), 1 / cordic_gain(18) ** 2, 0.1, 0.999])
def test_signed_digits_are_a_non_adjacent_form_of_the_constant(c):
    digits = signed_digits(c, 24)
    assert abs(sum(sign * 2.0 ** -shift for sign, shift in digits) - c) <= 2.0 ** -25
    shifts = [shift for _, shift in digits]
    assert shifts == sorted(shifts) and all(b - a >= 2 for a, b in zip(shifts, shifts[1:]))  # no two adjacent


def test_cordic_gain_is_the_growth_of_the_micro_rotations():
    v = np.array([0.6, -0.8])
    for i, sign in zip(range(1, 19), itertools.cycle([1, -1, -1])):
        t = sign * 2.0 ** -i
        v = np.array([[1, t], [-t, 1]]) @ v
    assert np.isclose(np.linalg.norm(v), cordic_gain(18), rtol=1e-12)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10 ** 6))
def test_a_garbled_cordic_round_is_the_plaintext_reference_rotation(seed):
    """One round on a 3x3 covariance (one pair, one idle index): V is a rotation J of the pair's plane, A' =
    J^T A J with a'_pq = 0 exactly, and J's angle is θ = Σ atan t_i of ``cordic_vectoring`` (to its fixed-point
    resolution, one ulp / |(x, y)|)."""
    X = np.random.default_rng(seed).normal(size=(12, 3)) * [1, 2, 3]
    S = np.cov(X.T) / np.trace(np.cov(X.T))
    (p, q), e = round_robin(3)[0][0], PlainEngine()
    wires, v = one_round(e.input("garbler", S, width=25, frac=22).wires,
                         e.constant(np.eye(3), width=25, frac=22).wires, [(p, q)], e, 22, 20)
    A, J = decode(wires, 22), decode(v, 22)
    assert np.allclose(J.T @ J, np.eye(3), atol=2e-6) and J[3 - p - q, 3 - p - q] == 1
    assert np.allclose(A, J.T @ S @ J, atol=3e-6) and A[p, q] == A[q, p] == 0
    x, y = S[p, p] - S[q, q], 2 * S[p, q]
    _, ts = cordic_vectoring(x, y, 20)
    assert abs(np.arctan2(J[p, q], J[p, p]) - np.arctan(ts).sum()) < 4 * 2.0 ** -22 / np.hypot(x, y) + 2.0 ** -19


def test_a_jacobi_round_has_a_fixed_depth_of_about_eight_layers_per_cordic_step():
    per_round = set()
    for d in (4, 8, 16):
        e = PlainEngine()
        jacobi_eigh(e.input("garbler", _covariance(d), width=25, frac=22), sweeps=1, iterations=10)
        per_round.add(e.and_layers / len(round_robin(d)))
    assert len(per_round) == 1 and per_round.pop() <= 8 * 10 + 30  # the same depth whatever d


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


def test_jacobi_refuses_a_format_without_room_for_its_intermediates_and_bad_iterations():
    e = PlainEngine()
    with pytest.raises(ValueError, match="width >= frac \\+ 3"):
        jacobi_eigh(e.input("garbler", np.eye(2) / 2, width=24, frac=22))
    for bad in (0, 23, 2.5):
        with pytest.raises(ValueError, match="iterations must be an integer"):
            jacobi_eigh(e.input("garbler", np.eye(2) / 2, width=25, frac=22), iterations=bad)
