"""Fixed-point linear algebra inside a circuit: the symmetric eigen decomposition by Jacobi rotations.

The circuit is latency-bound at small d (a round of rotations has only d/2 lanes), so a rotation has no
division, square root or multiplication: it is a CORDIC (J. E. Volder, "The CORDIC trigonometric computing
technique", IRE Trans. Electronic Computers EC-8, 1959) of shift-and-add micro-rotations, as in the CORDIC
Jacobi processors of Cavallaro & Luk ("CORDIC arithmetic for an SVD processor", J. Parallel Distrib. Comput. 5,
1988). A micro-rotation step of every entry of a round is one carry-save sum (``circuits.carry_save_sum``):
about 8 AND layers, for ``iterations`` steps a round.
"""

from __future__ import annotations

import math

import numpy as np

from . import circuits as C
from .values import GarbledInt, stack


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


def cordic_gain(iterations: int) -> float:
    """K = Π_{i=1..n} √(1 + 4^−i): how much the n micro-rotations [[1, t], [−t, 1]], t = ±2^−i, lengthen a
    vector (Volder 1959), whatever their signs."""
    return math.prod(math.sqrt(1 + 4.0 ** -i) for i in range(1, iterations + 1))


def signed_digits(c: float, bits: int) -> list[tuple[int, int]]:
    """(sign, shift) pairs with c ≈ Σ sign·2^−shift: the non-adjacent form of round(c·2^bits) (G. W.
    Reitwiesner, "Binary arithmetic", Advances in Computers 1, 1960), the fewest shift-and-add terms of a
    multiplication by the public constant c."""
    n, k, digits = round(c * 2 ** bits), 0, []
    while n:
        if n & 1:
            digit = 2 - (n & 3)  # +1 or −1, so that n − digit is divisible by 4
            digits.append((digit, bits - k))
            n -= digit
        n >>= 1
        k += 1
    return digits[::-1]  # the largest term first


def cordic_vectoring(x: float, y: float, iterations: int) -> tuple[np.ndarray, np.ndarray]:
    """The plaintext reference of a rotation's vectoring steps in ``_round``: for x = a_pp − a_qq, y = 2a_pq,
    the path of (x, y) (iterations + 1 points) and the t_i = ±2^−i chosen. Π J_i is K times the Jacobi rotation
    [[cos θ, sin θ], [−sin θ, cos θ]] by θ = Σ atan t_i = −½ atan2(y, x) (π/2 closer to 0 when x < 0) to about
    2^−iterations, which makes the 2×2 block diagonal; the vector grows by K² (K = ``cordic_gain``)."""
    side, path, ts = x < 0, [(x, y)], []
    for i in range(1, iterations + 1):
        t = -(2.0 ** -i) if (y >= 0) != side else 2.0 ** -i
        x, y = (1 - t * t) * x - 2 * t * y, (1 - t * t) * y + 2 * t * x
        path.append((x, y))
        ts.append(t)
    return np.array(path), np.array(ts)


class _Sum:
    """One lane group of a ``carry_save_sum``: operands (w, lanes, …) and carry bits (lanes, …)."""

    def __init__(self, e, base: np.ndarray | None) -> None:
        self.e, self.ops, self.bits = e, [] if base is None else [base], []

    def add(self, x: np.ndarray, shift: int, negative) -> "_Sum":
        """+= ±round(x / 2^shift), the sign by the bit array ``negative``: ⌊x / 2^shift⌋ ⊕ negative plus the
        carry bit negative ⊕ (the first bit shifted out), as −y = (y ⊕ 1…1) + 1 and −(y + b) = (y ⊕ 1…1) + ¬b.
        Rounding, not truncating, matters: a CORDIC's signs are mostly alike, so truncation errors would add up
        to a drift of every entry. A term shifted by w − 1 or more is below one ulp and left out."""
        if shift < len(x) - 1:
            self.ops.append(self.e.xor(C.shift_right(x, shift), negative[None]))
            self.bits.append(self.e.xor(negative, x[shift - 1]) if shift else negative)
        return self


def _concat(sums: list[_Sum]) -> _Sum:
    """The lane groups of same-shaped sums (operand k with operand k, carry k with carry k) as one group."""
    out = _Sum(sums[0].e, None)
    out.ops = [np.concatenate(ops, axis=1) for ops in zip(*(s.ops for s in sums), strict=True)]
    out.bits = [np.concatenate(bits) for bits in zip(*(s.bits for s in sums), strict=True)]
    return out


def _split(x: np.ndarray, parts: int) -> list[np.ndarray]:
    return np.split(x, parts, axis=1)


def _scaled(e, x: np.ndarray, c: float, frac: int, base: np.ndarray | None = None, minus: bool = False) -> _Sum:
    """c·x (c > 0 public), or base ± c·x, by shift-and-add over ``signed_digits`` to 2 bits below frac."""
    zero = C.const_bits(e, 0, 1, x[0:1])[0]
    one = e.not_(zero)
    (lead, shift), *rest = signed_digits(c, frac + 2)
    if lead < 0:
        raise ValueError(f"_scaled needs a positive constant, got {c}")
    if base is None:
        out = _Sum(e, C.shift_right(x, shift))
    else:
        out = _Sum(e, base).add(x, shift, one if minus else zero)
    for sign, shift in rest:
        out.add(x, shift, one if (sign < 0) != minus else zero)
    return out


def _round(a: np.ndarray, v: np.ndarray, pairs: list[tuple[int, int]], e, frac: int, iterations: int):
    """One round of disjoint Jacobi rotations A ← JᵀAJ, V ← VJ (Golub & Van Loan, Alg. 8.5.1) by CORDIC, on
    wire arrays (w, n, n, …); returns the new A and V.

    Pair (p, q) has x = a_pp − a_qq, y = 2a_pq and s = a_pp + a_qq. The micro-rotation J_i = [[1, t], [−t, 1]]
    (t = ±2^−i, on rows and columns p, q) maps (x, y) to ((1 − t²)x − 2ty, (1 − t²)y + 2tx) and leaves s, so
    t of the sign of −y·sign(x) drives y to 0 (the vector turns to the x-axis on its own side: |2φ| ≤ π/2
    ≤ Σ 2·atan 2^−i): i = 1..n vectoring steps. The same J_i turn, once per side, every entry of rows and
    columns p, q (a block between two pairs takes both sides at once, four terms) and columns p, q of V. At
    the end the gains — K² on A's blocks and on x, K on V (``cordic_gain``) — are divided out by constant
    multiplications, a'_pp = (s + x/K²)/2, a'_qq = (s − x/K²)/2 and a'_pq = 0."""
    w, n, m = a.shape[0], a.shape[1], len(pairs)
    p, q = (np.array(i) for i in zip(*pairs))
    idle = np.setdiff1d(np.arange(n), np.concatenate([p, q]))  # the index an odd-sized round leaves out
    zero = C.const_bits(e, 0, 1, a[:, p, q])[0]
    one = e.not_(zero)
    x, s = C.carry_save_sum(e, [([a[:, p, p], e.not_(a[:, q, q])], [one]), ([a[:, p, p], a[:, q, q]], [])])
    y = np.concatenate([zero[None], a[:, p, q][:-1]])  # 2·a_pq
    side = x[-1]  # x < 0: drive (x, y) to the negative x-axis
    bi, bj = np.triu_indices(m, 1)
    blocks = [a[:, r, c] for r, c in ((p[bi], p[bj]), (p[bi], q[bj]), (q[bi], p[bj]), (q[bi], q[bj]))]
    # "lines": pairs of entries that take J_i on one side only: row k of A (k idle) and the rows of V
    rows, line_pair = np.repeat(idle, m), np.tile(np.arange(m), len(idle))
    lines = [np.concatenate([a[:, rows, p[line_pair]], v[:, :, p].reshape(w, n * m, *v.shape[3:])], axis=1),
             np.concatenate([a[:, rows, q[line_pair]], v[:, :, q].reshape(w, n * m, *v.shape[3:])], axis=1)]
    line_pair = np.concatenate([line_pair, np.tile(np.arange(m), n)])
    for i in range(1, iterations + 1):
        neg = e.not_(e.xor(y[-1], side))  # t_i < 0
        pos = e.not_(neg)
        groups = [_concat([_Sum(e, x).add(x, 2 * i, one).add(y, i - 1, pos),  # x − x/4^i − 2t·y
                           _Sum(e, y).add(y, 2 * i, one).add(x, i - 1, neg)])]  # y − y/4^i + 2t·x
        if m > 1:
            n1, n2 = neg[bi], neg[bj]
            p1, p2, n12 = e.not_(n1), e.not_(n2), e.xor(n1, n2)
            b00, b01, b10, b11 = blocks  # J_Pᵀ X J_Q of the block X between pairs P < Q
            groups.append(_concat([
                _Sum(e, b00).add(b10, i, p1).add(b01, i, p2).add(b11, 2 * i, n12),
                _Sum(e, b01).add(b00, i, n2).add(b11, i, p1).add(b10, 2 * i, e.not_(n12)),
                _Sum(e, b10).add(b00, i, n1).add(b11, i, p2).add(b01, 2 * i, e.not_(n12)),
                _Sum(e, b11).add(b01, i, n1).add(b10, i, n2).add(b00, 2 * i, n12)]))
        groups.append(_concat([_Sum(e, lines[0]).add(lines[1], i, pos[line_pair]),  # l_p − t·l_q
                               _Sum(e, lines[1]).add(lines[0], i, neg[line_pair])]))  # l_q + t·l_p
        sums = C.carry_save_sum(e, [(g.ops, g.bits) for g in groups])
        x, y = _split(sums[0], 2)
        if m > 1:
            blocks = _split(sums[1], 4)
        lines = _split(sums[-1], 2)
    gain = cordic_gain(iterations)
    groups = [_concat([_scaled(e, x, 1 / gain ** 2, frac, s), _scaled(e, x, 1 / gain ** 2, frac, s, minus=True)]),
              _concat([_scaled(e, line, 1 / gain, frac) for line in lines])]
    if m > 1:
        groups.append(_concat([_scaled(e, b, 1 / gain ** 2, frac) for b in blocks]))
    sums = C.carry_save_sum(e, [(g.ops, g.bits) for g in groups])
    diag_p, diag_q = _split(C.shift_right(sums[0], 1), 2)
    line_p, line_q = _split(sums[1], 2)
    k = len(rows)
    parts = [diag_p, diag_q, zero[None].repeat(w, 0), line_p[:, :k], line_q[:, :k], a[:, idle, idle]]
    if m > 1:
        parts += _split(sums[2], 4)
    index = np.full((n, n), -1)
    at = np.cumsum([0] + [part.shape[1] for part in parts])
    index[p, p], index[q, q], index[p, q], index[q, p] = at[0] + np.arange(m), at[1] + np.arange(m), at[2], at[2]
    index[rows, p[line_pair[:k]]] = index[p[line_pair[:k]], rows] = at[3] + np.arange(k)
    index[rows, q[line_pair[:k]]] = index[q[line_pair[:k]], rows] = at[4] + np.arange(k)
    index[idle, idle] = at[5] + np.arange(len(idle))
    for b, (r, c) in enumerate(((p[bi], p[bj]), (p[bi], q[bj]), (q[bi], p[bj]), (q[bi], q[bj])) if m > 1 else ()):
        index[r, c] = index[c, r] = at[6 + b] + np.arange(len(bi))
    assert index.min() >= 0, "every entry of A is rebuilt"
    vp, vq = (line[:, k:].reshape(w, n, m, *v.shape[3:]) for line in (line_p, line_q))
    v = v.copy()
    v[:, :, p], v[:, :, q] = vp, vq
    return np.concatenate(parts, axis=1)[:, index], v


def _converged(a: GarbledInt, tol: float) -> bool:
    """Opens one bit to both parties: is every off-diagonal |a_ij| < tol?"""
    e, d = a.engine, a.shape[0]
    rows, cols = np.triu_indices(d, 1)
    off = a[rows, cols]
    bound = e.constant(np.array([np.full(len(rows), tol), np.full(len(rows), -tol)]), width=a.width, frac=a.frac)
    small = C.less_than_log(e, stack([off, bound[1]]).wires, stack([bound[0], off]).wires, True)  # −tol < a_ij < tol
    every = C.all_ones(e, small.reshape(-1, *small.shape[2:]))
    return bool(e.reveal(GarbledInt(e, every[None], signed=False)))


def jacobi_eigh(a: GarbledInt, sweeps: int = 6, iterations: int | None = None) -> tuple[GarbledInt, GarbledInt]:
    """Eigenvalues and eigenvectors (columns) of a symmetric fixed-point matrix, by ``sweeps`` cyclic sweeps of
    parallel Jacobi rotations (Golub & Van Loan, *Matrix Computations*, Alg. 8.5.1 and §8.5.5): each round's
    rotations touch disjoint rows and columns and run as lanes of the same circuits (``_round``), each rotation
    ``iterations`` CORDIC steps (default frac − 2: the angle to about 2^−iterations). Intermediates stay in
    range when the spectral radius is at most 2^(width − frac − 1) / 2.8 (a trace-normalized covariance, radius
    ≤ 1, needs width = frac + 3); reveals nothing."""
    values, vectors, _ = _jacobi(a, sweeps, None, sweeps, iterations)
    return values, vectors


def jacobi_eigh_until(a: GarbledInt, max_sweeps: int, tol: float | None, min_sweeps: int = 1,
                      iterations: int | None = None) -> tuple[GarbledInt, GarbledInt, int]:
    """``jacobi_eigh`` that stops after the first sweep (from ``min_sweeps`` on) whose result has every
    off-diagonal |a_ij| < ``tol`` (``None``: run all ``max_sweeps``): Jacobi converges quadratically (Golub &
    Van Loan, §8.5.3), so a handful of sweeps suffice. Each test opens one bit to both parties, so the number
    of sweeps run (returned third) is revealed: a function of the spectrum, and nothing else."""
    return _jacobi(a, max_sweeps, tol, min_sweeps, iterations)


def _jacobi(a: GarbledInt, max_sweeps: int, tol: float | None, min_sweeps: int, iterations: int | None):
    d = a.shape[0]
    if a.shape != (d, d) or not a.frac:
        raise ValueError(f"jacobi_eigh needs a square fixed-point matrix, got shape {a.shape} with frac {a.frac}")
    if not isinstance(max_sweeps, int) or max_sweeps < 0:
        raise ValueError(f"sweeps must be a non-negative integer, got {max_sweeps!r}")
    if a.width < a.frac + 3:
        raise ValueError(f"jacobi_eigh needs width >= frac + 3 (sign and 2 integer bits), got width {a.width} "
                         f"with frac {a.frac}")
    iterations = a.frac - 2 if iterations is None else iterations
    if not isinstance(iterations, int) or not 1 <= iterations <= a.frac:
        raise ValueError(f"iterations must be an integer in 1..frac ({a.frac}), got {iterations!r}")
    e = a.engine
    wires, v = a.wires, e.constant(np.eye(d), width=a.width, frac=a.frac).wires
    done = 0
    while done < max_sweeps:
        for pairs in round_robin(d):
            wires, v = _round(wires, v, pairs, e, a.frac, iterations)
        done += 1
        if tol is not None and done >= min_sweeps and _converged(a._like(wires), tol):
            break
    a = a._like(wires)
    return a[np.arange(d), np.arange(d)], a._like(v), done
