"""Benchmark ``certify`` (chapter 10): Wong & Kolter's MNIST table (epsilon = 0.1) on MNIST-5k with the shipped
checkpoints (``robust.paper_table``), and the time of a robust-training epoch."""

from __future__ import annotations

import time

import numpy as np

from ..bench_registry import register
from ..config import setup_torch
from ..data import mnist5k_split
from ..models import small_cnn
from ..robust.checkpoints import RECIPES, training_log
from ..robust.paper_table import EPSILON, PAPER_ROWS, WHY_OURS_DIFFERS, live_row, table_row, train_live_fc
from ..robust.training import train_robust


def measure_train_s_per_epoch(X: np.ndarray, y: np.ndarray, n_batches: int, batch_size: int,
                              projection: int | None) -> tuple[float, float]:
    """Time ``n_batches`` robust-training steps and scale to one epoch of ``len(X)``: (wall s, CPU s)."""
    setup_torch(seed=0)
    n = batch_size * n_batches
    start, cpu = time.perf_counter(), time.process_time()
    train_robust(small_cnn(), X[:n], y[:n], EPSILON, epochs=1, warmup_epochs=1, batch_size=batch_size,
                 projection=projection, progress=False)
    return (time.perf_counter() - start) / n * len(X), (time.process_time() - cpu) / n * len(X)


@register("certify", "chapter 10: Wong & Kolter's MNIST table at epsilon=0.1 on MNIST-5k: clean, FGSM, PGD, "
                     "certified error")
def certify_bench(quick: bool) -> dict:
    device = setup_torch(seed=0)
    data = mnist5k_split()
    n = 200 if quick else len(data.y_test)
    X, y = data.X_test[:n], data.y_test[:n]
    rows = [table_row(kind, X, y, n_bound=n if kind == "robust" else (20 if quick else 100), pgd_steps=40)
            for kind in ("normal", "pgd", "robust")]
    n_train = 1000 if quick else len(data.y_train)
    live, live_train_s = train_live_fc(data.X_train[:n_train], data.y_train[:n_train], 3 if quick else 8)
    rows.append(live_row(live, X, y, live_train_s, pgd_steps=40))
    log = training_log("robust")
    train_s, train_cpu_s = measure_train_s_per_epoch(data.X_train, data.y_train, 10 if quick else 50,
                                                     RECIPES["robust"]["batch_size"], RECIPES["robust"]["projection"])
    return {"data": "mnist5k", "epsilon": EPSILON, "device": str(device), "n_test": n, "rows": rows,
            "bound_s_per_sample": rows[2]["bound_s_per_sample"], "train_s_per_epoch": round(train_s, 1),
            "train_cpu_s_per_epoch": round(train_cpu_s, 1),
            "shipped_robust_training": {key: log[key] for key in ("command", "epochs", "batch_size", "projection",
                                                                  "train_s", "train_cpu_s")},
            "paper_rows": PAPER_ROWS, "why_ours_differs": WHY_OURS_DIFFERS}
