"""Fixed-point linear algebra inside a circuit: the symmetric eigen decomposition by Jacobi rotations."""

from __future__ import annotations

import numpy as np

from .values import GarbledInt, concatenate, stack, where


def round_robin(d: int) -> list[list[tuple[int, int]]]:
    """Parallel Jacobi ordering (Golub & Van Loan, *Matrix Computations*, 4th ed., §8.5.5): d−1 rounds (d if
    d is odd) of disjoint index pairs that together cover every pair once — one sweep."""
    players = list(range(d + d % 2))  # an odd d gets a dummy index, whose pairs are skipped
    rounds = []
    for _ in range(len(players) - 1):
        half = len(players) // 2
        pairs = [tuple(sorted((players[k], players[-1 - k]))) for k in range(half)]
        rounds.append([(p, q) for p, q in pairs if q < d])
        players = [players[0], players[-1], *players[1:-1]]
    return rounds


def _replace(x: GarbledInt, axis: int, index: list[int], new: list[GarbledInt]) -> GarbledInt:
    """x with the slices ``index[k]`` along ``axis`` replaced by the stacked slices ``new`` (lane gather)."""
    parts = concatenate([x, *new], axis=axis)
    order = np.arange(x.shape[axis])
    order[np.concatenate(index)] = x.shape[axis] + np.arange(sum(len(i) for i in index))
    return parts[(slice(None),) * axis + (order,)]


def jacobi_eigh(a: GarbledInt, sweeps: int = 6) -> tuple[GarbledInt, GarbledInt]:
    """Eigenvalues and eigenvectors (columns) of a symmetric fixed-point matrix, by cyclic Jacobi rotations.

    Each rotation zeroes a_pq (Golub & Van Loan, *Matrix Computations*, Alg. 8.5.1), written without a
    division by a_pq: with θ = a_qq − a_pp and n = 2a_pq,  t = tan φ = sign(θ)·n / (|θ| + √(θ² + n²)),
    c = 1/√(1 + t²), s = t·c (one two-lane division gives both). |t| ≤ 1, so every quotient keeps full
    fixed-point precision and c² + s² = 1 to a few ulps. If n = θ = 0 the division by zero gives t = 0: the
    identity rotation. A ← JᵀAJ, V ← VJ. The rotations of one round touch disjoint rows and columns and run
    as lanes of the same circuits. Entries must keep θ² + n² inside the fixed-point range.
    """
    d = a.shape[0]
    if a.shape != (d, d) or not a.frac:
        raise ValueError(f"jacobi_eigh needs a square fixed-point matrix, got shape {a.shape} with frac {a.frac}")
    v = a.engine.constant(np.eye(d), width=a.width, frac=a.frac)
    one = a.engine.constant(np.ones(d), width=a.width, frac=a.frac)
    for _ in range(sweeps):
        for pairs in round_robin(d):
            p, q = (np.array(i) for i in zip(*pairs))
            app, aqq, apq = a[p, p], a[q, q], a[p, q]
            theta, n = aqq - app, apq + apq
            t = where(theta < 0, -n, n) / (abs(theta) + (theta * theta + n * n).sqrt())  # tan φ, |t| ≤ 1
            c, s = stack([one[:len(pairs)], t]) / (t * t + 1).sqrt()
            rows = stack([a[p], a[q], a[p], a[q]]) * stack([c, s, s, c]).reshape(4, -1, 1)  # Jᵀ A
            a = _replace(a, 0, [p, q], [rows[0] - rows[1], rows[2] + rows[3]])
            cols = stack([a[:, p], a[:, q], v[:, p], v[:, q]] * 2) * stack([c, c, c, c, s, s, s, s]).reshape(8, 1, -1)
            minus = stack([cols[0], cols[2]]) - stack([cols[5], cols[7]])  # c·X_p − s·X_q for X = A, V
            plus = stack([cols[1], cols[3]]) + stack([cols[4], cols[6]])  # s·X_p + c·X_q
            a = _replace(a, 1, [p, q], [minus[0], plus[0]])  # A J
            v = _replace(v, 1, [p, q], [minus[1], plus[1]])  # V J
    return a[np.arange(d), np.arange(d)], v
