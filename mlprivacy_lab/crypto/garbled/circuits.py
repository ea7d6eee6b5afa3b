"""The circuit library: integer and fixed-point arithmetic as AND/XOR circuits over arrays of wires.

A number is a wire array whose axis 0 holds its bits, least significant first, in two's complement; the
other axes are lanes (plus the engine's label trailer). Every function works unchanged on plaintext bits,
on garbled labels and on both parties at once, because it only calls the engine's ``xor``, ``not_``,
``and_`` and ``const``. XOR and NOT are free; the docstrings give the AND-gate count for width w.
Each step handles all bits it can at once, so one ``and_`` call garbles a whole layer of every lane.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np


def _lanes(e, x: np.ndarray) -> tuple[int, ...]:
    return x.shape[1:x.ndim - len(e.trailer)]


def const_bits(e, value: int, width: int, like: np.ndarray) -> np.ndarray:
    """``width`` wires holding the public constant ``value``, broadcast to the lanes of ``like``."""
    lanes = _lanes(e, like)
    bits = np.array([(value >> i) & 1 for i in range(width)], dtype=np.uint8).reshape(width, *([1] * len(lanes)))
    return e.const(np.broadcast_to(bits, (width, *lanes)))


def _spread(bit: np.ndarray) -> np.ndarray:
    """Give a single-bit wire array a leading axis so it broadcasts over the bits of a number."""
    return bit[None]


def full_adder(e, x, y, z):
    """(x ⊕ y ⊕ z, maj(x, y, z)) with one AND: maj = z ⊕ ((x ⊕ z) ∧ (y ⊕ z)). 1 AND per bit position."""
    u = e.xor(x, z)
    v = e.xor(y, z)
    return e.xor(u, y), e.xor(e.and_(u, v), z)


def carries(e, a, b, carry_in=None, last: bool = False):
    """Ripple-carry chain of a + b: the carry into each bit (and, if ``last``, the carry out). 1 AND per bit."""
    w = len(a)
    chain = []
    c = carry_in
    for i in range(w if last else w - 1):
        if c is None:
            chain.append(None)
            c = e.and_(a[i], b[i])
        else:
            chain.append(c)
            c = e.xor(c, e.and_(e.xor(a[i], c), e.xor(b[i], c)))
    if not last:
        chain.append(c)
    return chain, (c if last else None)


def add(e, a, b, carry_in=None):
    """a + b (+ carry_in) modulo 2^w: ripple carry. w−1 ANDs."""
    chain, _ = carries(e, a, b, carry_in)
    s = e.xor(a, b)
    if chain[0] is None:
        if len(a) == 1:
            return s
        return np.concatenate([s[:1], e.xor(s[1:], np.stack(chain[1:]))])
    return e.xor(s, np.stack(chain))


def negate_if(e, x, s):
    """x if s = 0 else −x (mod 2^w): (x ⊕ s) + s. w−1 ANDs."""
    flipped = e.xor(x, _spread(s))
    out, c = [], s
    for i in range(len(x)):
        out.append(e.xor(flipped[i], c))
        if i < len(x) - 1:
            c = e.and_(flipped[i], c)
    return np.stack(out)


def sub(e, a, b):
    """a − b modulo 2^w = a + ¬b + 1. w−1 ANDs."""
    return add(e, a, e.not_(b), carry_in=const_bits(e, 1, 1, a)[0])


def less_than(e, a, b, signed: bool):
    """a < b: the borrow of a − b (carry chain of a + ¬b + 1 only); signed compares with the sign bits flipped.
    w ANDs."""
    if signed:
        a = np.concatenate([a[:-1], e.not_(a[-1:])])
        b = np.concatenate([b[:-1], e.not_(b[-1:])])
    _, c = carries(e, a, e.not_(b), carry_in=const_bits(e, 1, 1, a)[0], last=True)
    return e.not_(c)


def all_ones(e, x):
    """AND of all bits of x (a balanced tree). w−1 ANDs, ⌈log₂ w⌉ layers."""
    while len(x) > 1:
        half = len(x) // 2
        rest = x[2 * half:]
        x = np.concatenate([e.and_(x[:half], x[half:2 * half]), rest])
    return x[0]


def equal(e, a, b):
    """a == b: all bits of ¬(a ⊕ b) are 1. w−1 ANDs."""
    return all_ones(e, e.not_(e.xor(a, b)))


def mux(e, s, x, y):
    """s ? x : y, bit by bit: y ⊕ (s ∧ (x ⊕ y)). w ANDs."""
    return e.xor(y, e.and_(_spread(s), e.xor(x, y)))


def multiply(e, a, b, signed: bool, final_adder=None):
    """The full 2w-bit product of two w-bit numbers: a carry-save array multiplier (one layer of full adders
    per partial-product row, all bit positions at once) and a final ripple adder; two's-complement operands
    use the modified Baugh–Wooley scheme (negated sign-row bits plus the constant 2^w + 2^(2w−1); Baugh and
    Wooley, IEEE Trans. Computers C-22, 1973). Each partial-product row is made when it is added, so no
    w×w×lanes array is ever held. 2w² − 1 ANDs with the default ripple ``final_adder`` (``add``)."""
    w = len(a)

    def row(j):  # partial products a_i ∧ b_j, weight 2^(i+j): w ANDs in one call
        pp = e.and_(a, b[j][None])  # a fresh array: its Baugh–Wooley bits are negated in place
        if signed and w > 1:
            flip = slice(0, w - 1) if j == w - 1 else slice(w - 1, w)
            pp[flip] = e.not_(pp[flip])
        return pp

    one, zero = const_bits(e, 1, 1, a), const_bits(e, 0, 1, a)
    s, c = row(0), None  # s covers bit positions j−1 .. j+w−2 before row j; c covers j .. j+w−1
    if w == 1:
        return np.concatenate([s, zero])
    low = [s[0]]
    for j in range(1, w):
        top = one if (signed and j == 1) else zero  # the Baugh–Wooley constant 2^w enters here for free
        x, pp = np.concatenate([s[1:], top]), row(j)
        if c is None:
            s, c = e.xor(x, pp), e.and_(x, pp)
        else:
            s, c = full_adder(e, x, c, pp)
        low.append(s[0])
    top = np.concatenate([s[1:], one if signed else zero])  # 2^(2w−1) enters as the top bit
    high = (final_adder or add)(e, top, c)
    return np.concatenate([np.stack(low), high])


def absolute(e, x):
    """|x| of a two's-complement number, as a w-bit unsigned magnitude. w−1 ANDs."""
    return negate_if(e, x, x[-1])


def _signed_step(e, r, y, subtract):
    """r + y if subtract = 0 else r − y, in the width of r (y zero-extended)."""
    y = np.concatenate([y, const_bits(e, 0, len(r) - len(y), y)]) if len(y) < len(r) else y
    return add(e, r, e.xor(y, _spread(subtract)), carry_in=subtract)


def divide_unsigned(e, n, d):
    """⌊n / d⌋ for unsigned n (k bits) and d (w bits, d < 2^(w−1) or d = 2^(w−1)): non-restoring division
    (Goldberg, "Computer Arithmetic", App. J of Hennessy & Patterson,
    *Computer Architecture: A Quantitative Approach*), one (w+1)-bit add-or-subtract per quotient bit.
    Returns k quotient bits; d = 0 gives all ones. k·w ANDs."""
    w = len(d)
    r = const_bits(e, 0, w + 1, d)
    q = []
    for i in range(len(n) - 1, -1, -1):
        subtract = e.not_(r[-1])
        shifted = np.concatenate([n[i:i + 1], r[:-1]])  # 2r + n_i
        r = _signed_step(e, shifted, d, subtract)
        q.append(e.not_(r[-1]))
    return np.stack(q[::-1])


def divide(e, a, b, frac: int, signed: bool):
    """Truncating division (C semantics) a / b, of fixed-point numbers with ``frac`` fractional bits:
    trunc(a·2^frac / b) modulo 2^w. Division by zero returns 0. About (w+frac)·w + 5w ANDs."""
    w = len(a)
    if signed:
        na, nb = a[-1], b[-1]
        a, b = absolute(e, a), absolute(e, b)
    n = np.concatenate([const_bits(e, 0, frac, a), a]) if frac else a
    q = divide_unsigned(e, n, b)[:w]
    if signed:
        q = negate_if(e, q, e.xor(na, nb))
    nonzero = e.not_(equal(e, b, const_bits(e, 0, w, b)))
    return e.and_(q, _spread(nonzero))


def sqrt_unsigned(e, n):
    """⌊√n⌋ for unsigned n with an even number k of bits: non-restoring square root (Li & Chu, ICCD 1996),
    one add-or-subtract of growing width per result bit. Returns k/2 bits. About k²/8 + 3k/2 ANDs."""
    half = len(n) // 2
    r = const_bits(e, 0, 3, n)
    q = None  # result bits so far, least significant first
    for i in range(half - 1, -1, -1):
        k = 0 if q is None else len(q)
        width = k + 4
        subtract = e.not_(r[-1])
        shifted = np.concatenate([n[2 * i:2 * i + 2], r])[:width]  # 4r + next two bits (mod 2^width)
        low = [const_bits(e, 1, 1, n)[0], e.not_(subtract)]  # 4q + 1 to subtract, 4q + 3 to add
        y = np.stack(low) if q is None else np.concatenate([np.stack(low), q])
        r = _signed_step(e, shifted, y, subtract)
        bit = e.not_(r[-1])[None]
        q = bit if q is None else np.concatenate([bit, q])
    return q


def square_root(e, x, frac: int, signed: bool):
    """⌊√(x·2^frac)⌋: the fixed-point square root with ``frac`` fractional bits; negative x gives 0."""
    w = len(x)
    if signed:
        x = e.and_(x, _spread(e.not_(x[-1])))
    k = w + frac + (w + frac) % 2
    n = np.concatenate([const_bits(e, 0, frac, x), x, const_bits(e, 0, k - w - frac, x)])
    root = sqrt_unsigned(e, n)
    if len(root) >= w:
        return root[:w]
    return np.concatenate([root, const_bits(e, 0, w - len(root), x)])


# --- log-depth variants ------------------------------------------------------------------------------
# A circuit on few lanes is latency-bound: every AND layer costs one engine call (≈ 0.1 ms in one process)
# however few gates it has, so a w-bit ripple chain costs w calls. The variants below trade gates for depth
# (⌈log₂ w⌉ + 1 layers per addition); the public operators above keep the cheaper ripple circuits.

def shift_right(x, k: int):
    """⌊x / 2^k⌋ of a two's-complement number: its bits moved down, the sign bit repeated (free)."""
    if k == 0:
        return x
    k = min(k, len(x))
    return np.concatenate([x[k:], np.broadcast_to(x[-1:], (k, *x.shape[1:]))])


def carry_save_sum(e, groups):
    """Σ operands + Σ carry bits (mod 2^w) for several groups of lanes at once: a Wallace tree of full adders
    (C. S. Wallace, "A suggestion for a fast multiplier", IEEE Trans. Electronic Computers EC-13, 1964), then one
    prefix adder. ``groups`` is a list of (operands, carry_bits): operands are (w, lanes, ...) wire arrays, carry
    bits (lanes, ...) wire arrays of weight 1, each taking a free slot (the low bit of a shifted carry word, or
    the final adder's carry-in). Each tree level is one ``full_adder`` call over every group (1 AND layer, w
    ANDs per three operands); the last step is one ``add_log`` over every group. Returns one sum per group."""
    groups = [(list(ops), list(bits)) for ops, bits in groups]
    while any(len(ops) > 2 for ops, _ in groups):
        triples = [(g, j) for g, (ops, _) in enumerate(groups) if len(ops) > 2 for j in range(len(ops) // 3)]
        x, y, z = (np.concatenate([groups[g][0][3 * j + k] for g, j in triples], axis=1) for k in range(3))
        s, c = full_adder(e, x, y, z)
        reduced, at = [[] for _ in groups], 0
        for g, j in triples:
            bits, lanes = groups[g][1], groups[g][0][0].shape[1]
            slot = bits.pop() if bits else const_bits(e, 0, 1, x[:, at:at + lanes])[0]
            reduced[g] += [s[:, at:at + lanes], np.concatenate([slot[None], c[:-1, at:at + lanes]])]
            at += lanes
        groups = [(reduced[g] + ops[3 * (len(ops) // 3):] if len(ops) > 2 else ops, bits)
                  for g, (ops, bits) in enumerate(groups)]
    if any(len(bits) > 1 for _, bits in groups):
        raise ValueError("carry_save_sum: a group has more carry bits than its tree has free slots")
    a = np.concatenate([ops[0] for ops, _ in groups], axis=1)
    b = np.concatenate([ops[1] if len(ops) > 1 else const_bits(e, 0, len(ops[0]), ops[0]) for ops, _ in groups],
                       axis=1)
    carry_in = None
    if any(bits for _, bits in groups):
        carry_in = np.concatenate([bits[0] if bits else const_bits(e, 0, 1, ops[0])[0] for ops, bits in groups])
    total, out, at = add_log(e, a, b, carry_in), [], 0
    for ops, _ in groups:
        out.append(total[:, at:at + ops[0].shape[1]])
        at += ops[0].shape[1]
    return out


def prefix_carries(e, g, p):
    """Group generates G_i = g_i ∨ p_i·G_(i−1) of every prefix, by a Sklansky parallel-prefix network
    (J. Sklansky, "Conditional-sum addition logic", IRE Trans. Electronic Computers EC-9, 1960):
    ⌈log₂ n⌉ layers of (G, P) ∘ (G', P') = (G ⊕ P·G', P·P') (⊕ = ∨ here: G and P·G' never both hold).
    About n·⌈log₂ n⌉ ANDs."""
    g, p = np.array(g), np.array(p)
    for hit, src, both in _sklansky(len(g)):
        if both:
            out = e.and_(np.concatenate([p[hit], p[hit]]), np.concatenate([g[src], p[src]]))
            g[hit] = e.xor(g[hit], out[:len(hit)])
            p[hit] = out[len(hit):]
        else:  # the last level: the group propagates are not needed any more
            g[hit] = e.xor(g[hit], e.and_(p[hit], g[src]))
    return g


@lru_cache(maxsize=None)
def _sklansky(n: int) -> tuple[tuple[np.ndarray, np.ndarray, bool], ...]:
    """The levels of an n-bit Sklansky network: positions combined, their sources, and whether P is needed."""
    levels, span = [], 1
    while span < n:
        hit = np.array([i for i in range(n) if (i // span) % 2 == 1])
        levels.append((hit, (hit // span) * span - 1, 2 * span < n))
        span *= 2
    return tuple(levels)


def add_log(e, a, b, carry_in=None):
    """a + b (+ carry_in) modulo 2^w with a Sklansky prefix adder: ⌈log₂ w⌉ + 1 layers."""
    return _sum_and_carry(e, a, b, carry_in)[0]


def _sum_and_carry(e, a, b, carry_in):
    """(a + b + carry_in mod 2^w, carry out) by ``prefix_carries``; the carry-in is the generate bit of a
    position −1 with propagate 0."""
    g, p = e.and_(a, b), e.xor(a, b)
    if carry_in is not None:
        g = np.concatenate([carry_in[None], g])
        p = np.concatenate([const_bits(e, 0, 1, a), p])
    G = prefix_carries(e, g, p)
    if carry_in is None:
        into = np.concatenate([const_bits(e, 0, 1, a), G[:-1]])
    else:
        into = G[:-1]
    return e.xor(e.xor(a, b), into), G[-1]


def sub_log(e, a, b):
    """a − b modulo 2^w = a + ¬b + 1, log depth."""
    return add_log(e, a, e.not_(b), carry_in=const_bits(e, 1, 1, a)[0])


def negate_if_log(e, x, s):
    """x if s = 0 else −x: (x ⊕ s) + s, whose carries are prefix ANDs of the flipped bits (log depth)."""
    flipped = e.xor(x, _spread(s))
    g = np.concatenate([s[None], const_bits(e, 0, len(x), x)])
    p = np.concatenate([const_bits(e, 0, 1, x), flipped])
    return e.xor(flipped, prefix_carries(e, g, p)[:-1])


def less_than_log(e, a, b, signed: bool):
    """a < b: the borrow of a − b by a prefix network (log depth)."""
    if signed:
        a = np.concatenate([a[:-1], e.not_(a[-1:])])
        b = np.concatenate([b[:-1], e.not_(b[-1:])])
    return e.not_(_sum_and_carry(e, a, e.not_(b), const_bits(e, 1, 1, a)[0])[1])


def multiply_log(e, a, b, signed: bool):
    """``multiply`` with a prefix adder for the final carry-propagate addition: w + ⌈log₂ w⌉ + 1 layers
    instead of 2w."""
    return multiply(e, a, b, signed, final_adder=add_log)


def _signed_step_log(e, r, y, subtract):
    y = np.concatenate([y, const_bits(e, 0, len(r) - len(y), y)]) if len(y) < len(r) else y
    return add_log(e, r, e.xor(y, _spread(subtract)), carry_in=subtract)


def divide_bounded(e, a, b, frac: int, quotient_bits: int, signed: bool, width: int | None = None):
    """trunc(a·2^frac / b) for a public bound |a·2^frac / b| < 2^quotient_bits and b ≠ 0, as a ``width``-bit
    number (default len(a)): non-restoring division (as ``divide_unsigned``) that starts from the partial
    remainder ⌊|a|·2^frac / 2^quotient_bits⌋, which the bound makes smaller than |b|, so only
    ``quotient_bits`` steps run, each a log-depth add-or-subtract. The result is wrong if the bound fails."""
    width = len(a) if width is None else width
    if signed:
        negative = e.xor(a[-1], b[-1])
        a, b = negate_if_log(e, a, a[-1]), negate_if_log(e, b, b[-1])
    n = np.concatenate([const_bits(e, 0, frac, a), a]) if frac else a
    top = n[quotient_bits:][:len(b) + 1]
    r = np.concatenate([top, const_bits(e, 0, len(b) + 1 - len(top), a)]) if len(top) <= len(b) else top
    subtract, q = const_bits(e, 1, 1, a)[0], []
    for i in range(quotient_bits - 1, -1, -1):
        r = _signed_step_log(e, np.concatenate([n[i:i + 1], r[:-1]]), b, subtract)
        subtract = e.not_(r[-1])
        q.append(subtract)
    q = np.stack(q[::-1])[:width]
    if len(q) < width:
        q = np.concatenate([q, const_bits(e, 0, width - len(q), a)])
    return negate_if_log(e, q, negative) if signed else q
