"""Chapter 8's benchmark: the data behind the lecture's "comparison with previous works" figure."""

from __future__ import annotations

import time

from ..benchmarking import register
from ..config import setup_torch
from ..data import load_dataset, make_gaussian_mixture
from .evaluation import mean_guess_mse, privacy_utility_sweep

LAMBDAS = (0.0, 0.1, 1.0, 10.0)


def benchmark_data(quick: bool) -> dict:
    """The two benchmark sets: the binary Gaussian mixture (lecture: 20K/2K) and MNIST-5k (lecture: 55K/10K)."""
    n_train, n_test = (4000, 400) if quick else (20000, 2000)
    mixture = make_gaussian_mixture(n_train + n_test, n_features=10, components_per_class=2, test_size=n_test,
                                    seed=0)
    return {"gaussian_mixture": (mixture, 2), "mnist5k": (load_dataset("mnist5k", test_size=1000, seed=0), 16)}


@register("cpgan", "chapter 8: utility accuracy vs intruder reconstruction MSE for CPGAN (several lambda), PCA, "
                   "random projection and noisy PCA, on a Gaussian mixture and MNIST-5k")
def cpgan_bench(quick: bool) -> dict:
    setup_torch(seed=0)
    epochs = 8 if quick else 20
    out = {"lambdas": list(LAMBDAS), "epochs": epochs,
           "note": "lecture: Gaussian mixture 20K/2K and MNIST 55K/10K; ours: mixture "
                   + ("4K/400 (quick)" if quick else "20K/2K") + ", MNIST-5k 4,000/1,000",
           "datasets": {}}
    for name, (data, k) in benchmark_data(quick).items():
        start = time.perf_counter()
        rows = privacy_utility_sweep(data, k, LAMBDAS, epochs=epochs)
        out["datasets"][name] = {"n_train": len(data.y_train), "n_test": len(data.y_test), "n_features": data.n_features,
                                 "n_components": k, "mean_guess_mse": round(mean_guess_mse(data), 5),
                                 "seconds": round(time.perf_counter() - start, 1),
                                 "rows": [r.as_dict() for r in rows]}
    return out
