"""Robust training: minimise the robust cross-entropy of the dual bound (Wong & Kolter 2018, Eq. 14).

    min_theta  sum_i L(-J_epsilon(x_i, g_theta(e_{y_i} 1^T - I)), y_i)

with epsilon ramped up linearly from ``epsilon_start`` over the first ``warmup_epochs`` (as in the
paper's MNIST experiments) and the hidden-layer bounds estimated from random projections during
training (Wong et al., NeurIPS 2018); certificates are computed afterwards with the exact bound.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from ..config import device as default_device
from ..models import Batch, as_tensors, check_batching, descend, fit_minibatches
from .dual_network import robust_loss


def epsilon_schedule(step: int, total_warmup_steps: int, epsilon: float, epsilon_start: float) -> float:
    """Linear ramp from ``epsilon_start`` to ``epsilon`` over ``total_warmup_steps``, then constant."""
    if step >= total_warmup_steps:
        return epsilon
    return epsilon_start + (epsilon - epsilon_start) * step / total_warmup_steps


def train_robust(model: nn.Sequential, X: np.ndarray, y: np.ndarray, epsilon: float, *, epochs: int = 30,
                 warmup_epochs: int = 15, epsilon_start: float = 0.001, batch_size: int = 16, lr: float = 1e-3,
                 final_lr: float = 1e-4, projection: int | None = 25, data_range: tuple[float, float] | None = None,
                 seed: int = 0, progress: bool = True, device: torch.device | None = None,
                 on_epoch: Callable[[nn.Module, dict], None] | None = None) -> list[dict]:
    """Train ``model`` in place on the robust loss; returns one dict per epoch (epsilon, learning rate, loss,
    robust error on the training batches, wall and CPU seconds).

    Adam with learning rate ``lr`` while epsilon ramps up, then decayed geometrically to ``final_lr`` over
    the remaining epochs. ``on_epoch(model, record)`` runs after each epoch (e.g. to save a checkpoint).
    """
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)} labels")
    check_batching(epochs, batch_size)
    if not 0 <= warmup_epochs <= epochs:
        raise ValueError(f"need 0 <= warmup_epochs <= epochs ({epochs}), got warmup_epochs={warmup_epochs!r}")
    if not 0 < epsilon_start <= epsilon:
        raise ValueError(f"need 0 < epsilon_start <= epsilon, got {epsilon_start} and {epsilon}")
    dev = device or default_device()
    model.to(dev).train()
    Xt, yt = as_tensors(X, y, dev)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    steps_per_epoch = (len(Xt) + batch_size - 1) // batch_size
    warmup_steps = warmup_epochs * steps_per_epoch
    decay_epochs = max(epochs - warmup_epochs, 1)
    clock = (0.0, 0.0)  # wall and CPU time at the start of the epoch

    def start_epoch(epoch: int) -> None:
        nonlocal clock
        after = max(epoch - warmup_epochs + 1, 0)
        for group in opt.param_groups:
            group["lr"] = lr * (final_lr / lr) ** (after / decay_epochs)
        clock = (time.perf_counter(), time.process_time())

    def step(batch: Batch) -> dict[str, float]:
        eps = epsilon_schedule(batch.step, warmup_steps, epsilon, epsilon_start)
        loss, err = robust_loss(model, Xt[batch.index], yt[batch.index], eps, data_range=data_range,
                                projection=projection, seed=seed * 1_000_003 + batch.step)
        descend(opt, loss)
        return {"robust_loss": float(loss.detach()) * len(batch.index), "robust_err_train": float(err.float().sum())}

    def end_epoch(record: dict) -> None:
        last_step = record["epoch"] * steps_per_epoch - 1
        record.update(epsilon=epsilon_schedule(last_step, warmup_steps, epsilon, epsilon_start),
                      lr=opt.param_groups[0]["lr"], seconds=time.perf_counter() - clock[0],
                      cpu_seconds=time.process_time() - clock[1])
        if on_epoch is not None:
            on_epoch(model, record)

    history = fit_minibatches(step, len(Xt), epochs=epochs, batch_size=batch_size, seed=seed, device=dev,
                              progress=progress, desc="robust training", on_epoch_start=start_epoch,
                              on_epoch_end=end_epoch)
    model.eval()
    return history
