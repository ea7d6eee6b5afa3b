"""What an epoch of secret-shared training costs: our time, rounds and traffic beside the lecture's slide.

``network_epoch_costs`` measures the lecture's own case, the 784-128-128-10 network (``network``): plaintext,
secure compute in one process (dealer excluded and timed apart), two real processes (``twoprocess``), and the
LAN/WAN estimates; ``epoch_costs`` does the same for logistic regression (``training``).

The lecture's numbers (a 3-layer fully connected network: plain 9 ms, SecureML 4 min, CrypTen 15 min per
epoch) are returned beside ours; what differs is stated in the result's ``differs`` field. Network times are
a model (rounds x RTT + bytes / bandwidth), not a measurement.
"""

from __future__ import annotations

import numpy as np

import time

from ...crypto.ring import ring_matmul
from ...crypto.secret_sharing import random_ring
from ...data import mnist5k_split, standardized_binary_task
from . import network as nn_
from .training import PlainLinearModel, SecureLinearModel, hospital_split
from .twoprocess import two_process_epoch

LECTURE_SECONDS_PER_EPOCH = {"plain": 0.009, "SecureML": 240.0, "CrypTen": 900.0}
NETWORKS = {"LAN (0.2 ms RTT, 1 Gbit/s)": (0.0002, 1e9), "WAN (40 ms RTT, 100 Mbit/s)": (0.04, 1e8)}
DIFFERS = ("ours: logistic regression (one linear layer) on one process, parties and trusted dealer "
           "simulated, no network latency or bandwidth cost (the bytes and rounds are counted, not sent), "
           "offline phase (triples) by a dealer not timed separately; lecture: a 3-layer fully connected "
           "network, real parties over a network (SecureML: triples from OT/HE or a client-aided "
           "dealer; CrypTen: PyTorch-based, TTP or multi-process), different data and hardware")


def network_estimate(rounds: int, n_bytes: int) -> dict:
    """A model, not a measurement: rounds x round-trip time + bytes / bandwidth, for each network."""
    return {name: rounds * rtt + 8 * n_bytes / bandwidth for name, (rtt, bandwidth) in NETWORKS.items()}


def epoch_costs(task: str, epochs: int, batch_size: int = 32, learning_rate: float = 0.25) -> dict:
    """Plaintext vs secret-shared logistic regression (2 and 3 parties) on ``task``
    (see ``data.standardized_binary_task``): seconds, rounds and bytes per epoch, accuracy and the gap to
    the plaintext weights, the summed SecureML truncation failure bounds of every truncated value (per epoch
    and for the whole run: a union bound on P[any truncation failed]), with the lecture's row."""
    X, y, X_te, y_te = standardized_binary_task(task)
    kwargs = dict(kind="logistic", epochs=epochs, batch_size=batch_size, learning_rate=learning_rate)
    plain = PlainLinearModel(**kwargs).fit(X, y)
    rows = {}
    for n in (2, 3):
        secure = SecureLinearModel(n_parties=n, **kwargs).fit(*hospital_split(X, y, n))
        epoch = secure.epoch_stats_[-1]
        rows[f"{n}_parties"] = {
            "seconds_per_epoch": float(np.median(secure.epoch_seconds_)),
            "rounds_per_epoch": epoch["rounds"], "bytes_per_epoch": epoch["bytes_sent"],
            "dealer_bytes_per_epoch": epoch["dealer_bytes"], "triples_per_epoch": epoch["triples"],
            "binary_triple_words_per_epoch": epoch["binary_triples"],
            "truncations_per_epoch": epoch["truncations"],
            "truncation_failure_per_epoch": epoch["truncation_failure"],
            "truncation_failure_total": secure.stats_["truncation_failure"],
            "estimated_network_seconds_per_epoch": network_estimate(epoch["rounds"], epoch["bytes_sent"]),
            "test_accuracy": float((secure.predict(X_te) == y_te).mean()),
            "max_weight_gap_to_plain": float(np.abs(np.r_[secure.coef_ - plain.coef_,
                                                          secure.intercept_ - plain.intercept_]).max()),
        }
        print(f"{n} parties: {rows[f'{n}_parties']}")
    plain_s = float(np.median(plain.epoch_seconds_))
    return {
        "task": task, "n_train": int(len(y)), "n_features": int(X.shape[1]), **kwargs,
        "plain_seconds_per_epoch": plain_s, "plain_test_accuracy": float((plain.predict(X_te) == y_te).mean()),
        "secure": rows, "slowdown_2_parties": rows["2_parties"]["seconds_per_epoch"] / plain_s,
        "lecture_seconds_per_epoch": LECTURE_SECONDS_PER_EPOCH,
        "lecture_slowdown": {k: v / LECTURE_SECONDS_PER_EPOCH["plain"] for k, v in LECTURE_SECONDS_PER_EPOCH.items()},
        "differs": DIFFERS,
    }


NETWORK_DIFFERS = (
    "ours: MNIST-5k digits (4,000 training rows; an epoch of n_train samples repeats them in fresh seeded orders, "
    "shape-matching the 60,000 of MNIST in full mode), no biases, a ReLU capped at 4 and public clips of the "
    "residual and weights (so SecureML truncation has a stated failure bound), square loss; a trusted dealer "
    "deals every triple (its time reported apart, as SecureML's client-aided offline phase; SecureML's own "
    "offline phase uses OT or HE and is far slower); two parties on one shared laptop-class CPU, numpy; the "
    "two-process run on localhost (no real network: LAN/WAN are a model: compute + rounds x RTT + bytes per "
    "party / bandwidth). Lecture: SecureML and CrypTen over a real network on their hardware, full MNIST.")


def _median_ms(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * sorted(times)[len(times) // 2]


def ring_matmul_timing(m: int = 128, k: int = 784, n: int = 128) -> dict:
    """Median milliseconds of one (m, k) @ (k, n) product: Z_2^64 by float64 limbs vs numpy uint64 vs float64."""
    a, b = random_ring((m, k)), random_ring((k, n))
    af, bf = a.astype(np.float64), b.astype(np.float64)
    if not (ring_matmul(a, b) == a @ b).all():
        raise AssertionError("ring_matmul disagrees with numpy's uint64 product")
    return {"shape": [m, k, n], "limb_float64_ms": _median_ms(lambda: ring_matmul(a, b)),
            "numpy_uint64_ms": _median_ms(lambda: a @ b), "plain_float64_ms": _median_ms(lambda: af @ bf)}


def network_epoch_costs(n_train: int, warm_start: bool = False,
                        config: nn_.NetworkConfig = nn_.NetworkConfig()) -> dict:
    """One epoch of ``n_train`` samples of the 784-128-128-10 network: plaintext (numpy float64, one thread) and
    on shares (2 parties, one process: compute, and the dealer apart), the same epoch by two party processes
    (the dealer's tapes streamed chunk by chunk, ``twoprocess.two_process_epoch``), traffic, LAN/WAN estimates,
    test accuracies of both models and the lecture's row. ``warm_start``: both models start from the plaintext
    reference's weights after a 60,000-sample epoch (a short measured epoch then ends at a useful accuracy)."""
    import numpy as np
    from threadpoolctl import threadpool_limits

    data = mnist5k_split()
    X, Y = nn_.quantize_pixels(data.X_train), nn_.one_hot(data.y_train)
    batches = nn_.batch_indices(len(X), n_train, config)
    w0 = nn_.initial_weights(config)
    if warm_start:
        w0 = nn_.plain_epoch(w0, X, Y, nn_.batch_indices(len(X), 60_000, config), config)
    with threadpool_limits(1):
        start = time.perf_counter()
        plain = nn_.plain_epoch(w0, X, Y, batches, config)
        plain_s = time.perf_counter() - start
        ring = ring_matmul_timing()
        two = two_process_epoch(X, Y, batches, w0, config)
        epoch, secure_w = two["one_process_epoch"], two["one_process_weights"]
    per_party = epoch["bytes_sent"] // 2
    network = {name: epoch["seconds"] + epoch["rounds"] * rtt + 8 * per_party / bw
               for name, (rtt, bw) in NETWORKS.items()}
    lan, wan = network.values()
    accuracy = lambda w: float((nn_.predict(w, data.X_test, config) == data.y_test).mean())  # noqa: E731
    gap = lambda u, v: float(max(np.abs(a - b).max() for a, b in zip(u, v)))  # noqa: E731
    return {
        "network": config.name, "n_train": len(batches) * config.batch_size, "batch_size": config.batch_size,
        "steps_per_epoch": len(batches), "warm_start": warm_start,
        "plain_s_per_epoch": plain_s, "secure_s_per_epoch": epoch["seconds"],
        "compute_ratio": epoch["seconds"] / plain_s, "dealer_s_per_epoch": epoch["dealer_seconds"],
        "bytes_per_party_per_epoch": per_party, "rounds_per_epoch": epoch["rounds"],
        "lan_s_per_epoch": lan, "wan_s_per_epoch": wan,
        "two_process": {"wall_s_per_epoch": two["wall_s_per_epoch"], "bytes_sent": two["bytes_sent"],
                        "bytes_sent_per_party_measured": [p["bytes_sent"] for p in two["parties"]],
                        "bytes_per_party_counted": [p["counted_bytes_per_party"] for p in two["parties"]],
                        "batches_run": len(batches), "scaled_to_epoch_by": 1.0, "tape_chunks": two["chunks"],
                        "dealer_offline_s": two["dealer_seconds"],
                        "max_weight_gap_to_one_process": gap(two["two_process_weights"], two["one_process_weights"]),
                        "accuracy": accuracy(two["two_process_weights"])},
        "plain_accuracy": accuracy(plain), "secure_accuracy": accuracy(secure_w),
        "max_weight_gap_secure_vs_plain": gap(secure_w, plain),
        "truncation_failure_per_epoch": epoch["truncation_failure"], "truncations_per_epoch": epoch["truncations"],
        "triples_per_epoch": epoch["triples"], "binary_triple_words_per_epoch": epoch["binary_triples"],
        "dealer_bytes_per_epoch": epoch["dealer_bytes"],
        "ring_matmul": ring,
        "network_model": {name: {"rtt_s": rtt, "bits_per_s": bw} for name, (rtt, bw) in NETWORKS.items()},
        "lecture_seconds_per_epoch": LECTURE_SECONDS_PER_EPOCH,
        "differs": NETWORK_DIFFERS,
    }
