"""Fixtures shared by the membership-inference tests: one overfit target experiment, trained once per run."""

from __future__ import annotations

import pytest

from mlprivacy_lab.attacks import membership as mia
from mlprivacy_lab.config import setup_torch
from mlprivacy_lab.data import mnist5k_split

#: Records in the attack pool: members and non-members of the targets come from these.
POOL = 400


@pytest.fixture(scope="session")
def mnist():
    setup_torch(0)
    data = mnist5k_split()
    return data.X_train[:2 * POOL], data.y_train[:2 * POOL]


@pytest.fixture(scope="session")
def experiment(mnist):
    X, y = mnist
    train_fn = mia.mlp_train_fn(784, 10, hidden=(128,), epochs=30)
    return mia.MembershipExperiment.train(X[:POOL], y[:POOL], train_fn, n_targets=2, n_shadows=8, progress=False)
