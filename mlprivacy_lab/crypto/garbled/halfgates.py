"""Half-gates garbling (Zahur, Rosulek, Evans, *Two Halves Make a Whole*, EUROCRYPT 2015, Fig. 2), vectorized.

Free-XOR (Kolesnikov–Schneider, ICALP 2008): every wire w has keys W⁰ and W¹ = W⁰ ⊕ R for one global secret
R, so XOR gates cost nothing. Point-and-permute (Beaver–Micali–Rogaway 1990): lsb(R) = 1, so the colour bit
lsb(W) of the key the evaluator holds tells it which row to use, independent of the value. Half-gates: an AND
gate a∧b = (a∧r) ⊕ (a∧(r⊕b)) with r = lsb(B⁰) splits into a garbler half-gate and an evaluator half-gate,
each one ciphertext, so a garbled AND table is two 128-bit rows — 32 bytes — and four hashes to garble,
two to evaluate (ZRE15 §3, Fig. 2):

    garbler:   T_G = H(A⁰,j) ⊕ H(A¹,j) ⊕ p_b·R         W_G⁰ = H(A⁰,j) ⊕ p_a·T_G
               T_E = H(B⁰,j') ⊕ H(B¹,j') ⊕ A⁰          W_E⁰ = H(B⁰,j') ⊕ p_b·(T_E ⊕ A⁰)
               C⁰  = W_G⁰ ⊕ W_E⁰, table (T_G, T_E)
    evaluator: W_G = H(A,j) ⊕ s_a·T_G,  W_E = H(B,j') ⊕ s_b·(T_E ⊕ A),  C = W_G ⊕ W_E

with p = colour of the 0-key, s = colour of the held key, j = 2g and j' = 2g+1 for gate g. Every step below
runs on a whole chunk of gates at once: one numpy call per step, one AES-ECB call for all hashes of the chunk,
into buffers reused from chunk to chunk; colour bits become 128-bit masks (x & mask = bit·x) by table lookup.
Label arrays have shape (n, 2) uint64; the kernels touch inputs and outputs only by word columns, so any row
stride works (the one-process engine hands its labels over in place, both parties' side by side).
"""

from __future__ import annotations

import hashlib
import secrets

import numpy as np
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from ..ot.aes import FIXED_KEY, U64, AesPrg, sigma_into

#: Gates per kernel call: big enough to amortize numpy's per-call cost (~25 µs per kernel call), small enough
#: for the cache; 16384 = one AND layer of a 512-lane block (values.LANE_BLOCK) was fastest here (bench gc).
CHUNK = 16384
TABLE_WORDS = 4  # two 128-bit rows per AND gate
_TWEAK_STEP = np.stack([2 * np.arange(CHUNK, dtype=U64), 2 * np.arange(CHUNK, dtype=U64) + U64(1)])
_ONE = U64(1)
#: A colour bit → a 128-bit mask (one complex128 scalar per 16-byte label, picked with np.take).
_MASKS = np.array([[0, 0], [2**64 - 1, 2**64 - 1]], dtype=U64).view(np.complex128)[:, 0]


#: Second key of the XTS pipeline below (XTS needs two distinct keys; this one only makes the tweaks zero).
_XTS_TWEAK_KEY = hashlib.sha256(b"mlprivacy-lab XTS tweak key").digest()[:16]


def _fixed_key_aes():
    """An encryptor whose ``update_into`` computes π = AES-128(FIXED_KEY, ·) block by block, as ECB does.

    It runs AES-XTS (IEEE 1619) with data key FIXED_KEY and the initial value IV = AES⁻¹(_XTS_TWEAK_KEY, 0):
    XTS encrypts block i as π(P_i ⊕ T_i) ⊕ T_i with T_i = AES(_XTS_TWEAK_KEY, IV)·αⁱ = 0·αⁱ = 0, so the
    output is exactly π(P_i) — computed by OpenSSL's faster XTS code path (about a third less time per block
    than its ECB here). Checked against ECB on random blocks; plain ECB if the check ever fails."""
    ecb = Cipher(algorithms.AES(FIXED_KEY), modes.ECB()).encryptor()
    try:
        iv = Cipher(algorithms.AES(_XTS_TWEAK_KEY), modes.ECB()).decryptor().update(bytes(16))
        xts = Cipher(algorithms.AES(FIXED_KEY + _XTS_TWEAK_KEY), modes.XTS(iv)).encryptor()
        probe = secrets.token_bytes(16 * 64)
        if xts.update(probe) == ecb.update(probe) and xts.update(probe[:32]) == ecb.update(probe[:32]):
            return xts
    except ValueError:  # a backend without XTS or with different key rules
        pass
    return Cipher(algorithms.AES(FIXED_KEY), modes.ECB()).encryptor()


def _as_scalars(labels: np.ndarray) -> np.ndarray:
    """An (n, 2) label array (any row stride) viewed as n complex128 scalars, one per 16-byte label, so that
    numpy moves each label in one step."""
    return labels.view(np.complex128)[:, 0]


def _store(labels: np.ndarray, out: np.ndarray) -> None:
    """Copy contiguous labels into ``out`` of any row stride (one 16-byte move per label)."""
    np.copyto(_as_scalars(out), _as_scalars(labels))


class _Scratch:
    """Per-chunk working memory of a kernel: reused, so no chunk allocates."""

    def __init__(self, blocks: int, labels: int) -> None:
        self._aes = _fixed_key_aes()
        self.keys = np.empty((blocks, 2), dtype=U64)
        self._out = np.empty((blocks + 1, 2), dtype=U64)  # update_into wants room for one more block
        self.tweaks = np.empty((2, CHUNK), dtype=U64)
        self.colours = np.empty((2, CHUNK), dtype=U64)
        self.labels = np.empty((labels, CHUNK, 2), dtype=U64)
        self._gathered = np.empty((CHUNK, 2), dtype=U64)

    def tweaks_for(self, gate: int, n: int) -> np.ndarray:
        """Hash tweaks j = 2g (row 0, A side) and j' = 2g+1 (row 1, B side) for gates gate, ..., gate+n-1."""
        return np.add(_TWEAK_STEP[:, :n], U64(2 * gate), out=self.tweaks[:, :n])

    def gather(self, labels: np.ndarray) -> np.ndarray:
        """A contiguous copy of labels of any row stride (one 16-byte move per label, cheaper than strided
        word-by-word arithmetic)."""
        out = self._gathered[:len(labels)]
        np.copyto(_as_scalars(out), _as_scalars(labels))
        return out

    def colours_of(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The colour bits lsb(A), lsb(B) of each gate's input labels, as 0/1 indices (rows 0 and 1)."""
        n = len(a)
        np.bitwise_and(a[:, 0], _ONE, out=self.colours[0, :n])
        np.bitwise_and(b[:, 0], _ONE, out=self.colours[1, :n])
        return self.colours[:, :n].view(np.int64)

    def masks(self, colours: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Colour bits → 128-bit masks, all ones where the bit is 1 (so x & mask = bit·x)."""
        np.take(_MASKS, colours, out=_as_scalars(out), mode="clip")
        return out

    def permute(self, blocks: int) -> np.ndarray:
        """π(K) = AES-128(FIXED_KEY, K) of the first ``blocks`` hash inputs K = σ(x) ⊕ j, in one AES call.
        The tweakable hash of ``ot.aes.FixedKeyHash`` is H(x, j) = π(K) ⊕ K (Guo, Katz, Wang, Yu, IEEE S&P
        2020); the kernels keep π(K) and K apart so that sums of hashes fold the K terms into constants."""
        self._aes.update_into(self.keys[:blocks].reshape(-1).view(np.uint8), self._out.view(np.uint8))
        return self._out[:blocks]


class GarblerCore:
    """The garbler's secret state — R and a label PRG seeded from ``secrets`` — and its AND kernel."""

    def __init__(self) -> None:
        self.prg = AesPrg()
        delta = self.prg.labels(1)[0]
        delta[0] |= _ONE  # point-and-permute: lsb(R) = 1
        self.delta = delta
        sigma_delta = np.array([delta[1], delta[0] ^ delta[1]], dtype=U64)  # σ(R)
        self._sigma_delta = np.tile(sigma_delta, (2 * CHUNK, 1))
        self._offsets = _as_scalars(np.array([sigma_delta, sigma_delta ^ delta]))  # σ(R) ⊕ p_b·R by p_b
        self._s = _Scratch(4 * CHUNK, 4)
        self.gates = 0

    def zero_labels(self, n: int) -> np.ndarray:
        """Fresh 0-keys for ``n`` wires (the 1-key of each is the 0-key ⊕ R)."""
        return self.prg.labels(n)

    def garble_and(self, a: np.ndarray, b: np.ndarray, c: np.ndarray, table: np.ndarray) -> None:
        """Garble n ≤ CHUNK AND gates: 0-keys ``a``, ``b`` (n, 2) in; 0-keys into ``c``, rows into ``table``.

        With K = σ(x) ⊕ j and P = π(K), so H = P ⊕ K, and K(x⊕R) = K(x) ⊕ σ(R) (σ is linear):
        H(X⁰) ⊕ H(X¹) = P(X⁰) ⊕ P(X¹) ⊕ σ(R), and C⁰ = W_G⁰ ⊕ W_E⁰ = H(A⁰) ⊕ H(B⁰) ⊕ p_a·T_G ⊕ p_b·(T_E ⊕ A⁰).
        ``a``, ``b``, ``c`` may have any row stride (they are read and written one word column at a time)."""
        n, s = len(a), self._s
        k = s.keys[:4 * n].reshape(4, n, 2)  # K(A⁰), K(B⁰), K(A¹), K(B¹)
        tweaks = s.tweaks_for(self.gates, n)
        self.gates += n
        a = s.gather(a)
        sigma_into(a[:, 0], a[:, 1], k[0], tweaks[0])
        sigma_into(b[:, 0], b[:, 1], k[1], tweaks[1])
        np.bitwise_xor(k[:2], self._sigma_delta[:2 * n].reshape(2, n, 2), out=k[2:])
        p = s.permute(4 * n).reshape(4, n, 2)
        colours = s.colours_of(a, b)  # p_a, p_b
        m_a, m_b, u, v = s.labels[:, :n]
        s.masks(colours[0], m_a)
        s.masks(colours[1], m_b)
        np.take(self._offsets, colours[1], out=_as_scalars(u), mode="clip")  # σ(R) ⊕ p_b·R
        t_g, t_e = table
        np.bitwise_xor(p[0], p[2], out=t_g)
        np.bitwise_xor(t_g, u, out=t_g)  # T_G = H(A⁰) ⊕ H(A¹) ⊕ p_b·R
        np.bitwise_xor(p[1], p[3], out=t_e)
        np.bitwise_xor(t_e, self._sigma_delta[:n], out=t_e)  # H(B⁰) ⊕ H(B¹)
        np.bitwise_and(t_e, m_b, out=u)  # p_b·(T_E ⊕ A⁰)
        np.bitwise_xor(t_e, a, out=t_e)  # T_E = H(B⁰) ⊕ H(B¹) ⊕ A⁰
        np.bitwise_and(t_g, m_a, out=v)  # p_a·T_G
        h = np.bitwise_xor(p[:2], k[:2], out=p[:2])  # H(A⁰), H(B⁰)
        np.bitwise_xor(h[0], h[1], out=h[0])
        np.bitwise_xor(u, v, out=u)
        _store(np.bitwise_xor(h[0], u, out=h[0]), c)  # C⁰


class EvaluatorCore:
    """The evaluator's AND kernel: it sees one key per wire and two table rows per gate."""

    def __init__(self) -> None:
        self._s = _Scratch(2 * CHUNK, 3)
        self.gates = 0

    def evaluate_and(self, a: np.ndarray, b: np.ndarray, c: np.ndarray, table: np.ndarray) -> None:
        """Evaluate n ≤ CHUNK AND gates on held keys ``a``, ``b`` with rows ``table``; output keys into ``c``:
        C = W_G ⊕ W_E = H(A) ⊕ H(B) ⊕ s_a·T_G ⊕ s_b·(T_E ⊕ A). Any row stride for ``a``, ``b``, ``c``."""
        n, s = len(a), self._s
        k = s.keys[:2 * n].reshape(2, n, 2)
        tweaks = s.tweaks_for(self.gates, n)
        self.gates += n
        a = s.gather(a)
        sigma_into(a[:, 0], a[:, 1], k[0], tweaks[0])
        sigma_into(b[:, 0], b[:, 1], k[1], tweaks[1])
        h = s.permute(2 * n).reshape(2, n, 2)
        np.bitwise_xor(h, k, out=h)  # H(A), H(B)
        np.bitwise_xor(h[0], h[1], out=h[0])
        colours = s.colours_of(a, b)  # s_a, s_b
        m, u, v = s.labels[:, :n]
        t_g, t_e = table
        np.bitwise_xor(t_e, a, out=u)  # T_E ⊕ A
        np.bitwise_and(u, s.masks(colours[1], m), out=u)  # s_b·(T_E ⊕ A)
        np.bitwise_and(t_g, s.masks(colours[0], m), out=v)  # s_a·T_G
        np.bitwise_xor(u, v, out=u)
        _store(np.bitwise_xor(h[0], u, out=h[0]), c)  # C
