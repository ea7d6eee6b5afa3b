"""Benchmark ``private_pca`` (chapter 6): the lecture's COMPUTATION COSTS table of privacy-preserving PCA.

Quick mode runs the garbled Jacobi for the d = 8 row, full mode for the rows up to d = 14 (see
``protocols.private_pca_costs``). The CSP's key has the lecture's 1024 bits, asked for explicitly; the
``InsecureKeyWarning`` this gets (NIST SP 800-57) goes into the result as ``key_warning``, not stderr.
"""

from __future__ import annotations

import os
import warnings

from ..bench_registry import register
from ..crypto.paillier import InsecureKeyWarning
from ..protocols.private_pca_costs import STAND_IN, cost_table

KEY_BITS = 1024  # the lecture's cost table


@register("private_pca", "chapter 6: the lecture's private-PCA cost table (DO, DU add, CSP decrypt, garbled "
                         "Jacobi) on shape-matched stand-ins, 1024-bit Paillier")
def private_pca_bench(quick: bool) -> dict:
    garbled_up_to = 8 if quick else 14
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InsecureKeyWarning)
        rows = cost_table(garbled_up_to, key_bits=KEY_BITS)
    return {"stand_in": STAND_IN, "key_bits": KEY_BITS, "threads": 1,
            "key_warning": " ".join(str(w.message) for w in caught if issubclass(w.category, InsecureKeyWarning)),
            "parties": "all in one process (LocalEngine for the garbled part)",
            "garbled_rows_not_run": f"du_pca_gc_s, sweeps and and_gates are null beyond d={garbled_up_to}: garbled "
                                    "Jacobi costs ~d^3 per sweep and does not fit this mode's time",
            "rows": rows, "load_average_1min": round(os.getloadavg()[0], 2)}
