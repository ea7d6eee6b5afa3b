"""The book's closing table (chapter 11): each method's guarantee, its measured cost and what still leaks,
filled from the benchmarks' JSON, run now or read from the copies in ``data/benchmarks/``.

The benchmarks are leaves, so this module never imports one: it runs ``python -m mlprivacy_lab bench NAME
--json`` in a subprocess, or reads the JSON that command wrote (``data/README.md`` gives the command).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .protocols.private_pca import owner_data, pca_share
from .robust.checkpoints import training_log

CACHE = Path(__file__).resolve().parents[1] / "data" / "benchmarks"
BENCHMARKS = ("pipeline", "mia", "dpsgd", "paillier", "gc", "private_pca", "smpc", "cpgan", "certify")
#: How much a method proves, weakest first: the y axis of the cost-against-protection figure.
PROTECTION_LEVELS = ("hides part of the output", "measured against the attacks we ran", "provable bound",
                     "cryptographic (nothing but the output)")


@dataclass(frozen=True)
class BenchmarkResult:
    """One benchmark's JSON and where it came from (``source``: "run now" or the cached file's path)."""

    name: str
    data: dict
    source: str

    @property
    def mode(self) -> str:
        return "quick" if self.data.get("quick") else "full"


def run_benchmark(name: str, quick: bool = True, timeout_s: float = 1800) -> BenchmarkResult:
    """Run one benchmark through the command line and parse its JSON (a clear error if it fails)."""
    command = [sys.executable, "-m", "mlprivacy_lab", "bench", name, "--json"] + (["--quick"] if quick else [])
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired as err:
        raise TimeoutError(f"bench {name} ran past {timeout_s:.0f} s; read the cached copy instead "
                           f"(load_results(run=False))") from err
    if done.returncode != 0:
        raise RuntimeError(f"bench {name} failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
    return BenchmarkResult(name, json.loads(done.stdout), "run now")


def cached_benchmark(name: str, cache: Path = CACHE) -> BenchmarkResult:
    """The JSON of ``bench NAME`` saved under ``data/benchmarks/``; a clear error if it is missing."""
    path = cache / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(f"no cached result {path}: make it with `python -m mlprivacy_lab bench {name} "
                                f"--json > {path}`, or pass run=True")
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("benchmark") != name:
        raise ValueError(f"{path} holds the result of bench {data.get('benchmark')!r}, not {name!r}")
    return BenchmarkResult(name, data, str(path.relative_to(cache.parents[1])))


def load_results(run: bool = False, names: tuple[str, ...] = BENCHMARKS, quick: bool = True
                 ) -> dict[str, BenchmarkResult]:
    """Every benchmark the table needs: run now (``run=True``) or read from the cache."""
    return {name: run_benchmark(name, quick) if run else cached_benchmark(name) for name in names}


@dataclass(frozen=True)
class Method:
    """One row of the closing table. ``measure`` reads the benchmarks and returns the overhead factor
    (compute time relative to the unprotected computation, 1 = free) and two sentences: the measured cost
    and the measured protection."""

    name: str
    chapters: str
    threat: str
    guarantee: str
    level: int
    leaks: str
    measure: Callable[[dict[str, dict]], tuple[float, str, str]]


def _best_seconds(job: Callable[[], object], repeats: int = 20) -> float:
    """The unprotected job's time, measured here now (best of ``repeats``) when a benchmark did not record it."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        job()
        best = min(best, time.perf_counter() - start)
    return best


def _largest_pca_row(r: dict[str, dict]) -> dict:
    return max((row for row in r["private_pca"]["rows"] if row["ours"].get("du_pca_gc_s")), key=lambda row: row["d"])


def _remedies(r: dict[str, dict]) -> tuple[float, str, str]:
    remedies = r["mia"]["remedies"]
    full, label = remedies["full"]["auc"], remedies["label"]["auc"]
    return 1.0, "none: the API only says less", \
        f"best membership AUC {full:.3f} with full confidences, {label:.3f} with the label only"


def _dpsgd(r: dict[str, dict]) -> tuple[float, str, str]:
    dp = r["dpsgd"]
    return dp["dp_overhead_ours"], f"{dp['dp_overhead_ours']:.1f}x the time of plain SGD per step " \
                                   f"({dp['model']}), plus accuracy", \
        f"epsilon = {dp['epsilon_ours']:.2f} at delta = {dp['delta']:g} for the benchmark's steps"


def _paillier(r: dict[str, dict]) -> tuple[float, str, str]:
    row = _largest_pca_row(r)
    ours = row["ours"]
    protected = ours["avg_do_s"] + ours["du_collect_add_s"] + ours["csp_decrypt_s"]
    X = owner_data(row["d"])
    plain = _best_seconds(lambda: pca_share(X) + pca_share(X))
    return protected / plain, f"{protected * 1e3:.1f} ms per owner at d = {row['d']} (encrypt, add, decrypt; " \
                              f"{r['private_pca']['key_bits']}-bit key) against {plain * 1e6:.0f} us in the clear", \
        "the data user and the crypto service provider see only ciphertexts and masked values"


def _garbled(r: dict[str, dict]) -> tuple[float, str, str]:
    row = _largest_pca_row(r)
    seconds = row["ours"]["du_pca_gc_s"]
    S = np.cov(owner_data(row["d"]).T)
    plain = _best_seconds(lambda: np.linalg.eigh(S))
    return seconds / plain, f"{seconds:.1f} s for the garbled eigendecomposition at d = {row['d']} (two processes) " \
                            f"against {plain * 1e6:.0f} us for numpy; {r['gc']['bytes_per_and']:.0f} bytes per AND", \
        "each party learns the output only (semi-honest)"


def _sharing(r: dict[str, dict]) -> tuple[float, str, str]:
    smpc = r["smpc"]
    ratio = smpc["compute_ratio"]
    return ratio, f"{ratio:.0f}x plain compute per epoch ({smpc['network']}), plus " \
                  f"{smpc['bytes_per_party_per_epoch'] / 1e9:.1f} GB per party", \
        f"accuracy {smpc['secure_accuracy']:.3f} on shares vs {smpc['plain_accuracy']:.3f} in the clear"


def _cpgan(r: dict[str, dict]) -> tuple[float, str, str]:
    rows = r["cpgan"]["datasets"]["mnist5k"]["rows"]
    dnn = next(row for row in rows if row["method"].startswith("DNN"))
    best = max((row for row in rows if row["method"].startswith("CPGAN")), key=lambda row: row["utility_accuracy"])
    return 1.0, f"one forward pass per release; utility {best['utility_accuracy']:.3f} vs " \
                f"{dnn['utility_accuracy']:.3f} unprotected", \
        f"best intruder's MSE {best['intruder_mse']:.3f} (lambda = {best['lam']:g})"


def _certified(r: dict[str, dict]) -> tuple[float, str, str]:
    rows = {row["model"]: row for row in r["certify"]["rows"]}
    robust, normal = rows["robust"], rows["normal"]
    logs = {kind: training_log(kind) for kind in ("robust", "normal")}
    per_epoch = {kind: log["train_cpu_s"] / log["epochs"] for kind, log in logs.items()}
    overhead = per_epoch["robust"] / per_epoch["normal"]
    return overhead, f"{overhead:.0f}x the CPU time per epoch of normal training (shipped logs); clean error " \
                     f"{robust['clean_err']:.3f} vs {normal['clean_err']:.3f}", \
        f"certified error {robust['bound_err']:.3f} at epsilon = {r['certify']['epsilon']:g}"


METHODS = (
    Method("Rounding, top-k, label only", "1-2", "model inversion, membership inference", "none: fewer bits per "
           "answer", 0, "the label itself: label-only attacks still infer membership", _remedies),
    Method("DP-SGD", "3", "membership inference, any attack on the trained model",
           "(epsilon, delta)-DP: membership advantage at most e^epsilon - 1 + delta", 2,
           "aggregate statistics, by design; nothing for large epsilon", _dpsgd),
    Method("Paillier (additive HE)", "4, 6", "a data user who aggregates the owners' data",
           "semantic security (decisional composite residuosity)", 3,
           "the decrypted result, to whoever holds the key", _paillier),
    Method("Garbled circuits", "5, 6", "two parties who must compute a joint function",
           "semi-honest security: each party learns the output only", 3,
           "the output, and the circuit's size", _garbled),
    Method("Secret sharing (SMPC)", "7", "servers that train on the owners' data",
           "information-theoretic privacy of non-colluding parties", 3,
           "the trained model; everything if the parties collude", _sharing),
    Method("CPGAN (compressive privacy)", "8", "an intruder who reconstructs data from a release",
           "empirical: the best intruder we trained reconstructs badly", 1,
           "whatever an intruder stronger than ours can recover", _cpgan),
    Method("Certified training", "10", "adversarial examples within epsilon",
           "a proof per input that no l_inf perturbation within epsilon changes the label", 2,
           "nothing about privacy; inputs outside the ball", _certified),
)


def synthesis_table(results: dict[str, BenchmarkResult]) -> list[dict]:
    """One dict per method: its guarantee, measured cost and protection, what leaks, and the sources read."""
    data = {name: result.data for name, result in results.items()}
    rows = []
    for method in METHODS:
        overhead, cost, protection = method.measure(data)
        rows.append({"method": method.name, "chapters": method.chapters, "threat": method.threat,
                     "guarantee": method.guarantee, "level": PROTECTION_LEVELS[method.level],
                     "overhead": overhead, "cost": cost, "protection": protection, "still_leaks": method.leaks})
    return rows


def table_markdown(rows: list[dict]) -> str:
    """The closing table as Markdown (for ``IPython.display.Markdown``)."""
    columns = ("method", "chapters", "guarantee", "cost", "protection", "still_leaks")
    lines = ["| " + " | ".join(c.replace("_", " ") for c in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(row[c]).replace("|", "/") for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def plot_cost_against_protection(rows: list[dict], ax=None):
    """Each method at (measured overhead, level of protection): log x axis, the levels as rows."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(11, 5.5))
    for row in rows:
        level = PROTECTION_LEVELS.index(row["level"])
        ax.scatter(row["overhead"], level, s=160, zorder=3)
        ax.annotate(row["method"], (row["overhead"], level), xytext=(8, 8), textcoords="offset points", fontsize=12)
    ax.set(xscale="log", xlabel="measured overhead (x the unprotected job's time)",
           yticks=range(len(PROTECTION_LEVELS)), yticklabels=PROTECTION_LEVELS,
           ylim=(-0.5, len(PROTECTION_LEVELS) - 0.3), title="What protection costs, measured by the book's benchmarks")
    ax.grid(True, which="major", alpha=0.3)
    return ax
