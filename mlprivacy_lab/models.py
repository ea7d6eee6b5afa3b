"""Small torch classifiers and one training loop, shared by the chapters."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from .config import device as default_device


def mlp(n_features: int, n_classes: int, hidden: Sequence[int] = (128,)) -> nn.Sequential:
    """A fully connected ReLU network: n_features -> hidden... -> n_classes logits."""
    layers: list[nn.Module] = []
    width = n_features
    for h in hidden:
        layers += [nn.Linear(width, h), nn.ReLU()]
        width = h
    layers.append(nn.Linear(width, n_classes))
    return nn.Sequential(*layers)


def small_cnn(image_shape: tuple[int, int] = (28, 28), n_classes: int = 10, channels: int = 16) -> nn.Sequential:
    """Two strided convolutions and two linear layers: the small MNIST model of Wong & Kolter (2018)."""
    h, w = image_shape
    h2, w2 = (h + 1) // 2, (w + 1) // 2
    h4, w4 = (h2 + 1) // 2, (w2 + 1) // 2
    return nn.Sequential(
        nn.Unflatten(1, (1, h, w)),
        nn.Conv2d(1, channels, 4, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(channels, 2 * channels, 4, stride=2, padding=1), nn.ReLU(),
        nn.Flatten(),
        nn.Linear(2 * channels * h4 * w4, 100), nn.ReLU(),
        nn.Linear(100, n_classes),
    )


def as_tensors(X: np.ndarray, y: np.ndarray | None = None, dev: torch.device | None = None):
    """float32 inputs (and int64 labels) as torch tensors on ``dev``."""
    Xt = torch.as_tensor(np.asarray(X, dtype=np.float32), device=dev)
    return Xt if y is None else (Xt, torch.as_tensor(np.asarray(y, dtype=np.int64), device=dev))


def train_classifier(model: nn.Module, X: np.ndarray, y: np.ndarray, *, epochs: int = 10,
                     batch_size: int = 64, lr: float = 1e-3, weight_decay: float = 0.0,
                     seed: int = 0, progress: bool = True, device: torch.device | None = None) -> nn.Module:
    """Train with Adam on cross-entropy, seeded mini-batches; returns the model in eval mode."""
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)} labels")
    if epochs < 1 or batch_size < 1:
        raise ValueError("epochs and batch_size must be positive integers")
    dev = device or default_device()
    model.to(dev).train()
    Xt, yt = as_tensors(X, y, dev)
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    loss_fn = nn.CrossEntropyLoss()
    for _ in tqdm(range(epochs), desc="training", disable=not progress, leave=False):
        order = torch.randperm(len(Xt), generator=gen).to(dev)
        for start in range(0, len(Xt), batch_size):
            idx = order[start:start + batch_size]
            opt.zero_grad()
            loss_fn(model(Xt[idx]), yt[idx]).backward()
            opt.step()
    return model.eval()


@torch.no_grad()
def predict_proba(model: nn.Module, X: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    """Softmax confidences of a torch classifier, as a numpy array (n, classes)."""
    model.eval()
    dev = next(model.parameters()).device
    Xt = as_tensors(X, dev=dev)
    out = [torch.softmax(model(Xt[i:i + batch_size]), dim=1) for i in range(0, len(Xt), batch_size)]
    return torch.cat(out).double().cpu().numpy()


def accuracy(model: nn.Module, X: np.ndarray, y: np.ndarray) -> float:
    """Fraction of rows whose arg-max confidence equals the label."""
    return float(np.mean(predict_proba(model, X).argmax(1) == np.asarray(y)))
