"""Benchmark ``private_pca`` (chapter 6): the lecture's COMPUTATION COSTS table of privacy-preserving PCA.

Quick mode runs the garbled Jacobi for the d = 8 row, full mode for the rows up to d = 14 (see
``protocols.private_pca_costs``).
"""

from __future__ import annotations

import os

from ..bench_registry import register
from ..protocols.private_pca_costs import STAND_IN, cost_table


@register("private_pca", "chapter 6: the lecture's private-PCA cost table (DO, DU add, CSP decrypt, garbled "
                         "Jacobi) on shape-matched stand-ins, 1024-bit Paillier")
def private_pca_bench(quick: bool) -> dict:
    garbled_up_to = 8 if quick else 14
    return {"stand_in": STAND_IN, "key_bits": 1024, "threads": 1,
            "parties": "all in one process (LocalEngine for the garbled part)",
            "garbled_rows_not_run": f"du_pca_gc_s, sweeps and and_gates are null beyond d={garbled_up_to}: garbled "
                                    "Jacobi costs ~d^3 per sweep and does not fit this mode's time",
            "rows": cost_table(garbled_up_to), "load_average_1min": round(os.getloadavg()[0], 2)}
