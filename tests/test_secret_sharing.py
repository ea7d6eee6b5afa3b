"""Additive secret sharing over Z_2^64: sharing, Beaver products, SecureML truncation, comparison, errors."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlprivacy_lab.crypto.secret_sharing import (FixedPointRing, Share, SMPCSession, random_ring,
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
    """Values with |x| < 2^lx fail to truncate with probability <= 2^(lx+1-64); otherwise off by <= 1."""
    s = SMPCSession(2, 0)
    lx, n = 58, 20000
    x = (random_ring((n,)) >> np.uint64(64 - lx)).view(np.int64) - (1 << (lx - 1))
    shared = s.share(x, integer=True)
    got = s.reconstruct(shared.truncate(F))
    exact = x >> F
    failed = np.abs(got - exact) > 1
    assert np.all(np.abs(got[~failed] - exact[~failed]) <= 1)
    bound = truncation_failure_bound(lx - 1)
    assert 0 < failed.mean() <= bound * 1.5 + 3 * np.sqrt(bound / n), (failed.mean(), bound)


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
