"""Benchmark ``smpc`` (chapter 7): one epoch of the lecture's 784-128-128-10 network, plaintext vs on secret
shares (one process, and two real processes), with traffic, LAN/WAN estimates and the lecture's row
(``protocols.smpc.costs.network_epoch_costs``). Quick mode: a small epoch of 512 samples, warm-started
from the plaintext reference's 60,000-sample epoch; full mode: 60,000
samples (MNIST-5k's 4,000 training digits repeated, shape-matching MNIST), the two-process run over the whole
epoch with the dealer's tapes streamed in chunks of 8 batches."""

from __future__ import annotations

from ..bench_registry import register
from ..protocols.smpc.costs import network_epoch_costs


@register("smpc", "one epoch of the 784-128-128-10 network: plaintext vs secret shares (1 and 2 processes)")
def smpc_bench(quick: bool) -> dict:
    return network_epoch_costs(512 if quick else 60_000, warm_start=quick)
