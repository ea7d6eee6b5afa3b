"""Run mode, seeding and device selection shared by notebooks, tests and benchmarks."""

from __future__ import annotations

import os
import random
from typing import TypeVar

import numpy as np

T = TypeVar("T")

QUICK_ENV = "MLPRIVACY_LAB_QUICK"


def is_quick() -> bool:
    """True when ``MLPRIVACY_LAB_QUICK=1`` (set by the tests): small, fast runs."""
    return os.environ.get(QUICK_ENV, "0").strip().lower() in {"1", "true", "yes"}


def pick(quick: T, full: T) -> T:
    """Return ``quick`` in quick mode and ``full`` otherwise."""
    return quick if is_quick() else full


def mode_banner() -> str:
    """One line that says which mode this run is in; notebooks print it first."""
    if is_quick():
        return f"QUICK mode ({QUICK_ENV}=1): smaller data and fewer epochs, for tests and CI."
    return f"FULL mode: the chapter's real sizes (set {QUICK_ENV}=1 for a fast run)."


def seed_everything(seed: int = 0) -> None:
    """Seed Python, numpy and torch for re-runnable experiments (never used for crypto)."""
    random.seed(seed)
    np.random.seed(seed)
    import torch

    torch.manual_seed(seed)


def setup_torch(seed: int = 0, threads: int = 1) -> "torch.device":  # noqa: F821
    """Seed torch, limit its threads (small models on 2 cores run far faster on one) and pick a device."""
    import torch

    torch.set_num_threads(threads)
    seed_everything(seed)
    return device()


def device() -> "torch.device":  # noqa: F821
    """The CUDA device when torch sees one, else the CPU; nothing in the lab requires a GPU."""
    import torch

    return torch.device("cuda" if torch.cuda.is_available() else "cpu")
