"""The small MNIST-5k checkpoints shipped in ``data/``: their recipes and loader (provenance in data/README.md).

``python -m mlprivacy_lab.robust.make_checkpoints`` trains them from ``RECIPES``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..attacks.adversarial import adversarial_train
from ..config import device as default_device
from ..models import small_cnn, train_classifier
from .training import train_robust

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
CHECKPOINTS = {
    "normal": "small_cnn_normal.pt",
    "pgd": "small_cnn_pgd.pt",
    "robust": "small_cnn_robust.pt",
}
# How each checkpoint is trained: ``small_cnn()`` on the 4,000 training digits of ``mnist5k_split()``, with
# these keyword arguments of its trainer: ``models.train_classifier`` (normal, cross-entropy),
# ``attacks.adversarial.adversarial_train`` (pgd: Madry et al. 2018) and ``robust.training.train_robust``
# (robust: the dual-bound robust loss of Wong & Kolter 2018, Cauchy random projections while training).
RECIPES: dict[str, dict] = {
    "normal": {"epochs": 20, "batch_size": 32, "lr": 1e-3, "seed": 0},
    "pgd": {"epsilon": 0.1, "attack": "pgd", "norm": "inf", "steps": 7, "epochs": 10, "batch_size": 50, "lr": 1e-3,
            "seed": 0},
    "robust": {"epsilon": 0.1, "epsilon_start": 0.001, "warmup_epochs": 15, "epochs": 30, "batch_size": 16,
               "lr": 1e-3, "final_lr": 1e-4, "projection": 25, "data_range": None, "seed": 0},
}
# The trainer each recipe's keyword arguments go to.
TRAINERS = {"normal": train_classifier, "pgd": adversarial_train, "robust": train_robust}
# The command that recreates each checkpoint from its recipe (data/README.md gives the same).
COMMANDS = {kind: f"python -m mlprivacy_lab.robust.make_checkpoints --kind {kind} --out data/{name}"
            for kind, name in CHECKPOINTS.items()}


def checkpoint_path(kind: str) -> Path:
    if kind not in CHECKPOINTS:
        raise ValueError(f"unknown checkpoint {kind!r}; choose one of {', '.join(CHECKPOINTS)}")
    return DATA_DIR / CHECKPOINTS[kind]


def load_small_cnn(kind: str, device: torch.device | None = None) -> nn.Sequential:
    """``small_cnn()`` with the shipped weights of ``kind`` (normal, pgd or robust), in eval mode."""
    path = checkpoint_path(kind)
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing; recreate it with: {COMMANDS[kind]}")
    model = small_cnn()
    model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    return model.to(device or default_device()).eval()


def training_log(kind: str) -> dict:
    """The JSON log written beside a checkpoint when it was trained: command, recipe, per-epoch records, times.

    The shipped logs name the command by its former module, ``mlprivacy_lab.robust.train``.
    """
    path = checkpoint_path(kind).with_suffix(".json")
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing; recreate it with: {COMMANDS[kind]}")
    return json.loads(path.read_text())


def shipped_or_retrained(kind: str, X: np.ndarray, y: np.ndarray, *, retrain: bool,
                         device: torch.device | None = None) -> tuple[nn.Sequential, str]:
    """The shipped ``kind`` checkpoint, or (``retrain``) a fresh ``small_cnn()`` trained on ``(X, y)`` with
    ``RECIPES[kind]``; with a sentence that says which, for the chapter to print."""
    if not retrain:
        return load_small_cnn(kind, device), f"loaded the shipped checkpoint {CHECKPOINTS[kind]}"
    model = small_cnn()
    TRAINERS[kind](model, X, y, **RECIPES[kind], device=device or default_device())
    return model.eval(), f"trained small_cnn with the shipped checkpoint's recipe {RECIPES[kind]}"
