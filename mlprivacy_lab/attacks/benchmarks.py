"""Chapter 2's benchmark: membership inference on the vulnerable MNIST target, with the API remedies."""

from __future__ import annotations

from ..benchmarking import register
from ..config import setup_torch
from .membership import MembershipExperiment, vulnerable_mnist

REMEDIES = {
    "full": {},
    "rounded_3": {"mode": "rounded", "decimals": 3},
    "rounded_2": {"mode": "rounded", "decimals": 2},
    "rounded_1": {"mode": "rounded", "decimals": 1},
    "top_3": {"mode": "top_k", "k": 3},
    "top_1": {"mode": "top_k", "k": 1},
    "label": {"mode": "label"},
}


@register("mia", "chapter 2: shadow-model, threshold and LiRA membership inference on an overfit MNIST target, "
                 "and each API remedy")
def mia_bench(quick: bool) -> dict:
    setup_torch(seed=0)
    n_targets, n_shadows = (4, 16) if quick else (16, 64)
    X, y, train_fn = vulnerable_mnist()
    experiment = MembershipExperiment.train(X, y, train_fn, n_targets, n_shadows, seed=0)
    results = {name: r.summary() for name, r in experiment.run().items()}
    remedies = {}
    for remedy, disclosure in REMEDIES.items():
        summaries = {name: r.summary() for name, r in experiment.run(**disclosure).items()} if disclosure else results
        best = max(summaries, key=lambda name: summaries[name]["auc"])
        remedies[remedy] = {"auc": summaries[best]["auc"], "best_attack": best,
                            "tpr_at_1pct_fpr": max(s["tpr_at_1pct_fpr"] for s in summaries.values())}
    threshold_tpr = results["threshold"]["tpr_at_1pct_fpr"]
    return {"pool": len(y), "members_per_target": int(experiment.targets.keep[0].sum()), "n_targets": n_targets,
            "n_shadows": n_shadows, **results,
            "lira_online_over_threshold_tpr_at_1pct": results["lira_online"]["tpr_at_1pct_fpr"] / threshold_tpr
            if threshold_tpr > 0 else None,
            "remedies": remedies}
