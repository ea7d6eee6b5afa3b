"""Two-party programs for the chapter, the benchmark and the tests, their plaintext references and the
AND-gate cost of each operation.

A program is a module-level function ``program(engine, **inputs)``: it runs unchanged on a ``LocalEngine``
(both inputs given), on a ``PlainEngine`` (plaintext reference), or split across two processes by
``run_two_party`` — there each party passes only its own input and the public sizes.
"""

from __future__ import annotations

import time

import numpy as np

from .engine import PlainEngine
from .linalg import jacobi_eigh
from .values import where


def millionaires(engine, alice=None, bob=None, width: int = 32) -> int:
    """Yao's millionaires' problem: is Alice (the garbler) richer than Bob (the evaluator)? Only the answer
    is revealed. One comparison circuit: ``width`` AND gates."""
    a = engine.input("garbler", alice, shape=(), width=width)
    b = engine.input("evaluator", bob, shape=(), width=width)
    return int(engine.reveal(a > b))


def distance(engine, alice=None, bob=None, dims: int | None = None, width: int = 32, frac: int = 16) -> float:
    """Euclidean distance between Alice's and Bob's private points (fixed-point): neither sees the other's."""
    a = engine.input("garbler", alice, shape=(dims,), width=width, frac=frac)
    b = engine.input("evaluator", bob, shape=(dims,), width=width, frac=frac)
    diff = a - b
    return float(engine.reveal((diff * diff).sum().sqrt()))


def eigen(engine, alice=None, bob=None, d: int | None = None, sweeps: int = 6, width: int = 32,
          frac: int = 16) -> dict:
    """Eigen decomposition of S = Alice's share + Bob's share of a symmetric matrix (the lecture's private-PCA
    step), by Jacobi rotations inside the garbled circuit; reveals only eigenvalues and eigenvectors."""
    a = engine.input("garbler", alice, shape=(d, d), width=width, frac=frac)
    b = engine.input("evaluator", bob, shape=(d, d), width=width, frac=frac)
    values, vectors = jacobi_eigh(a + b, sweeps=sweeps)
    return {"eigenvalues": engine.reveal(values), "eigenvectors": engine.reveal(vectors),
            "and_gates": engine.and_gates}


def fixed_point_products(engine, x=None, y=None, lanes: int | None = None, width: int = 32,
                         frac: int = 16) -> dict:
    """The benchmark workload: ``lanes`` signed fixed-point products x·y, x from the garbler and y from the
    evaluator. Times the multiplication alone (inputs and OT excluded; in two processes the evaluator, which
    finishes last, starts its clock before the garbler) and reveals the products."""
    a = engine.input("garbler", x, shape=(lanes,), width=width, frac=frac)
    b = engine.input("evaluator", y, shape=(lanes,), width=width, frac=frac)
    engine.reveal(engine.constant(0, width=1, signed=False))  # a round trip: both parties start together
    gates, wall, cpu = engine.and_gates, time.perf_counter(), time.process_time()
    product = a * b
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"seconds": wall, "cpu_seconds": cpu, "and_gates": engine.and_gates - gates,
            "products": np.asarray(engine.reveal(product))}


def fixed_point_product_reference(x: np.ndarray, y: np.ndarray, frac: int = 16) -> np.ndarray:
    """numpy's int64 fixed-point product ⌊x·y·2^frac⌋ / 2^frac of the rounded inputs: what
    ``fixed_point_products`` must reveal (the circuit's documented semantics)."""
    product = np.rint(np.asarray(x) * 2 ** frac).astype(np.int64) * np.rint(np.asarray(y) * 2 ** frac).astype(np.int64)
    return (product >> frac) / 2 ** frac


def private_pca(engine, alice=None, bob=None, d: int | None = None, sweeps: int = 6, width: int = 32,
                frac: int = 16) -> dict:
    """The lecture's distributed PCA, principal-axis step: each data owner ℓ holds its share R_ℓ/N = Σ x xᵀ/N
    and v_ℓ/N = Σ x/N (N, the total count, public); the circuit adds the shares, forms the covariance
    C = R/N − (v/N)(v/N)ᵀ and runs Jacobi rotations on it. Only eigenvalues and eigenvectors come out.
    The full protocol (Paillier-masked input, N private, padded outputs) is ``protocols.private_pca.masked_pca``."""
    r = [engine.input(owner, None if share is None else share["R"], shape=(d, d), width=width, frac=frac)
         for owner, share in (("garbler", alice), ("evaluator", bob))]
    v = [engine.input(owner, None if share is None else share["v"], shape=(d,), width=width, frac=frac)
         for owner, share in (("garbler", alice), ("evaluator", bob))]
    mean = v[0] + v[1]
    cov = r[0] + r[1] - mean.reshape(d, 1) * mean.reshape(1, d)
    values, vectors = jacobi_eigh(cov, sweeps=sweeps)
    return {"eigenvalues": engine.reveal(values), "eigenvectors": engine.reveal(vectors),
            "and_gates": engine.and_gates}


def and_gate_counts(width: int = 32, frac: int = 16) -> dict[str, int]:
    """Exact AND gates of each library operation on one lane, counted by the plaintext engine."""
    ops = {
        "add": lambda x, y, b: x + y, "sub": lambda x, y, b: x - y, "neg": lambda x, y, b: -x,
        "less_than": lambda x, y, b: x < y, "equal": lambda x, y, b: x == y,
        "mux": lambda x, y, b: where(b, x, y), "abs": lambda x, y, b: abs(x),
        "mul_int": lambda x, y, b: x * y, "div_int": lambda x, y, b: x / y, "sqrt_int": lambda x, y, b: x.sqrt(),
    }
    counts = {}
    for fmt, f in (("", 0), ("fixed_", frac)):
        engine = PlainEngine()
        x = engine.input("garbler", 3, width=width, frac=f)
        y = engine.input("evaluator", 2, width=width, frac=f)
        bit = x < y
        for name, op in ops.items():
            if f and name not in ("mul_int", "div_int", "sqrt_int"):
                continue
            before = engine.and_gates
            op(x, y, bit)
            counts[(fmt + name).replace("fixed_mul_int", "fixed_mul").replace("fixed_div_int", "fixed_div")
                   .replace("fixed_sqrt_int", "fixed_sqrt")] = engine.and_gates - before
    return counts
