"""OT extension: Ishai, Kilian, Nissim, Petrank, *Extending Oblivious Transfers Efficiently* (CRYPTO 2003, §3).

κ = 128 base OTs, run once with the roles reversed, turn into any number of OTs that cost only AES and XOR:

    setup:     the OT sender picks s ∈ {0,1}^κ and receives seed k_i^{s_i} of each pair (k_i^0, k_i^1)
               that the OT receiver offers (random base OT, ``base.py``)
    receiver:  choice bits r ∈ {0,1}^m;  t_i = G(k_i^0),  u_i = t_i ⊕ G(k_i^1) ⊕ r   → u  (κ·m bits)
    sender:    q_i = G(k_i^{s_i}) ⊕ s_i·u_i, so row j of Q is q_j = t_j ⊕ r_j·s;
               y_j^0 = x_j^0 ⊕ H(q_j, j),  y_j^1 = x_j^1 ⊕ H(q_j ⊕ s, j)          → y
    receiver:  x_j^{r_j} = y_j^{r_j} ⊕ H(t_j, j)

G is AES-CTR keyed with the seed (its stream continues across calls); H is the fixed-key tweakable
correlation-robust hash of ``crypto/aes.py``. Messages are 128-bit labels, arrays of shape (m, 2) uint64.
Secure against semi-honest parties.
"""

from __future__ import annotations

import secrets

import numpy as np

from ..aes import LABEL_BYTES, OT_TWEAK_DOMAIN, U64, AesPrg, FixedKeyHash
from .base import check_choice_bits, random_ot_receive, random_ot_send
from .channel import Channel

KAPPA = 8 * LABEL_BYTES  # κ = 128 base OTs: row j of the transposed matrix is one label
_BLOCK_BYTES = 8192  # columns per transpose block: 65,536 OTs


def transpose_bits(columns: np.ndarray) -> np.ndarray:
    """(κ, m/8) packed bit-columns → (m, 2) uint64 rows: row j packs bit j of every column."""
    kappa, nbytes = columns.shape
    rows = np.empty((8 * nbytes, kappa // 8), dtype=np.uint8)
    for start in range(0, nbytes, _BLOCK_BYTES):
        block = np.unpackbits(columns[:, start:start + _BLOCK_BYTES], axis=1)
        rows[8 * start:8 * start + block.shape[1]] = np.packbits(block.T, axis=1)
    return rows.view(U64)


def check_labels(x0: np.ndarray, x1: np.ndarray) -> int:
    """The number m of OTs, if ``x0`` and ``x1`` are both (m, 2) uint64 arrays of 128-bit labels (``ValueError``
    otherwise: a reshaped or cast array would transfer silently wrong labels)."""
    for name, x in (("x0", x0), ("x1", x1)):
        if not isinstance(x, np.ndarray) or x.dtype != U64 or x.ndim != 2 or x.shape[1] != 2:
            got = f"shape {x.shape}, dtype {x.dtype}" if isinstance(x, np.ndarray) else type(x).__name__
            raise ValueError(f"OT extension messages {name} must be an (m, 2) uint64 array of 128-bit labels, "
                             f"got {got}")
    if x0.shape != x1.shape:
        raise ValueError(f"OT message arrays differ in shape: {x0.shape} vs {x1.shape}")
    return len(x0)


class OTExtensionSender:
    """The party that offers pairs of labels (the garbler). Construction runs the κ base OTs."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self._s_bits = np.unpackbits(np.frombuffer(secrets.token_bytes(KAPPA // 8), dtype=np.uint8))
        self._s = np.packbits(self._s_bits).view(U64)
        seeds = random_ot_receive(channel, self._s_bits)
        self._prgs = [AesPrg(seed) for seed in seeds]
        self._hash = FixedKeyHash()
        self.count = 0

    def send(self, x0: np.ndarray, x1: np.ndarray) -> None:
        """Offer pairs (x0[j], x1[j]) of 128-bit labels, (m, 2) uint64 arrays; the receiver gets x_{r_j}[j] for
        its choice r_j. m = 0 sends and reads nothing (the receiver, with no choices, neither)."""
        m = check_labels(x0, x1)
        if not m:
            return
        nbytes = -(-m // 8)
        u = self.channel.recv_into(np.empty((KAPPA, nbytes), dtype=np.uint8))
        q = np.empty_like(u)
        for i, prg in enumerate(self._prgs):
            prg.bytes_into(q[i])
            if self._s_bits[i]:
                q[i] ^= u[i]
        rows = transpose_bits(q)[:m]
        tweaks = OT_TWEAK_DOMAIN | (U64(self.count) + np.arange(m, dtype=U64))
        self.count += m
        y = np.empty((2, m, 2), dtype=U64)
        np.bitwise_xor(x0, self._hash(rows, tweaks), out=y[0])
        np.bitwise_xor(x1, self._hash(rows ^ self._s, tweaks), out=y[1])
        self.channel.send(y)


class OTExtensionReceiver:
    """The party that chooses (the evaluator). Construction runs the κ base OTs as their sender."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        pairs = random_ot_send(channel, KAPPA)
        self._prgs = [(AesPrg(k0), AesPrg(k1)) for k0, k1 in pairs]
        self._hash = FixedKeyHash()
        self.count = 0

    def receive(self, choices: np.ndarray) -> np.ndarray:
        """Labels x_{r_j}[j] for choice bits ``choices`` (m,), as an (m, 2) uint64 array; no choices give an
        empty (0, 2) array without a message."""
        bits = check_choice_bits(choices)
        m = bits.size
        if not m:
            return np.empty((0, 2), dtype=U64)
        r = np.packbits(bits)
        t = np.empty((KAPPA, r.size), dtype=np.uint8)
        u = np.empty_like(t)
        for i, (g0, g1) in enumerate(self._prgs):
            g0.bytes_into(t[i])
            g1.bytes_into(u[i])
        np.bitwise_xor(u, t, out=u)
        np.bitwise_xor(u, r, out=u)
        self.channel.send(u)
        rows = transpose_bits(t)[:m]
        tweaks = OT_TWEAK_DOMAIN | (U64(self.count) + np.arange(m, dtype=U64))
        self.count += m
        y = self.channel.recv_into(np.empty((2, m, 2), dtype=U64))
        chosen = np.where(bits[:, None].astype(bool), y[1], y[0])
        return chosen ^ self._hash(rows, tweaks)
