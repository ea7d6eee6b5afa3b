"""Benchmark ``smpc`` (chapter 7): time per epoch of plaintext vs secret-shared logistic regression, with the
traffic and the lecture's row (``protocols.smpc.costs``)."""

from __future__ import annotations

from ..bench_registry import register
from ..protocols.smpc.costs import epoch_costs


@register("smpc", "time per epoch: plaintext vs secret-shared logistic regression (SecureML-style), traffic")
def smpc_bench(quick: bool) -> dict:
    return epoch_costs("breast_cancer" if quick else "mnist01", epochs=2 if quick else 5)
