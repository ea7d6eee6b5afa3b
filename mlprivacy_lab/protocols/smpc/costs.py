"""What an epoch of secret-shared training costs: our time, rounds and traffic beside the lecture's slide.

The lecture's numbers (a 3-layer fully connected network: plain 9 ms, SecureML 4 min, CrypTen 15 min per
epoch) are returned beside ours; what differs is stated in the result's ``differs`` field. Network times are
a model (rounds x RTT + bytes / bandwidth), not a measurement.
"""

from __future__ import annotations

import numpy as np

from ...data import standardized_binary_task
from .training import PlainLinearModel, SecureLinearModel, hospital_split

LECTURE_SECONDS_PER_EPOCH = {"plain": 0.009, "SecureML": 240.0, "CrypTen": 900.0}
NETWORKS = {"LAN (0.2 ms RTT, 1 Gbit/s)": (0.0002, 1e9), "WAN (70 ms RTT, 100 Mbit/s)": (0.07, 1e8)}
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
