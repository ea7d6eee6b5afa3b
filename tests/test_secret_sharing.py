"""Additive secret sharing over Z_2^64: sharing, Beaver products, SecureML truncation, comparison, errors."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlprivacy_lab.crypto.secret_sharing import (FixedPointRing, Share, SMPCSession, concatenate, random_ring,
                                                 truncation_failure_bound)

F = 13
ULP = 2.0 ** -F
reals = st.floats(min_value=-1000, max_value=1000, allow_nan=False)
vectors = st.lists(reals, min_size=1, max_size=8)
parties = st.integers(min_value=2, max_value=4)


@settings(max_examples=40, deadline=None)
@given(vectors, parties)
def test_share_reconstruct_roundtrip(xs, n):
    s = SMPCSession(n, F)
    x = np.array(xs)
    assert np.allclose(s.reconstruct(s.share(x, owner=n - 1)), x, atol=ULP / 2 + 1e-12)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(reals, reals), min_size=1, max_size=8), parties)
def test_addition_and_beaver_product(pairs, n):
    s = SMPCSession(n, F)
    x, y = np.array(pairs).T
    a, b = s.share(x), s.share(y, owner=1)
    assert np.allclose(s.reconstruct(a + b), x + y, atol=ULP)
    assert np.allclose(s.reconstruct(a - b), x - y, atol=ULP)
    # products of |x|, |y| <= 100 (near 1000 a truncation's risk passes 2^-20: test_products_never_wrap)
    x, y = x / 10, y / 10
    a, b = s.share(x), s.share(y, owner=1)
    # inputs rounded to 2^-f, product truncated: error <= |x| ulp/2 + |y| ulp/2 + ulp^2/4 + 1 ulp
    bound = (np.abs(x) + np.abs(y)) * ULP / 2 + 2 * ULP
    assert np.all(np.abs(s.reconstruct(a * b) - x * y) <= bound)


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 5), parties)
def test_beaver_matrix_product(m, k, n_cols, n):
    s = SMPCSession(n, F)
    x = np.linspace(-3, 3, m * k).reshape(m, k)
    y = np.linspace(2, -1, k * n_cols).reshape(k, n_cols)
    z = s.reconstruct(s.share(x) @ s.share(y))
    assert np.allclose(z, x @ y, atol=k * 4 * ULP)
    assert s.stats.triples == 1


def test_integer_salaries_exact_and_public_scalars():
    s = SMPCSession(3, F)
    total = sum((s.share(v, owner=i, integer=True) for i, v in enumerate([5000, 100000, 22000])),
                start=s.share(0, integer=True))
    assert s.reconstruct(total) == 127000
    x = s.share(np.array([1.25, -2.5]))
    assert np.array_equal(s.reconstruct(x * 3), [3.75, -7.5])
    assert np.allclose(s.reconstruct(x * 0.5), [0.625, -1.25], atol=ULP)
    assert np.allclose(s.reconstruct(x + 1), [2.25, -1.5])


def test_each_share_is_uniform():
    """A single share of a fixed secret is uniform: its top bits are balanced over many sharings."""
    s = SMPCSession(2, F)
    views = np.concatenate([s.share(np.full(64, 42.0)).shares[1] for _ in range(64)])
    counts = np.bincount((views >> np.uint64(60)).astype(np.int64), minlength=16)
    expected = len(views) / 16
    chi2 = ((counts - expected) ** 2 / expected).sum()
    assert chi2 < 40, counts  # 15 dof: P(chi2 > 40) < 1e-3


def test_truncation_error_rate_matches_secureml_theorem():
    """Values with |x| < 2^lx fail to truncate with probability <= 2^(lx+1-64); otherwise off by <= 1.
    The risk is far above the default threshold, so the session accepts it explicitly; the opened sum is
    read raw, since ``reconstruct`` refuses values beyond their public bound (the failures)."""
    s = SMPCSession(2, 0, max_truncation_failure=1.0)
    lx, n = 58, 20000
    x = (random_ring((n,)) >> np.uint64(64 - lx)).view(np.int64) - (1 << (lx - 1))
    shared = s.share(x, integer=True)
    truncated = shared.truncate(F)
    got = truncated.shares.sum(axis=0, dtype=np.uint64).view(np.int64)
    exact = x >> F
    failed = np.abs(got - exact) > 1
    assert np.all(np.abs(got[~failed] - exact[~failed]) <= 1)
    bound = truncation_failure_bound(lx - 1)
    assert 0 < failed.mean() <= bound * 1.5 + 3 * np.sqrt(bound / n), (failed.mean(), bound)
    # one truncation of n values: the union bound n x 2^-6 over its elements is vacuous, capped at 1
    assert s.stats.truncations == 1 and s.stats.truncation_failure == min(1.0, n * bound) == 1.0
    with pytest.raises(OverflowError, match="exceeds its public bound"):
        s.reconstruct(truncated)
    assert np.array_equal(s.reconstruct(truncated[np.flatnonzero(~failed)]), got[~failed])


@pytest.mark.parametrize("n", [2, 3])
def test_sign_bit_brute_force(n):
    s = SMPCSession(n, F)
    x = np.array([-1e6, -3.0, -ULP, 0.0, ULP, 0.5, 7.0, 1e6])
    assert np.array_equal(s.reconstruct(s.share(x).sign_bit()), (x < 0).astype(np.int64))
    ints = np.array([-(1 << 61), -1, 0, 1, (1 << 61)])
    assert np.array_equal(s.reconstruct(s.share(ints, integer=True).sign_bit()), (ints < 0).astype(np.int64))


def test_shares_json_roundtrip_and_mixing_errors():
    s = SMPCSession(3, F)
    a, b = s.share(np.array([1.0, 2.0])), s.share(np.array([3.0, 4.0]))
    texts = [sh.to_json() for sh in a.party_shares()]
    assert all(isinstance(json.loads(t)["values"][0], int) for t in texts)
    assert np.array_equal(s.reconstruct(s.from_shares([Share.from_json(t) for t in texts])), [1.0, 2.0])
    mixed = a.party_shares()[:2] + b.party_shares()[2:]
    with pytest.raises(ValueError, match="different sharings"):
        s.from_shares(mixed)
    with pytest.raises(ValueError, match="one share from each"):
        s.from_shares(a.party_shares()[:2])
    with pytest.raises(ValueError, match="different sessions"):
        a + SMPCSession(3, F).share(np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="session"):
        SMPCSession(3, F).from_shares(a.party_shares())


def test_clear_errors():
    s = SMPCSession(2, F)
    a = s.share(np.ones(3))
    with pytest.raises(ValueError, match="shape mismatch"):
        a + s.share(np.ones(4))
    with pytest.raises(ValueError, match="equal shapes"):
        a * s.share(np.ones(2))
    with pytest.raises(ValueError, match="matrix product"):
        s.share(np.ones((2, 3))) @ s.share(np.ones((2, 3)))
    with pytest.raises(ValueError, match="scale mismatch"):
        a + s.share(np.ones(3, dtype=np.int64), integer=True)
    with pytest.raises(OverflowError, match="fixed-point range"):
        s.share(np.array([0.0, 2.0 ** 50]))
    with pytest.raises(ValueError, match="NaN"):
        s.share(np.array([np.nan]))
    with pytest.raises(TypeError, match="real numbers"):
        s.share(np.array(["a"]))
    with pytest.raises(ValueError, match="n_parties"):
        SMPCSession(1)
    with pytest.raises(ValueError, match="frac_bits"):
        FixedPointRing(40)
    with pytest.raises(TypeError, match="multiply"):
        a * "x"
    with pytest.raises(ValueError, match="broadcast"):
        a + np.ones(4)


def test_traffic_counts():
    s = SMPCSession(3, F)
    a, b = s.share(np.ones(10)), s.share(np.ones(10))
    before = s.stats.snapshot()
    a * b
    d = s.stats.since(before)
    # open d and e (1 round, 3 parties x 2 peers x 20 words) + truncation hand-off (1 round, 10 words)
    assert d["rounds"] == 2 and d["bytes_sent"] == 8 * (3 * 2 * 20 + 10) and d["triples"] == 1


def test_products_never_wrap():
    """The issue's cases: accepted inputs whose result would leave the ring, or whose truncation would fail
    too likely, raise OverflowError before anything is computed; nothing reveals a wrapped value."""
    s = SMPCSession(2, F)
    with pytest.raises(OverflowError, match="would wrap: lower frac_bits"):
        s.share(2.0 ** 20) * s.share(2.0 ** 20)
    with pytest.raises(OverflowError, match="this product could reach"):
        s.share(1e6) * s.share(1e6)
    big = s.share(5e14)
    with pytest.raises(OverflowError, match="this sum could reach"):
        big + big + big
    assert s.reconstruct(big + big) == 1e15  # two fit: 2 (2^62 - 1) < 2^63
    with pytest.raises(OverflowError, match="public integer"):
        s.share(1.0) * 2 ** 64
    assert s.reconstruct(s.share(0.0) * 2 ** 64) == 0.0  # bound 0: exact
    before = s.stats.snapshot()
    near = s.share(2.0 ** 17 - 1)
    with pytest.raises(OverflowError, match=r"probability up to 0\.12 .*max_truncation_failure"):
        near * near
    assert s.stats.since(before)["triples"] == 0, "refused before the Beaver triple was dealt"
    ones = s.share(np.array([1.0, -0.999]))
    assert np.allclose(s.reconstruct(ones * ones), [1.0, 0.998], atol=2 * ULP)
    assert s.stats.truncation_failure == 2 * 2.0 ** -35  # bound 2^14 - 1 each: |product| < 2^28, 2 values


def test_truncation_threshold_is_settable_and_risks_add_up():
    strict = SMPCSession(2, F)
    with pytest.raises(OverflowError, match="max_truncation_failure"):  # default 2^-20: 2^-15 is refused
        strict.share(np.array([2.0 ** 11 - 1])) * strict.share(np.array([2.0 ** 11 - 1]))
    s = SMPCSession(2, F, max_truncation_failure=2.0 ** -10)
    near = s.share(np.array([2.0 ** 11 - 1]))  # fails with probability 2^-15, accepted at this threshold
    assert s.reconstruct(near * near) == pytest.approx((2.0 ** 11 - 1) ** 2, rel=1e-6)
    x = s.share(np.array([3.0]))
    s.reconstruct((x * 0.5).truncate(2))
    # bounds: (2^24 - 1)^2 < 2^48; 3.0 has 2^15 - 1, times 0.5 = 2^12: < 2^27, truncated: 2^14 + 1 < 2^15
    expected = truncation_failure_bound(48) + truncation_failure_bound(27) + truncation_failure_bound(15)
    assert s.stats.truncations == 3 and s.stats.truncation_failure == expected
    s.max_truncation_failure = 2.0 ** -40
    with pytest.raises(OverflowError, match="max_truncation_failure"):
        x * x
    for bad in (0, 1.5, "x", float("nan")):
        with pytest.raises(ValueError, match="max_truncation_failure must be a probability"):
            SMPCSession(max_truncation_failure=bad)



def test_truncation_failure_counts_every_value():
    """Theorem 1 bounds one value; truncating an array truncates each element, so the session's total is the
    union bound size x 2^(lx + 1 - 64) per truncated array (the threshold still applies per value)."""
    s = SMPCSession(2, F)
    a = s.share(np.full((4, 5), 3.0))                           # bound 2^15 - 1: products < 2^30
    a * a
    assert s.stats.truncations == 1 and s.stats.truncation_failure == 20 * truncation_failure_bound(30)
    s.share(np.ones((3, 2))) @ s.share(np.ones((2, 4)))         # 12 values, 2 (2^14 - 1)^2 < 2^29
    assert s.stats.truncation_failure == 20 * truncation_failure_bound(30) + 12 * truncation_failure_bound(29)

def test_public_bounds_propagate_from_public_quantities_only():
    s = SMPCSession(3, F)
    a = s.share(np.array([0.5, -3.0]))                  # max |m| = 3 * 2^13: bit length 15
    assert a.bound == 2 ** 15 - 1
    b = s.share(np.array([100.0, 1.0]), bound=128.0)    # declared: reveals only |x| <= 128
    assert b.bound == 128 << F
    with pytest.raises(ValueError, match="exceeds the bound its owner declares"):
        s.share(np.array([129.0]), bound=128.0)
    assert (a + b).bound == a.bound + b.bound and (-a).bound == a.bound
    assert (a * 3).bound == 3 * a.bound and (a + 2.0).bound == a.bound + (2 << F)
    assert (a * b).bound == -(-(a.bound * b.bound) >> F) + 1
    m = s.share(np.ones((2, 3)))
    assert (m @ s.share(np.ones((3, 1)))).bound == -(-(3 * m.bound ** 2) >> F) + 1
    assert a.sign_bit().bound == 1 and a[0].bound == a.bound and m.T.bound == m.bound
    assert concatenate([a, b]).bound == b.bound and a.truncate(3).bound == -(-a.bound >> 3) + 1
    clipped = (a * 1000).clip(-1.0, 2.0)
    assert clipped.bound == 2 << F and np.array_equal(s.reconstruct(clipped), [2.0, -1.0])
    texts = [sh.to_json() for sh in clipped.party_shares()]
    assert s.from_shares([Share.from_json(t) for t in texts]).bound == clipped.bound


@pytest.mark.parametrize("n", [2, 3])
def test_clip_is_exact(n):
    s = SMPCSession(n, F)
    x = np.array([-7.0, -1.0, -ULP, 0.0, 0.25, 1.0, 1.0 + ULP, 40.0])
    assert np.array_equal(s.reconstruct(s.share(x).clip(0.0, 1.0)), np.clip(x, 0.0, 1.0))
    assert s.reconstruct(s.share(-2.0).clip(-1.0, 1.0)) == -1.0  # 0-d arrays too
    with pytest.raises(ValueError, match="low <= high"):
        s.share(x).clip(1.0, 0.0)


def test_integer_sharing_never_rounds():
    s = SMPCSession(2, F)
    with pytest.raises(ValueError, match="non-integer 2.5"):
        s.share(np.array([1.0, 2.5]), integer=True)
    assert s.reconstruct(s.share(np.array([4.0, -7.0]), integer=True)).tolist() == [4, -7]
