"""The lecture's network on secret shares: exact ring products, secure bounded ReLU, agreement with the plaintext
reference, two real processes, and MPyC parties for the salary average."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mlprivacy_lab.crypto.ring import MAX_EXACT_INNER, limbs, ring_matmul
from mlprivacy_lab.crypto.secret_sharing import SMPCSession
from mlprivacy_lab.data import mnist5k_split
from mlprivacy_lab.protocols.smpc import mpyc_parties
from mlprivacy_lab.protocols.smpc.network import (
    NetworkConfig, SecureNetwork, batch_indices, initial_weights, one_hot, plain_epoch, quantize_pixels,
    secure_capped_relu)
from mlprivacy_lab.protocols.smpc.twoprocess import two_process_epoch

TOP = 2 ** 64 - 1


def _exact_matmul(a, b):
    """Brute force in Python integers, reduced mod 2^64."""
    return (a.astype(object) @ b.astype(object)) % (1 << 64)


@pytest.mark.parametrize("m,k,n", [(1, 1, 1), (3, 7, 2), (5, 1024, 3), (2, 2500, 4)])
def test_ring_matmul_is_exact_mod_2_64(m, k, n):
    rng = np.random.default_rng(k)
    a = rng.integers(0, 2 ** 64, (m, k), dtype=np.uint64)
    b = rng.integers(0, 2 ** 64, (k, n), dtype=np.uint64)
    a.flat[0], b.flat[0] = TOP, 2 ** 63  # extremes: -1 and the most negative value
    assert (ring_matmul(a, b).astype(object) == _exact_matmul(a, b)).all()
    assert (ring_matmul(a, b) == a @ b).all()


def test_ring_matmul_worst_case_limbs_stay_exact():
    """All digits -2^21 (the largest products) with the longest exact inner dimension."""
    a = np.full((2, MAX_EXACT_INNER), (1 << 21) * (1 + (1 << 22) + (1 << 44)) % (1 << 64), dtype=np.uint64)
    a = np.uint64(0) - a  # every balanced digit becomes -2^21 or close to it
    assert (ring_matmul(a, a.T.copy()) == a @ a.T).all()
    parts = limbs(a)
    rebuilt = sum(p.astype(np.int64).astype(np.uint64) << np.uint64(22 * i) for i, p in enumerate(parts))
    assert (rebuilt == a).all() and max(np.abs(p).max() for p in parts) <= 2 ** 21


def test_ring_matmul_rejects_bad_shapes():
    with pytest.raises(ValueError, match="ring_matmul needs shapes"):
        ring_matmul(np.zeros((2, 3), np.uint64), np.zeros((2, 3), np.uint64))


def test_matmul_to_a_chosen_scale_and_shift():
    s = SMPCSession(2, 13)
    A, B = np.array([[0.5, -1.25], [2.0, 0.75]]), np.array([[1.5], [-0.5]])
    got = s.share(A, frac_bits=8).matmul(s.share(B), frac_bits=10, shift=2).reveal()
    assert np.allclose(got, A @ B / 4, atol=2 ** -9)
    with pytest.raises(ValueError, match="can be truncated to a scale"):
        s.share(A).matmul(s.share(B), frac_bits=40)


@pytest.mark.parametrize("cap", [4.0, 1.0])
def test_secure_capped_relu_and_derivative_match_plaintext(cap):
    s = SMPCSession(2, 10)
    rng = np.random.default_rng(0)
    edges = [0.0, -0.0, 2 ** -10, -(2 ** -10), cap, cap + 2 ** -10, cap - 2 ** -10, 2.0 ** 40, -(2.0 ** 40)]
    u = np.rint(np.r_[edges, rng.normal(0, 3, 55)].reshape(8, 8) * 2 ** 10) / 2 ** 10  # on the fixed-point grid
    h, mask = secure_capped_relu(s.share(u), cap)
    assert np.array_equal(h.reveal(), np.clip(u, 0, cap))
    assert np.array_equal(mask.reveal(), ((u >= 0) & (u <= cap)).astype(float))
    assert h.bound == cap * 2 ** 10 and mask.bound == 1


@pytest.fixture(scope="module")
def small_task():
    data = mnist5k_split()
    config = NetworkConfig()
    X, Y = quantize_pixels(data.X_train[:512]), one_hot(data.y_train[:512])
    return X, Y, batch_indices(len(X), 256, config), initial_weights(config), config


def test_shared_weights_track_the_plaintext_reference(small_task):
    X, Y, batches, w0, config = small_task
    plain = plain_epoch(w0, X, Y, batches, config)
    session = SMPCSession(2, config.weight_frac)
    net = SecureNetwork(session, w0, config)
    stats = net.epoch(*net.share_data(X, Y), batches)
    secure = net.reveal()
    for p, q, w in zip(plain, secure, w0):
        assert np.abs(p - q).max() < 0.02  # stochastic rounding at 2^-7..2^-13 over two steps
        assert np.abs(p - w).max() > 0.02  # training moved the weights: the agreement is not trivial
    assert 0 < stats["truncation_failure"] < 1e-4 and stats["dealer_seconds"] > 0 and stats["rounds"] > 0


def test_quantized_pixels_are_exact_at_scale_2_8():
    X = quantize_pixels(np.array([[0.0, 1.0, 128 / 255] + [0.5] * 781]))
    assert np.array_equal(X * 256, np.rint(X * 256)) and X.max() == 255 / 256
    with pytest.raises(ValueError, match="pixels in \\[0, 1\\]"):
        quantize_pixels(np.ones((2, 3)))
    with pytest.raises(ValueError, match="digits"):
        one_hot(np.array([3, 11]))
    with pytest.raises(ValueError, match="n_train >= batch_size"):
        batch_indices(100, 64, NetworkConfig())


def test_two_processes_give_the_one_process_weights(small_task):
    X, Y, batches, w0, config = small_task
    out = two_process_epoch(X, Y, batches[:2], w0, config, timeout_s=120, chunk_batches=1)
    assert out["chunks"] == 2 and all(party["chunks"] == 2 for party in out["parties"])  # tapes streamed
    gap = max(np.abs(a - b).max() for a, b in zip(out["one_process_weights"], out["two_process_weights"]))
    assert gap < 0.02
    moved = max(np.abs(a - b).max() for a, b in zip(out["two_process_weights"], w0))
    assert moved > 0.02
    for party in out["parties"]:  # bytes really went over the socket, at least what the session counted
        assert party["bytes_sent"] >= party["counted_bytes_per_party"] > 0
    assert out["dealer_seconds"] > 0


@pytest.mark.parametrize("values", [[5_000, 100_000, 22_000], [1.5, -2.5], [3.0, 1.0, 4.0, 1.0, 5.0]])
def test_mpyc_parties_agree_on_the_average(values):
    average, reports = mpyc_parties.collect_average(mpyc_parties.start_parties(values), timeout_s=60)
    assert average == pytest.approx(np.mean(values), abs=1e-4)
    assert [r["my_input"] for r in reports] == [float(v) for v in values]  # each saw only its own input
    assert {r["parties"] for r in reports} == {len(values)}


def test_mpyc_party_that_dies_is_a_clear_error_not_a_hang():
    parties = mpyc_parties.start_parties([5_000, 100_000, 22_000])
    parties[1].kill()
    with pytest.raises(RuntimeError, match="party 1 failed"):
        mpyc_parties.collect_average(parties, timeout_s=30)
    assert all(p.poll() is not None for p in parties)


@pytest.mark.parametrize("bad,match", [([5.0], "at least 2"), ([1.0, float("nan")], "finite"),
                                       ([1.0, 2.0 ** 31], "2\\^30"), ([True, 1.0], "finite number")])
def test_mpyc_average_rejects_bad_values(bad, match):
    with pytest.raises(ValueError, match=match):
        mpyc_parties.mpyc_average(bad)


@pytest.mark.parametrize("bad", [-1, 31, 2.5, True])
def test_share_rejects_a_bad_scale(bad):
    with pytest.raises(ValueError, match="frac_bits must be an integer"):
        SMPCSession(2).share(np.ones(2), frac_bits=bad)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 6), st.integers(1, 40), st.integers(1, 6), st.data())
def test_ring_matmul_property(m, k, n, data):
    words = st.integers(0, 2 ** 64 - 1)
    a = data.draw(arrays(np.uint64, (m, k), elements=words))
    b = data.draw(arrays(np.uint64, (k, n), elements=words))
    assert (ring_matmul(a, b).astype(object) == _exact_matmul(a, b)).all()


def test_bench_smpc_reports_the_issue_fields_consistently():
    """The quick bench through the CLI: the named fields, a ratio that is the quotient of its parts, bytes really
    sent at least those counted, accuracies within a point and the truncation bound below 1e-2."""
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "MLPRIVACY_LAB_QUICK": "1", "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-m", "mlprivacy_lab", "bench", "smpc", "--json"], env=env,
                          capture_output=True, text=True, timeout=600, check=True)
    out = json.loads(done.stdout)
    keys = {"network", "n_train", "plain_s_per_epoch", "secure_s_per_epoch", "compute_ratio", "dealer_s_per_epoch",
            "bytes_per_party_per_epoch", "rounds_per_epoch", "lan_s_per_epoch", "wan_s_per_epoch", "two_process",
            "plain_accuracy", "secure_accuracy", "lecture_seconds_per_epoch"}
    assert keys <= set(out) and {"wall_s_per_epoch", "bytes_sent"} <= set(out["two_process"])
    assert out["network"] == "784-128-128-10"
    assert out["compute_ratio"] == pytest.approx(out["secure_s_per_epoch"] / out["plain_s_per_epoch"])
    assert out["wan_s_per_epoch"] > out["lan_s_per_epoch"] > out["secure_s_per_epoch"]
    assert out["two_process"]["bytes_sent"] >= 2 * out["bytes_per_party_per_epoch"]
    assert out["plain_accuracy"] >= 0.90 and abs(out["secure_accuracy"] - out["plain_accuracy"]) <= 0.01
    assert 0 < out["truncation_failure_per_epoch"] < 1e-2
    assert out["ring_matmul"]["limb_float64_ms"] > 0 and out["lecture_seconds_per_epoch"]["SecureML"] == 240.0


@pytest.mark.parametrize("bad", [0, 2.5, True])
def test_two_process_epoch_refuses_bad_chunk_sizes(small_task, bad):
    X, Y, batches, w0, config = small_task
    with pytest.raises(ValueError, match="chunk_batches"):
        two_process_epoch(X, Y, batches[:1], w0, config, chunk_batches=bad)
