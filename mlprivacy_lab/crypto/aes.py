"""Fixed-key AES, shared by OT extension (``ot/extension.py``) and garbling (``garbled/halfgates.py``): the
permutation π, the tweakable correlation-robust hash built on it, and the AES-CTR label PRG.

Labels are 128-bit blocks stored as ``uint64`` arrays of shape ``(n, 2)`` (low word, high word), so numpy
handles a whole layer of gates per call and one AES call permutes every block of it.
"""

from __future__ import annotations

import hashlib
import secrets

import numpy as np
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

U64 = np.uint64
#: κ = 128 bits: a wire label, an AES block, an AES-128 key, a PRG seed and a base-OT message alike.
LABEL_BYTES = 16
#: The public fixed AES key π (any public constant works; this one is a nothing-up-my-sleeve hash).
FIXED_KEY = hashlib.sha256(b"mlprivacy-lab fixed-key AES").digest()[:LABEL_BYTES]
#: Tweaks of the OT-extension hash live in their own half of the tweak space, apart from gate tweaks
#: (2g and 2g+1 for AND gate g, below 2^63).
OT_TWEAK_DOMAIN = U64(1 << 63)
#: The most blocks one ``update_into`` of ``fixed_key_aes()`` may take: IEEE 1619 caps an XTS data unit at
#: 2^20 blocks and OpenSSL enforces it.
PERMUTE_MAX_BLOCKS = 1 << 20
#: Second key of the XTS pipeline of ``fixed_key_aes`` (XTS needs two distinct keys; this one only makes the
#: tweaks zero).
_XTS_TWEAK_KEY = hashlib.sha256(b"mlprivacy-lab XTS tweak key").digest()[:LABEL_BYTES]


def fixed_key_aes():
    """An encryptor whose ``update_into`` computes π = AES-128(FIXED_KEY, ·) block by block, as ECB does,
    on at most ``PERMUTE_MAX_BLOCKS`` blocks per call.

    It runs AES-XTS (IEEE 1619) with data key FIXED_KEY and the initial value IV = AES⁻¹(_XTS_TWEAK_KEY, 0):
    XTS encrypts block i as π(P_i ⊕ T_i) ⊕ T_i with T_i = AES(_XTS_TWEAK_KEY, IV)·αⁱ = 0·αⁱ = 0, so the
    output is exactly π(P_i) — computed by OpenSSL's faster XTS code path (about a third less time per block
    than its ECB here). Checked against ECB on random blocks; plain ECB if the check ever fails."""
    ecb = Cipher(algorithms.AES(FIXED_KEY), modes.ECB()).encryptor()
    try:
        iv = Cipher(algorithms.AES(_XTS_TWEAK_KEY), modes.ECB()).decryptor().update(bytes(LABEL_BYTES))
        xts = Cipher(algorithms.AES(FIXED_KEY + _XTS_TWEAK_KEY), modes.XTS(iv)).encryptor()
        probe = secrets.token_bytes(LABEL_BYTES * 64)
        if xts.update(probe) == ecb.update(probe) and xts.update(probe[:32]) == ecb.update(probe[:32]):
            return xts
    except ValueError:  # a backend without XTS or with different key rules
        pass
    return Cipher(algorithms.AES(FIXED_KEY), modes.ECB()).encryptor()


def sigma_into(lo: np.ndarray, hi: np.ndarray, out: np.ndarray, tweak: np.ndarray) -> None:
    """``out = σ(x) ⊕ tweak`` with the linear orthomorphism σ(lo, hi) = (hi, lo ⊕ hi); the 64-bit tweak
    enters the low word. ``lo``/``hi`` are the word columns of the input labels (any stride), ``out`` (n, 2)."""
    np.bitwise_xor(hi, tweak, out=out[:, 0])
    np.bitwise_xor(lo, hi, out=out[:, 1])


class FixedKeyHash:
    """Tweakable correlation-robust hash from the fixed-key permutation π = AES-128(FIXED_KEY, ·).

    H(x, i) = π(σ(x) ⊕ i) ⊕ σ(x) ⊕ i, σ a linear orthomorphism — the construction analysed by Guo, Katz, Wang
    and Yu, *Efficient and Secure Multiparty Computation from Fixed-Key Block Ciphers* (IEEE S&P 2020) and used
    for half-gates in emp-toolkit. One call hashes a whole buffer with one AES pass per 2^20 blocks. (The
    half-gates kernels inline it: they keep π(K) and K apart to fold sums of hashes.)
    """

    def __init__(self) -> None:
        self._aes = fixed_key_aes()
        self._out = np.empty(0, dtype=U64)

    def hash_inplace(self, keys: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Given ``keys = σ(x) ⊕ i`` (contiguous (m, 2)), write π(keys) ⊕ keys into ``out`` and return it."""
        src, dst = keys.reshape(-1).view(np.uint8), self._buffer(keys.size).view(np.uint8)
        step = PERMUTE_MAX_BLOCKS * LABEL_BYTES
        for start in range(0, src.size, step):
            self._aes.update_into(src[start:start + step], dst[start:])
        np.bitwise_xor(self._out[:keys.size].reshape(keys.shape), keys, out=out)
        return out

    def __call__(self, x: np.ndarray, tweaks: np.ndarray) -> np.ndarray:
        """H(x_j, tweaks_j) for labels ``x`` of shape (m, 2) and integer tweaks of shape (m,)."""
        x = np.ascontiguousarray(x, dtype=U64).reshape(-1, 2)
        keys = np.empty_like(x)
        sigma_into(x[:, 0], x[:, 1], keys, np.asarray(tweaks, dtype=U64))
        return self.hash_inplace(keys, keys)

    def _buffer(self, words: int) -> np.ndarray:
        # update_into wants room for one extra block; keep one growing buffer
        if self._out.size < words + 2:
            self._out = np.empty(words + 2, dtype=U64)
        return self._out


class AesPrg:
    """A stream of pseudo-random bytes: AES-128-CTR keyed with a 16-byte seed (the core of NIST SP 800-90A CTR_DRBG).

    Fresh garbling randomness uses ``AesPrg()``, seeded from ``secrets.token_bytes``; OT extension expands
    base-OT seeds with ``AesPrg(seed)``. Successive calls continue the stream.
    """

    def __init__(self, seed: bytes | None = None) -> None:
        seed = secrets.token_bytes(LABEL_BYTES) if seed is None else seed
        if not isinstance(seed, (bytes, bytearray)) or len(seed) != LABEL_BYTES:
            raise ValueError(f"AesPrg seed must be {LABEL_BYTES} bytes; pass secrets.token_bytes({LABEL_BYTES}) "
                             "or omit it")
        self._ctr = Cipher(algorithms.AES(bytes(seed)), modes.CTR(bytes(LABEL_BYTES))).encryptor()
        self._zeros = np.zeros(0, dtype=np.uint8)

    def bytes_into(self, out: np.ndarray) -> np.ndarray:
        """Fill the contiguous array ``out`` with fresh pseudo-random bytes and return it."""
        raw = out.reshape(-1).view(np.uint8)
        if self._zeros.size < raw.size:
            self._zeros = np.zeros(raw.size, dtype=np.uint8)
        raw[:] = np.frombuffer(self._ctr.update(self._zeros[:raw.size].data), dtype=np.uint8)
        return out

    def labels(self, n: int) -> np.ndarray:
        """``n`` fresh uniformly random 128-bit labels, shape (n, 2)."""
        return self.bytes_into(np.empty((int(n), 2), dtype=U64))

    def random_bytes(self, n: int) -> np.ndarray:
        """``n`` pseudo-random bytes as a uint8 array."""
        return self.bytes_into(np.empty(int(n), dtype=np.uint8))
