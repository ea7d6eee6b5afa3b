"""Benchmark ``mia`` (chapter 2): membership inference on the vulnerable MNIST target, with the API remedies."""

from __future__ import annotations

import time

from ..api import remedies
from ..attacks.label_only import LabelOnlyAttack, queries_per_record
from ..attacks.membership import MembershipExperiment, best_attack, vulnerable_mnist
from ..bench_registry import register
from ..config import setup_torch


@register("mia", "chapter 2: shadow-model, threshold and LiRA membership inference on an overfit MNIST target, "
                 "each API remedy, and the label-only attack (Choquette-Choo et al. 2021)")
def mia_bench(quick: bool) -> dict:
    setup_torch(seed=0)
    n_targets, n_shadows = (4, 16) if quick else (16, 64)
    X, y, train_fn = vulnerable_mnist()
    experiment = MembershipExperiment.train(X, y, train_fn, n_targets, n_shadows, seed=0)
    results = {name: r.summary() for name, r in experiment.run().items()}
    start = time.perf_counter()
    label_only_result = LabelOnlyAttack().run(experiment)
    label_only = {key: label_only_result.summary()[key] for key in ("auc", "advantage", "tpr_at_1pct_fpr")}
    label_only.update(queries_per_record=queries_per_record(label_only_result, experiment),
                      seconds=time.perf_counter() - start)
    by_remedy = {}
    for remedy, disclosure in remedies().items():
        summaries = {name: r.summary() for name, r in experiment.run(**disclosure).items()} if disclosure else results
        if disclosure.get("mode") == "label":
            summaries["label_only"] = label_only
        best, auc = best_attack(summaries)
        by_remedy[remedy] = {"auc": auc, "best_attack": best,
                             "tpr_at_1pct_fpr": max(s["tpr_at_1pct_fpr"] for s in summaries.values())}
    threshold_tpr = results["threshold"]["tpr_at_1pct_fpr"]
    return {"pool": len(y), "members_per_target": int(experiment.targets.keep[0].sum()), "n_targets": n_targets,
            "n_shadows": n_shadows, **results,
            "lira_online_over_threshold_tpr_at_1pct": results["lira_online"]["tpr_at_1pct_fpr"] / threshold_tpr
            if threshold_tpr > 0 else None,
            "label_only": label_only, "remedies": by_remedy}
