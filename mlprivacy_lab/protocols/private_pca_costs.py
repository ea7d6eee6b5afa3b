"""The lecture's COMPUTATION COSTS table of privacy-preserving PCA, row by row, beside our measurements.

The lecture's data sets (UCI Pima diabetes, Wisconsin breast cancer, Statlog Australian and German credit,
Ionosphere, SensIT Acoustic) do not ship with the lab. Each row runs on a real data set scikit-learn ships
with at least the row's d features — its first d features, divided by public per-feature units (powers of ten,
as a data dictionary would publish them) so that every |x| <= 1 — split across 3 data owners; the row names
the set it used (``data``). The Paillier key has the size the caller passes (the lecture's table used 1024
bits, which ``generate_keypair`` warns about); the garbled PCA runs at most the lecture's number of Jacobi
sweeps and stops on convergence (``sweeps`` reports how many ran). Chapter 6 and the ``private_pca``
benchmark print this table.
"""

from __future__ import annotations

import time

import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits
from sklearn.decomposition import PCA

from ..crypto.garbled import PlainEngine, jacobi_eigh
from .private_pca import (CryptoServiceProvider, DataOwner, DataUser, PrivatePCA, ShareFormat, aggregate,
                          lecture_sweeps, owner_data)

#: (data set, d, classes, avg DO s, DU collect/add s, CSP decryption s, DU PCA s, sweeps), from the lecture
#: (i5-6600K @ 3.5 GHz, 8 GB, Paillier with a 1024-bit key, one thread).
LECTURE_ROWS = [
    ("Diabetes", 8, 2, 0.63, 0.010, 0.67, 28.3, 8),
    ("Breast Cancer", 10, 2, 0.93, 0.011, 1.0, 49.6, 8),
    ("Australian", 14, 2, 1.7, 0.012, 1.8, 119.1, 8),
    ("German", 24, 2, 5.0, 0.017, 5.0, 16.3 * 60, 15),
    ("Ionosphere", 34, 2, 9.8, 0.024, 9.9, 43.2 * 60, 15),
    ("SensIT Acoustic", 50, 3, 22.5, 0.040, 22.7, 126.7 * 60, 15),
]
OWNERS = 3
#: scikit-learn's bundled sets (no download), by the number of features they offer.
_SOURCES = [("diabetes", 10, load_diabetes), ("breast_cancer", 30, load_breast_cancer), ("digits", 64, load_digits)]


def row_data(name: str, d: int) -> tuple[str, list[np.ndarray]]:
    """The data of a lecture row: scikit-learn's diabetes set for the Diabetes row, its breast-cancer set for
    the rows with d <= 30, its digits (8x8 pixels) above; first d features in public units, 3 owners."""
    source = next(s for s in _SOURCES if s[1] >= d and (name == "Diabetes") == (s[0] == "diabetes"))
    X = source[2]().data[:, :d].astype(np.float64)
    largest = np.abs(X).max(0)
    units = 10.0 ** np.ceil(np.log10(np.where(largest > 0, largest, 1.0)))
    label = (f"scikit-learn {source[0]}, first {d} of {source[1]} features / public powers of ten, "
             f"{len(X)} rows over {OWNERS} owners, in place of the lecture's {name}")
    return label, np.array_split(X / units, OWNERS)


def axis_error(pca: PrivatePCA, owners: list[np.ndarray], k: int) -> float:
    """max over the top k axes of 1 - |cos(our axis, sklearn's axis)|."""
    ref = PCA(k).fit(np.vstack(owners))
    cosines = np.abs(np.sum(pca.components_[:k] * ref.components_, axis=1))
    return float(np.abs(cosines - 1).max())


def online_add_s(owners: list[np.ndarray], csp: CryptoServiceProvider, repeats: int = 5) -> float:
    """The DU's online aggregation alone (its mask prepared offline), best of ``repeats``: a few milliseconds,
    so one run on a shared machine is mostly scheduling noise."""
    fmt = ShareFormat()
    shares = [DataOwner(X, fmt).encrypted_share(csp.public_key) for X in owners]
    best = float("inf")
    for _ in range(repeats):
        du = DataUser(fmt)
        du.prepare_mask(csp.public_key, shares[0].size)
        start = time.perf_counter()
        du.collect(shares, csp.public_key)
        best = min(best, time.perf_counter() - start)
    return best


def cost_row(name: str, d: int, garbled: bool, csp: CryptoServiceProvider, two_party: bool = True) -> dict:
    """Our numbers for one row: the Paillier stages always, the garbled PCA (two processes unless
    ``two_party=False``) only when ``garbled``; ``du_collect_add_s`` is ``online_add_s``."""
    label, owners = row_data(name, d)
    add_s = online_add_s(owners, csp)
    if not garbled:
        _, _, costs = aggregate([DataOwner(X, ShareFormat()) for X in owners], csp)
        return {"data": label, "avg_do_s": float(np.mean(costs["do_s"])),
                "du_mask_offline_s": costs["du_mask_offline_s"], "du_collect_add_s": add_s,
                "csp_decrypt_s": costs["csp_decrypt_s"], "du_pca_gc_s": None, "sweeps": None, "and_gates": None,
                "sequential_layers": None, "s_per_sweep": None, "two_party": None,
                "ciphertexts_per_owner": costs["ciphertexts_per_owner"], "top3_axis_error": None}
    pca = PrivatePCA(n_components=3, sweeps=lecture_sweeps(d), two_party=two_party).fit(owners, csp=csp)
    costs = pca.costs_
    return {"data": label, "avg_do_s": float(np.mean(costs["do_s"])),
            "du_mask_offline_s": costs["du_mask_offline_s"], "du_collect_add_s": add_s,
            "csp_decrypt_s": costs["csp_decrypt_s"], "du_pca_gc_s": costs["du_pca_gc_s"],
            "sweeps": costs["sweeps"], "and_gates": costs["and_gates"],
            "sequential_layers": costs["sequential_layers"], "s_per_sweep": costs["s_per_sweep"],
            "two_party": costs["two_party"], "ciphertexts_per_owner": costs["ciphertexts_per_owner"],
            "top3_axis_error": axis_error(pca, owners, 3)}


def cost_table(garbled_up_to: int, key_bits: int = 2048, rows_up_to: int = 50, two_party: bool = True,
               progress=None) -> list[dict]:
    """The lecture's rows with d <= ``rows_up_to`` beside ours with a ``key_bits``-bit Paillier key (pass 1024 to
    match the lecture); the garbled PCA runs for d <= ``garbled_up_to`` (else null). ``progress(row)`` is called
    after each row."""
    csp, rows = CryptoServiceProvider(key_bits), []
    for name, d, classes, do_s, add_s, dec_s, pca_s, sweeps in LECTURE_ROWS:
        if d > rows_up_to:
            continue
        ours = cost_row(name, d, d <= garbled_up_to, csp, two_party)
        rows.append({"dataset": name, "d": d, "classes": classes, "data": ours.pop("data"),
                     "lecture": {"avg_do_s": do_s, "du_collect_add_s": add_s, "csp_decrypt_s": dec_s,
                                 "du_pca_gc_s": pca_s, "sweeps": sweeps},
                     "ours": {k: (float(f"{v:.5g}") if isinstance(v, float) else v) for k, v in ours.items()}})
        if progress is not None:
            progress(rows[-1])
    return rows


DATA_NOTE = ("the lecture's data sets are not shipped: each row uses a real scikit-learn set with at least d "
             "features (its first d, in public units), named in the row's `data`")


def jacobi_and_gates(d: int, width: int = 25, frac: int = 22) -> dict:
    """Exact AND gates and sequential AND layers of one Jacobi sweep on a d x d matrix, counted on plaintext
    bits (``PlainEngine``, the same circuits): gates grow like d^3 (d - 1 rounds, each turning ~3 d^2 / 2 entries
    by the same CORDIC steps), layers like d (rounds of one fixed depth)."""
    engine = PlainEngine()
    matrix = np.cov(owner_data(d, n_samples=4 * d + 10).T)  # any matrix: the circuit does not depend on it
    jacobi_eigh(engine.input("garbler", matrix / np.trace(matrix), width=width, frac=frac), sweeps=1)
    return {"d": d, "and_gates": engine.and_gates, "sequential_layers": engine.and_layers}
