"""Timing Paillier as chapter 4 and the ``paillier`` benchmark do: our keys (packed or one value per
ciphertext) against python-paillier (``phe``) on the same modulus and values, and the cost per key size."""

from __future__ import annotations

import time
import warnings

import numpy as np
import phe

from .encoding import FixedPoint
from .paillier import InsecureKeyWarning, PaillierPrivateKey, PaillierPublicKey, generate_keypair


def time_ours(public_key: PaillierPublicKey, private_key: PaillierPrivateKey, values: np.ndarray,
              encoding: FixedPoint, pack: bool = True) -> dict:
    """Encrypt then decrypt ``values`` with our keys, from a fresh public key (the randomizer table is built
    inside the timed job, as a data owner would)."""
    with warnings.catch_warnings():  # a copy of the caller's key: the caller was warned about its size already
        warnings.simplefilter("ignore", InsecureKeyWarning)
        fresh = PaillierPublicKey(public_key.n, insecure_demo=public_key.insecure_demo)
    owner = PaillierPrivateKey(fresh, private_key.p, private_key.q)
    times = [time.perf_counter()]
    fresh.precompute()
    times.append(time.perf_counter())
    encrypted = fresh.encrypt_array(values, encoding, pack=pack)
    times.append(time.perf_counter())
    decrypted = owner.decrypt(encrypted)
    times.append(time.perf_counter())
    table_s, encrypt_s, decrypt_s = np.diff(times).tolist()
    return {"seconds": times[-1] - times[0], "table_s": table_s, "encrypt_s": encrypt_s, "decrypt_s": decrypt_s,
            "ciphertexts": encrypted.n_ciphertexts, "slots": encrypted.layout.slots,
            "max_abs_error": float(np.abs(decrypted - values).max())}


def time_phe(public_key: PaillierPublicKey, private_key: PaillierPrivateKey, values: np.ndarray) -> dict:
    """The same job with python-paillier: one float per ciphertext, its own encoding, the same modulus."""
    phe_public = phe.PaillierPublicKey(public_key.n)
    phe_private = phe.PaillierPrivateKey(phe_public, private_key.p, private_key.q)
    start = time.perf_counter()
    encrypted = [phe_public.encrypt(float(v)) for v in values]
    encrypt_s = time.perf_counter() - start
    decrypted = np.array([phe_private.decrypt(c) for c in encrypted])
    total_s = time.perf_counter() - start
    return {"seconds": total_s, "encrypt_s": encrypt_s, "decrypt_s": total_s - encrypt_s,
            "ciphertexts": len(encrypted), "max_abs_error": float(np.abs(decrypted - values).max())}


def cost_per_key_size(key_sizes: list[int], repeats: int = 10) -> list[dict]:
    """Milliseconds per value to encrypt and to decrypt one number (ours unpacked, and phe) and seconds to
    generate a key pair and build our randomizer table, for each key size. The keys only time the sizes
    the caller lists (1024 bits included, the lecture's size): no ``InsecureKeyWarning`` for them."""
    rows = []
    for bits in key_sizes:
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", InsecureKeyWarning)
            public_key, private_key = generate_keypair(bits)
        keygen_s = time.perf_counter() - start
        values = np.linspace(-1000, 1000, repeats)
        ours = time_ours(public_key, private_key, values, FixedPoint(), pack=False)
        theirs = time_phe(public_key, private_key, values)
        rows.append({"key_bits": bits, "keygen_s": keygen_s, "table_s": ours["table_s"],
                     **{f"{who}_{op}_ms": 1000 * timing[f"{op}_s"] / repeats
                        for who, timing in (("ours", ours), ("phe", theirs)) for op in ("encrypt", "decrypt")}})
    return rows
