"""Chapter 3's benchmark: our DP-SGD against Opacus's on the chapter's model, batches and data.

Opacus is a benchmark/test-only dependency: it is imported inside the function, never at package import.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import torch
from torch import nn

from ..bench_registry import register
from ..config import setup_torch
from ..data import mnist5k_split
from ..models import as_tensors, mlp
from ..privacy.dpsgd import DPSGD, poisson_sample

BATCH_SIZE, NOISE_MULTIPLIER, MAX_GRAD_NORM, LR, DELTA = 250, 1.0, 1.0, 0.5, 1e-5  # 4000 / 250: whole batches


def _throughput(step: Callable[[torch.Tensor, torch.Tensor], object], batches: list, warmup: int,
                dev: torch.device) -> float:
    """Samples per second of ``step`` over the batches after the first ``warmup``."""
    for X, y in batches[:warmup]:
        step(X, y)
    if dev.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for X, y in batches[warmup:]:
        step(X, y)
    if dev.type == "cuda":
        torch.cuda.synchronize()
    return sum(len(y) for _, y in batches[warmup:]) / (time.perf_counter() - start)


@register("dpsgd", "chapter 3: DP-SGD samples/s, ours (ghost norms, torch.func) vs Opacus (hooks, ghost clipping)")
def dpsgd_bench(quick: bool) -> dict:
    import warnings

    from opacus import PrivacyEngine

    dev = setup_torch(seed=0)
    data = mnist5k_split()
    n, hidden = len(data.y_train), (256,)
    q = BATCH_SIZE / n
    steps, warmup, rounds = (20, 3, 2) if quick else (60, 5, 3)
    X, y = as_tensors(data.X_train, data.y_train, dev)
    gen = torch.Generator(device=dev).manual_seed(0)
    batches = [(X[b], y[b]) for b in (poisson_sample(n, q, gen, dev) for _ in range(warmup + steps))]

    def ours(method: str) -> tuple[Callable, DPSGD]:
        torch.manual_seed(0)
        model = mlp(data.n_features, data.n_classes, hidden).to(dev)
        dp = DPSGD(model, torch.optim.SGD(model.parameters(), lr=LR), noise_multiplier=NOISE_MULTIPLIER,
                   max_grad_norm=MAX_GRAD_NORM, sample_rate=q, expected_batch_size=BATCH_SIZE, method=method)
        return dp.step, dp

    def opacus(mode: str) -> tuple[Callable, PrivacyEngine]:
        torch.manual_seed(0)
        model = mlp(data.n_features, data.n_classes, hidden).to(dev)
        engine = PrivacyEngine(accountant="rdp")
        loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=BATCH_SIZE)
        made = engine.make_private(module=model, optimizer=torch.optim.SGD(model.parameters(), lr=LR),
                                   criterion=nn.CrossEntropyLoss(), data_loader=loader,
                                   noise_multiplier=NOISE_MULTIPLIER, max_grad_norm=MAX_GRAD_NORM,
                                   poisson_sampling=True, grad_sample_mode=mode)
        private, optimizer = made[0], made[1]
        criterion = made[2] if mode == "ghost" else nn.CrossEntropyLoss()

        def step(Xb: torch.Tensor, yb: torch.Tensor) -> None:
            optimizer.zero_grad()
            criterion(private(Xb), yb).backward()
            optimizer.step()

        return step, engine

    def plain() -> tuple[Callable, None]:
        """The same model, batches and optimizer without clipping or noise: the price DP-SGD is compared to."""
        torch.manual_seed(0)
        model = mlp(data.n_features, data.n_classes, hidden).to(dev)
        optimizer = torch.optim.SGD(model.parameters(), lr=LR)

        def step(Xb: torch.Tensor, yb: torch.Tensor) -> None:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(Xb), yb).backward()
            optimizer.step()

        return step, None

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Opacus warns about secure RNG and the alpha grid
        runners = {"ours_ghost": ours("ghost"), "ours_vmap": ours("vmap"),
                   "opacus_hooks": opacus("hooks"), "opacus_ghost": opacus("ghost"), "plain_sgd": plain()}
        speeds: dict[str, list[float]] = {name: [] for name in runners}
        for _ in range(rounds):  # interleaved rounds, best of each: less exposed to other load on the machine
            for name, (step, _) in runners.items():
                speeds[name].append(_throughput(step, batches, warmup, dev))
        eps_ours = runners["ours_ghost"][1].accountant.get_epsilon(DELTA)
        eps_opacus = runners["opacus_ghost"][1].accountant.get_epsilon(DELTA)
    best = {name: max(s) for name, s in speeds.items()}
    fastest_opacus = max(("opacus_hooks", "opacus_ghost"), key=best.get)
    return {
        "device": str(dev), "model": f"mlp 784-{'-'.join(map(str, hidden))}-10", "data": "mnist5k",
        "n_train": n, "expected_batch_size": BATCH_SIZE, "sample_rate": q, "noise_multiplier": NOISE_MULTIPLIER,
        "max_grad_norm": MAX_GRAD_NORM, "timed_steps": steps, "rounds": rounds, "torch_threads": torch.get_num_threads(),
        "samples_per_s": {name: round(s, 1) for name, s in best.items()},
        "samples_per_s_each_round": {name: [round(v, 1) for v in s] for name, s in speeds.items()},
        "fastest_opacus_mode": fastest_opacus,
        "ratio_ours_to_fastest_opacus": round(best["ours_ghost"] / best[fastest_opacus], 3),
        "dp_overhead_ours": round(best["plain_sgd"] / best["ours_ghost"], 2),
        "accounted_steps": len(batches) * rounds, "delta": DELTA,
        "epsilon_ours": eps_ours, "epsilon_opacus": eps_opacus,
        "epsilon_rel_diff": abs(eps_ours - eps_opacus) / eps_opacus,
    }
