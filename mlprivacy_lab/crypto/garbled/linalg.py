"""Fixed-point linear algebra inside a circuit: the symmetric eigen decomposition by Jacobi rotations.

The circuit is latency-bound at small d (a round of rotations has only d/2 lanes), so every step uses the
log-depth circuits of ``circuits.py`` (prefix adders, a division that runs only the quotient bits its public
bound allows) and batches all products of a round into two multiplications; at large d it is gate-bound, so a
round updates only the upper triangle of A (mirrored) and V's two columns per pair: 4d² products a round
instead of 6d².
"""

from __future__ import annotations

from functools import partial

import numpy as np

from . import circuits as C
from .values import GarbledInt, concatenate, stack


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


# --- log-depth fixed-point steps on GarbledInt ---------------------------------------------------------

def _flat(values: list[GarbledInt]) -> tuple[GarbledInt, list[tuple[int, ...]]]:
    return concatenate([v.reshape(-1) for v in values]), [v.shape for v in values]


def _split(flat: GarbledInt, shapes: list[tuple[int, ...]]) -> list[GarbledInt]:
    out, at = [], 0
    for shape in shapes:
        size = int(np.prod(shape, dtype=np.int64))
        out.append(flat[at:at + size].reshape(shape))
        at += size
    return out


def _products(pairs: list[tuple[GarbledInt, GarbledInt]]) -> list[GarbledInt]:
    """Fixed-point products x·y of every pair (broadcast), as one multiplication over all their lanes."""
    shaped = [(x.broadcast_to(s), y.broadcast_to(s)) for x, y in pairs
              for s in [np.broadcast_shapes(x.shape, y.shape)]]
    xs, shapes = _flat([x for x, _ in shaped])
    ys, _ = _flat([y for _, y in shaped])
    raw = xs._blocked(partial(C.multiply_log, signed=True), xs.wires, ys.wires)
    return _split(xs._like(raw[xs.frac:xs.frac + xs.width]), shapes)


def _sums(terms: list[tuple[GarbledInt, GarbledInt, bool]]) -> list[GarbledInt]:
    """x + y or x − y (``subtract``) for every term, as one log-depth addition over all their lanes."""
    shaped = [(x.broadcast_to(s), y.broadcast_to(s), neg) for x, y, neg in terms
              for s in [np.broadcast_shapes(x.shape, y.shape)]]
    xs, shapes = _flat([x for x, _, _ in shaped])
    ys, _ = _flat([y for _, y, _ in shaped])
    e = xs.engine
    neg = e.const(np.concatenate([np.full(x.shape, n, dtype=np.uint8).reshape(-1) for x, _, n in shaped]))
    return _split(xs._like(C.add_log(e, xs.wires, e.xor(ys.wires, neg[None]), carry_in=neg)), shapes)


def _negate_if(x: GarbledInt, bit: GarbledInt) -> GarbledInt:
    return x._like(C.negate_if_log(x.engine, x.wires, bit.wires[0]))


def _sign(x: GarbledInt) -> GarbledInt:
    return GarbledInt(x.engine, x.wires[-1:], signed=False, frac=0)


def _rotation(a: GarbledInt, p: np.ndarray, q: np.ndarray, one: GarbledInt):
    """c, s and t = tan φ of the rotations that zero a_pq for the disjoint pairs (p, q) of a round.

    With θ = a_qq − a_pp and n = 2a_pq: t = sign(θ)·|n| / (|θ| + max(√(θ² + n²), |n|) + 2^−frac),
    c = 1/√(1 + t²), s = t·c (Golub & Van Loan, Alg. 8.5.1, written without a division by a_pq). The max
    and the one-ulp term keep |t| < 1 in fixed point (the rounded root may fall below |n|, and θ = n = 0
    gives t = 0: the identity rotation), so both divisions run only frac + 1 quotient bits."""
    e, frac = a.engine, a.frac
    app, aqq, apq = a[p, p], a[q, q], a[p, q]
    theta, n = _sums([(aqq, app, True), (apq, apq, False)])
    sq_theta, sq_n = _products([(theta, theta), (n, n)])
    signs = stack([_sign(theta), _sign(n)])
    magnitude = _negate_if(stack([theta, n]), signs)
    abs_theta, abs_n = magnitude[0], magnitude[1]
    root = _sums([(sq_theta, sq_n, False)])[0]
    root = root._like(C.square_root_log(e, root.wires, frac, True))
    root = root._like(C.mux(e, C.less_than_log(e, root.wires, abs_n.wires, True), abs_n.wires, root.wires))
    denominator = abs_theta._like(C.add_log(e, abs_theta.wires, root.wires,
                                            carry_in=C.const_bits(e, 1, 1, root.wires)[0]))
    t = abs_n._like(C.divide_bounded(e, abs_n.wires, denominator.wires, frac, frac + 1, signed=False))
    t = _negate_if(t, GarbledInt(e, e.xor(signs.wires[:, 0], signs.wires[:, 1]), signed=False))
    (tt,) = _products([(t, t)])
    h = _sums([(tt, one[:len(p)], False)])[0]
    h = h._like(C.square_root_log(e, h.wires, frac, True))
    both = stack([one[:len(p)], t])
    cs = both._like(C.divide_bounded(e, both.wires, h.broadcast_to(both.shape).wires, frac, frac + 1, True))
    return cs[0], cs[1], t


def _round(a: GarbledInt, v: GarbledInt, pairs: list[tuple[int, int]], one: GarbledInt, zero: GarbledInt):
    """One round of disjoint rotations: A ← JᵀAJ, V ← VJ.

    A's diagonal 2×2 blocks take the closed form a'_pp = a_pp − t·a_pq, a'_qq = a_qq + t·a_pq, a'_pq = 0
    (Golub & Van Loan, §8.5.2); each off-diagonal block (P, Q), P < Q, becomes J_Pᵀ A_PQ J_Q and its mirror
    A_QP the transpose. All products of a step are one multiplication, all sums one addition."""
    d, m = a.shape[0], len(pairs)
    p, q = (np.array(i) for i in zip(*pairs))
    c, s, t = _rotation(a, p, q, one)
    bi, bj = np.triu_indices(m, 1)
    cols = np.stack([p[bj], q[bj]], axis=1)
    mp, mq = a[p[bi][:, None], cols], a[q[bi][:, None], cols]
    c1, s1 = c[bi].reshape(-1, 1), s[bi].reshape(-1, 1)
    vp, vq = v[:, p], v[:, q]
    x = _products([(a[p, q], t), (mp, c1), (mq, s1), (mp, s1), (mq, c1), (vp, c), (vq, s), (vp, s), (vq, c)])
    diag_p, diag_q, bp, bq, vp, vq = _sums([(a[p, p], x[0], True), (a[q, q], x[0], False), (x[1], x[2], True),
                                             (x[3], x[4], False), (x[5], x[6], True), (x[7], x[8], False)])
    v = _replace(v, 1, [p, q], [vp, vq])  # V J
    x0, x1 = stack([bp[:, 0], bq[:, 0]]), stack([bp[:, 1], bq[:, 1]])  # columns p_Q and q_Q of Jᵀ A
    c2, s2 = c[bj], s[bj]
    y = _products([(x0, c2), (x1, s2), (x0, s2), (x1, c2)])
    col_p, col_q = _sums([(y[0], y[1], True), (y[2], y[3], False)])
    parts = concatenate([diag_p, diag_q, zero, col_p.reshape(-1), col_q.reshape(-1)])
    index = np.empty((d, d), dtype=np.int64)
    index[p, p], index[q, q], index[p, q], index[q, p] = np.arange(m), m + np.arange(m), 2 * m, 2 * m
    nb, base = len(bi), 2 * m + 1
    for k, (rows, cols_) in enumerate(((p[bi], p[bj]), (q[bi], p[bj]), (p[bi], q[bj]), (q[bi], q[bj]))):
        index[rows, cols_] = index[cols_, rows] = base + k * nb + np.arange(nb)
    return parts[index], v


def _padded(a: GarbledInt) -> GarbledInt:
    """An odd-sized matrix bordered by a zero row and column: the border's pivots are exactly 0, so its
    rotations are exactly the identity and the other eigenpairs are unchanged."""
    d = a.shape[0]
    zeros = a.engine.constant(np.zeros((d, 1)), width=a.width, frac=a.frac)
    return concatenate([concatenate([a, zeros], axis=1),
                        a.engine.constant(np.zeros((1, d + 1)), width=a.width, frac=a.frac)], axis=0)


def _converged(a: GarbledInt, tol: float) -> bool:
    """Opens one bit to both parties: is every off-diagonal |a_ij| < tol?"""
    e, d = a.engine, a.shape[0]
    rows, cols = np.triu_indices(d, 1)
    off = a[rows, cols]
    bound = e.constant(np.array([np.full(len(rows), tol), np.full(len(rows), -tol)]), width=a.width, frac=a.frac)
    small = C.less_than_log(e, stack([off, bound[1]]).wires, stack([bound[0], off]).wires, True)  # −tol < a_ij < tol
    every = C.all_ones(e, small.reshape(-1, *small.shape[2:]))
    return bool(e.reveal(GarbledInt(e, every[None], signed=False)))


def jacobi_eigh(a: GarbledInt, sweeps: int = 6) -> tuple[GarbledInt, GarbledInt]:
    """Eigenvalues and eigenvectors (columns) of a symmetric fixed-point matrix, by ``sweeps`` cyclic sweeps of
    parallel Jacobi rotations (Golub & Van Loan, *Matrix Computations*, Alg. 8.5.1 and §8.5.5): each round's
    rotations touch disjoint rows and columns and run as lanes of the same circuits (``_round``). Entries must
    keep θ² + n² inside the fixed-point range (entries in [−1, 1], as of a trace-normalized covariance, need 2
    integer bits); reveals nothing."""
    values, vectors, _ = _jacobi(a, sweeps, None, sweeps)
    return values, vectors


def jacobi_eigh_until(a: GarbledInt, max_sweeps: int, tol: float | None, min_sweeps: int = 1) \
        -> tuple[GarbledInt, GarbledInt, int]:
    """``jacobi_eigh`` that stops after the first sweep (from ``min_sweeps`` on) whose result has every
    off-diagonal |a_ij| < ``tol`` (``None``: run all ``max_sweeps``): Jacobi converges quadratically (Golub &
    Van Loan, §8.5.3), so a handful of sweeps suffice. Each test opens one bit to both parties, so the number of sweeps run (returned third) is
    revealed: a function of the spectrum, and nothing else."""
    return _jacobi(a, max_sweeps, tol, min_sweeps)


def _jacobi(a: GarbledInt, max_sweeps: int, tol: float | None, min_sweeps: int):
    d = a.shape[0]
    if a.shape != (d, d) or not a.frac:
        raise ValueError(f"jacobi_eigh needs a square fixed-point matrix, got shape {a.shape} with frac {a.frac}")
    if not isinstance(max_sweeps, int) or max_sweeps < 0:
        raise ValueError(f"sweeps must be a non-negative integer, got {max_sweeps!r}")
    if a.width < a.frac + 3:
        raise ValueError(f"jacobi_eigh needs width >= frac + 3 (sign and 2 integer bits), got width {a.width} "
                         f"with frac {a.frac}")
    n = d + d % 2
    a = _padded(a) if d % 2 else a
    v = a.engine.constant(np.eye(n), width=a.width, frac=a.frac)
    one = a.engine.constant(np.ones(n // 2), width=a.width, frac=a.frac)
    zero = a.engine.constant(np.zeros(1), width=a.width, frac=a.frac)
    done = 0
    while done < max_sweeps:
        if d > 1:
            for pairs in round_robin(n):
                a, v = _round(a, v, pairs, one, zero)
        done += 1
        if tol is not None and done >= min_sweeps and _converged(a, tol):
            break
    return a[np.arange(d), np.arange(d)], v[:d, :d], done
