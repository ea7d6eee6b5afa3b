"""Benchmark ``cpgan`` (chapter 8): the data behind the lecture's "comparison with previous works" figure."""

from __future__ import annotations

import time

from ..bench_registry import register
from ..compressive.evaluation import comparison_datasets, mean_guess_mse, privacy_utility_sweep
from ..config import setup_torch

LAMBDAS = (0.0, 0.1, 1.0, 10.0)


@register("cpgan", "chapter 8: utility accuracy vs intruder reconstruction MSE for CPGAN (several lambda), PCA, "
                   "random projection and noisy PCA, on a Gaussian mixture and MNIST-5k")
def cpgan_bench(quick: bool) -> dict:
    setup_torch(seed=0)
    epochs = 8 if quick else 20
    out = {"lambdas": list(LAMBDAS), "epochs": epochs,
           "note": "lecture: Gaussian mixture 20K/2K and MNIST 55K/10K; ours: mixture "
                   + ("4K/400 (quick)" if quick else "20K/2K") + ", MNIST-5k 4,000/1,000",
           "datasets": {}}
    for name, (data, k) in comparison_datasets(quick).items():
        start = time.perf_counter()
        rows = privacy_utility_sweep(data, k, LAMBDAS, epochs=epochs)
        out["datasets"][name] = {"n_train": len(data.y_train), "n_test": len(data.y_test), "n_features": data.n_features,
                                 "n_components": k, "mean_guess_mse": round(mean_guess_mse(data), 5),
                                 "seconds": round(time.perf_counter() - start, 1),
                                 "rows": [r.as_dict() for r in rows]}
    return out
