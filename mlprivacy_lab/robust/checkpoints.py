"""The small MNIST-5k checkpoints shipped in ``data/`` (state_dicts; see data/README.md for provenance)."""

from __future__ import annotations

import json
from pathlib import Path

import torch
from torch import nn

from ..config import device as default_device
from ..models import small_cnn

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
CHECKPOINTS = {
    "normal": "small_cnn_normal.pt",
    "pgd": "small_cnn_pgd.pt",
    "robust": "small_cnn_robust.pt",
}
# How each one was made, for error messages; data/README.md records the same commands.
COMMANDS = {
    "normal": "python -m mlprivacy_lab.robust.train --kind normal --out data/small_cnn_normal.pt",
    "pgd": "python -m mlprivacy_lab.robust.train --kind pgd --out data/small_cnn_pgd.pt",
    "robust": "python -m mlprivacy_lab.robust.train --kind robust --out data/small_cnn_robust.pt",
}


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
    """The JSON written beside a checkpoint by ``python -m mlprivacy_lab.robust.train``."""
    path = checkpoint_path(kind).with_suffix(".json")
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing; recreate it with: {COMMANDS[kind]}")
    return json.loads(path.read_text())
