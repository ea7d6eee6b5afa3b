"""Property tests of secret-shared arithmetic: random values through random sequences of operations reveal
numpy's result within the fixed-point tolerance, or raise ``OverflowError``; never a silently wrong value.

Each step carries the float64 reference value and an elementwise bound on the fixed-point error, from the
rules of ``crypto.secret_sharing``: a fresh value is rounded (ulp/2); sums add errors; a product
x'y' - xy = x'(y' - y) + y(x' - x) is then truncated (floor plus SecureML's +-1: < 2 ulp); ``clip`` is
1-Lipschitz and exact; a public real is rounded to the session scale (ulp/2).
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mlprivacy_lab.crypto.secret_sharing import SMPCSession

F = 13
ULP = 2.0 ** -F
OPS = ("add", "sub", "neg", "mul", "mul_int", "mul_real", "matmul", "truncate", "sum", "clip", "T")
# mostly moderate magnitudes (programs that finish), sometimes huge ones (programs that must be refused)
EXPONENTS = st.one_of(st.integers(-3, 8), st.integers(9, 45))


def _operand(data, shape):
    e = data.draw(EXPONENTS, label="exponent")
    values = data.draw(st.lists(st.floats(-(2.0 ** e), 2.0 ** e, allow_nan=False), min_size=int(np.prod(shape)),
                                max_size=int(np.prod(shape))), label="values")
    return np.array(values).reshape(shape)


def _step(op, s, data, shared, ref, err):
    """One operation on (shared, reference, error bound)."""
    shape = ref.shape
    if op in ("add", "sub", "mul", "matmul", "sum"):
        y = _operand(data, shape)
        other, ey = s.share(y, owner=data.draw(st.integers(0, s.n_parties - 1))), np.full(shape, ULP / 2)
        if op == "add":
            return shared + other, ref + y, err + ey
        if op == "sub":
            return shared - other, ref - y, err + ey
        if op == "sum":
            return sum([other, other], start=shared), ref + 2 * y, err + 2 * ey
        if op == "mul":
            return shared * other, ref * y, (np.abs(ref) + err) * ey + np.abs(y) * err + 2 * ULP
        return (shared @ other, ref @ y,
                (np.abs(ref) + err) @ ey + err @ np.abs(y) + 2 * ULP)
    if op == "neg":
        return -shared, -ref, err
    if op == "mul_int":
        k = data.draw(st.integers(-(2 ** 20), 2 ** 20))
        return shared * k, ref * k, abs(k) * err
    if op == "mul_real":
        c = data.draw(st.floats(-1000, 1000, allow_nan=False))
        return shared * c, ref * c, (np.abs(ref) + err) * ULP / 2 + abs(c) * err + 2 * ULP
    if op == "truncate":
        bits = data.draw(st.integers(1, 20))
        return shared.truncate(bits), ref / 2.0 ** bits, err / 2.0 ** bits + 2 * ULP
    if op == "clip":
        low, high = sorted(data.draw(st.tuples(st.integers(-400, 400), st.integers(-400, 400))))
        return shared.clip(low / 4, high / 4), np.clip(ref, low / 4, high / 4), err
    return shared.T, ref.T, err.T


@settings(max_examples=60, deadline=None)
@given(st.data(), st.integers(2, 3), st.integers(1, 3))
def test_random_programs_are_right_or_refused(data, n_parties, k):
    s = SMPCSession(n_parties, F)
    x = _operand(data, (k, k))
    ops = data.draw(st.lists(st.sampled_from(OPS), min_size=1, max_size=6), label="ops")
    try:
        shared, ref, err = s.share(x), x, np.full(x.shape, ULP / 2)
        for op in ops:
            shared, ref, err = _step(op, s, data, shared, ref, err)
        got = s.reconstruct(shared)
    except OverflowError:
        return  # refused before a wrong value could appear
    tolerance = err + np.abs(ref) * 2.0 ** -40 + 1e-12  # plus float64 rounding of the reference
    assert np.all(np.abs(got - ref) <= tolerance), (ops, got, ref, tolerance)
    signs = s.reconstruct(shared.sign_bit())  # the comparison agrees wherever the error cannot flip the sign
    sure = np.abs(ref) > tolerance
    assert np.array_equal(signs[sure], (ref[sure] < 0).astype(np.int64))


@settings(max_examples=30, deadline=None)
@given(st.data(), st.integers(2, 3))
def test_sums_of_many_fresh_values_wrap_never(data, n_parties):
    """Repeated sums up to and past the ring's range: exact while they fit, then refused."""
    s = SMPCSession(n_parties, F)
    e = data.draw(st.integers(30, 49))
    x = data.draw(st.floats(-(2.0 ** e) + 1, 2.0 ** e - 1, allow_nan=False))
    one = s.share(x)
    total, count = one, 1
    try:
        for _ in range(data.draw(st.integers(1, 40))):
            total, count = total + one, count + 1
    except OverflowError as error:
        assert "this sum could reach" in str(error) and count * one.bound <= 2 ** 63 - 1
        return
    assert s.reconstruct(total) == count * s.reconstruct(one)
