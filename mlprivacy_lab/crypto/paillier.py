"""Paillier's additive homomorphic cryptosystem: fast, vectorized, with fixed-point encoding and packing.

P. Paillier, "Public-key cryptosystems based on composite degree residuosity classes", EUROCRYPT 1999.
With n = pq and g = n + 1, Enc(m; r) = g^m r^n mod n^2 (Scheme 1), and Dec(c) = L(c^lambda mod n^2) /
L(g^lambda mod n^2) mod n with L(u) = (u - 1) / n, computed mod p^2 and q^2 and recombined with the Chinese
remainder theorem (Section 7). The lecture's homomorphism: Enc[x] * Enc[y] = Enc[x + y], Enc[x]^k = Enc[k x].

What makes it fast:
- the randomizer r^n is h_s^a with h_s = (-x^2)^n mod n^2 for a uniform x in Z_n^* and a uniform exponent a
  of ceil(|n| / 2) bits: Damgard, Jurik and Nielsen, "A generalization of Paillier's public-key system with
  applications to electronic voting", Int. J. Inf. Secur. 9(6), 2010 (key generation with h = -x^2 mod n).
  A fixed-base table of h_s^(j * 16^i) turns h_s^a into one product of |n| / 8 table entries;
- fixed-point values are packed into slots (``packing.py``), so a vector costs a fraction of the ciphertexts;
- gmpy2 arithmetic.

Re-randomization: a result of ``enc * k``, ``enc + m`` or ``-enc`` is a function of the input ciphertext that
anyone can recompute from the public key (Enc[x]^k, Enc[x] (1 + m n), and Enc[x]^0 = 1), so whoever saw
Enc[x] would learn k or m by trial. ``rerandomize()`` multiplies every ciphertext by a fresh n-th residue
h_s^a (from the same fixed-base table: one product per |n| / 8 bits, no exponentiation), and a computed
result is re-randomized before it leaves its holder (``ciphertexts``, ``ciphertext``, ``to_json``), as phe
obfuscates on export. Fresh encryptions are already randomized.

Keys: 2048 bits by default; 1024 to 2047 bits warn (``InsecureKeyWarning``, NIST SP 800-57 Part 1 Rev. 5
disallows them for protecting data); below 1024 bits need ``insecure_demo=True``.

The API follows python-paillier (``phe``), which uses the same scheme, and ciphertexts interoperate both ways.
"""

from __future__ import annotations

import json
import math
import re
import secrets
import warnings
from numbers import Integral, Real

import gmpy2
import numpy as np

from .encoding import MAX_BITS, FixedPoint, multiplier
from .packing import SlotLayout

MIN_SECURE_BITS = 2048  # NIST SP 800-57 Part 1 Rev. 5, Table 2: 112-bit security; below it, a warning
LEGACY_BITS = 1024      # the lecture's 2017 keys (80-bit security); below it, only with insecure_demo=True
MAX_FRAC_BITS = 1 << 16  # scale limit: 2^-65536 is far below float64's smallest number, every value decodes to 0
INTEGERS = FixedPoint(frac_bits=0, value_bits=64)  # encoding of a raw ciphertext, like phe's exponent 0
_MAX_DIMS = 32  # numpy's limit on the dimensions of an array (2.x allows 64; 1.x, 32)
_PRIME_ROUNDS = 50  # Miller-Rabin rounds (gmpy2.is_prime also trial-divides first)
_SMALL_PRIMES = gmpy2.primorial(1 << 12)  # the product of the primes below 4096: a real modulus has none


class InsecureKeyWarning(UserWarning):
    """A Paillier key below ``MIN_SECURE_BITS`` bits, used without ``insecure_demo=True``."""


def _check_key_size(bits: int, insecure_demo: bool) -> None:
    """Refuse keys above ``MAX_BITS`` and, unless ``insecure_demo``, below ``LEGACY_BITS``.
    ``insecure_demo=True`` states that the key is for a demo or a test."""
    if bits > MAX_BITS:
        raise ValueError(f"a {bits}-bit Paillier modulus is larger than the {MAX_BITS} bits this lab accepts: "
                         f"use n_length=2048 (the default) or up to {MAX_BITS}")
    if bits < LEGACY_BITS and not insecure_demo:
        raise ValueError(f"a {bits}-bit Paillier modulus is far too easy to factor: use n_length >= "
                         f"{MIN_SECURE_BITS} (the default), or pass insecure_demo=True for a classroom demo")


def _warn_key_size(bits: int, insecure_demo: bool) -> None:
    """``InsecureKeyWarning`` below ``MIN_SECURE_BITS``, unless ``insecure_demo``."""
    if bits < MIN_SECURE_BITS and not insecure_demo:
        warnings.warn(f"a {bits}-bit Paillier modulus has less than 112-bit security (1024 bits: 80): NIST SP "
                      f"800-57 Part 1 Rev. 5 (Tables 2 and 4) disallows factoring moduli below {MIN_SECURE_BITS} "
                      f"bits for protecting data. Use n_length={MIN_SECURE_BITS} (the default) or more; keep "
                      f"{bits} bits only to reproduce old numbers (insecure_demo=True says so and silences this)",
                      InsecureKeyWarning, stacklevel=4)  # the caller of generate_keypair / from_json


def _as_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (Integral, gmpy2.mpz)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    return int(value)


def _random_prime(bits: int) -> gmpy2.mpz:
    """A uniform prime among the ``bits``-bit numbers with their top two bits set (so that a product of
    two has exactly 2 * bits bits), by rejection sampling from ``secrets``."""
    top = 3 << (bits - 2)
    while True:
        candidate = gmpy2.mpz(secrets.randbits(bits) | top | 1)
        if gmpy2.is_prime(candidate, _PRIME_ROUNDS):
            return candidate


def generate_keypair(n_length: int = 2048, *, insecure_demo: bool = False
                     ) -> tuple["PaillierPublicKey", "PaillierPrivateKey"]:
    """A Paillier key pair with an ``n_length``-bit modulus n = pq, p and q primes of n_length / 2 bits.

    2048 bits by default. Keys of 1024 to 2047 bits come with an ``InsecureKeyWarning`` (NIST SP 800-57);
    keys below 1024 bits are refused unless ``insecure_demo=True`` (tiny keys show the numbers in class).
    """
    if not isinstance(n_length, Integral) or isinstance(n_length, bool) or n_length % 2 or n_length < 16:
        raise ValueError(f"n_length must be an even integer >= 16, got {n_length!r}")
    _check_key_size(int(n_length), insecure_demo)
    p = _random_prime(n_length // 2)
    q = _random_prime(n_length // 2)
    while q == p:
        q = _random_prime(n_length // 2)
    public_key = PaillierPublicKey(p * q, insecure_demo=insecure_demo)
    return public_key, PaillierPrivateKey(public_key, p, q)


class _FixedBaseTable:
    """h^e mod m by fixed-base windowing: row i holds h^(j * 2^(w i)) for the 2^w digits j, so h^e is the
    product of one entry per w-bit digit of e and needs no squarings (precomputation in the manner of
    Brickell, Gordon, McCurley and Wilson, "Fast exponentiation with precomputation", EUROCRYPT 1992)."""

    def __init__(self, base: gmpy2.mpz, modulus: gmpy2.mpz, exponent_bits: int, window: int = 4) -> None:
        self.modulus, self.window, self.rows = modulus, window, []
        for _ in range(-(-exponent_bits // window)):
            row = [gmpy2.mpz(1)]
            for _ in range(1 << window):
                row.append(row[-1] * base % modulus)
            base = row.pop()  # base^(2^w): the weight of the next digit
            self.rows.append(row)
        self.exponent_bits = len(self.rows) * window

    def pow(self, exponent: int) -> gmpy2.mpz:
        acc, mask = gmpy2.mpz(1), (1 << self.window) - 1
        for i, row in enumerate(self.rows):
            digit = (exponent >> (i * self.window)) & mask
            if digit:
                acc = acc * row[digit] % self.modulus
        return acc


class PaillierPublicKey:
    """Encrypts; ``n`` is the modulus, ``g = n + 1``, ``nsquare = n**2`` (as in phe)."""

    def __init__(self, n: int, *, insecure_demo: bool = False) -> None:
        """Check that ``n`` can be a Paillier modulus p q: a positive odd composite, not a square, of an
        accepted size (see ``generate_keypair``) and, for a real key, free of factors below 4096."""
        n = _as_int(n, "n")
        if n < 3 or n % 2 == 0:
            raise ValueError(f"n must be a positive odd product of two primes, got {_short(n)}")
        _check_key_size(n.bit_length(), insecure_demo)
        if gmpy2.is_prime(n, _PRIME_ROUNDS):
            raise ValueError(f"n = {_short(n)} is prime, but a Paillier modulus is a product p*q of two distinct "
                             "primes: this is not a key that generate_keypair() makes")
        if gmpy2.is_square(n):
            raise ValueError(f"n = {_short(n)} is a perfect square (p == q), trivially factored: a Paillier "
                             "modulus is a product of two distinct primes")
        small = int(gmpy2.gcd(n, _SMALL_PRIMES))
        if small != 1 and not insecure_demo:
            raise ValueError(f"n = {_short(n)} has the small factor {small}, so anyone can factor it: a real "
                             "key's primes have n_length/2 bits (generate_keypair() makes them)")
        _warn_key_size(n.bit_length(), insecure_demo)
        self.n, self.g, self.nsquare, self.insecure_demo = n, n + 1, n * n, insecure_demo
        self._n, self._nn = gmpy2.mpz(n), gmpy2.mpz(n) ** 2
        self._table: _FixedBaseTable | None = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PaillierPublicKey) and other.n == self.n

    def __hash__(self) -> int:
        return hash(self.n)

    def __repr__(self) -> str:
        return f"PaillierPublicKey({self.n.bit_length()}-bit n=0x{self.n:x}"[:48] + "...)"

    def precompute(self) -> "PaillierPublicKey":
        """Build the fixed-base randomizer table now (otherwise at the first encryption)."""
        if self._table is None:
            x = secrets.randbelow(self.n - 1) + 1
            while math.gcd(x, self.n) != 1:
                x = secrets.randbelow(self.n - 1) + 1
            h_s = gmpy2.powmod(-x * x % self._n, self._n, self._nn)
            self._table = _FixedBaseTable(h_s, self._nn, (self.n.bit_length() + 1) // 2)
        return self

    def _randomizer(self) -> gmpy2.mpz:
        """An n-th residue h_s^a mod n^2 with a uniform short exponent a (Damgard-Jurik-Nielsen)."""
        table = self.precompute()._table
        return table.pow(secrets.randbits(table.exponent_bits))

    def _encrypt_signed(self, m: int) -> gmpy2.mpz:
        return (1 + (m % self._n) * self._n) * self._randomizer() % self._nn  # g^m = 1 + m n mod n^2

    def raw_encrypt(self, plaintext: int, r_value: int | None = None) -> int:
        """Encrypt an integer in [0, n), no encoding. ``r_value`` gives the textbook randomizer r^n (for
        demos); by default the randomizer is h_s^a."""
        m = _as_int(plaintext, "plaintext")
        if not 0 <= m < self.n:
            raise ValueError(f"raw plaintexts lie in [0, n); got {m} (encrypt() encodes signed numbers)")
        if r_value is None:
            return int(self._encrypt_signed(m))
        r = _as_int(r_value, "r_value")
        if not 0 < r < self.n or math.gcd(r, self.n) != 1:
            raise ValueError("r_value must be in [1, n) and coprime to n")
        return int((1 + m * self._n) * gmpy2.powmod(r, self._n, self._nn) % self._nn)

    def encrypt(self, value: Real, encoding: FixedPoint | None = None) -> "EncryptedNumber":
        """Encrypt one real number with a fixed-point ``encoding`` (default ``FixedPoint()``)."""
        if np.ndim(value) != 0:
            raise TypeError("encrypt() takes one number; use encrypt_array() for arrays")
        return self.encrypt_array(np.asarray(value, dtype=object), encoding)

    def encrypt_array(self, values: object, encoding: FixedPoint | None = None,
                      pack: bool = False) -> "EncryptedArray":
        """Encrypt an array of reals; ``pack=True`` puts ``encoding.slot_bits``-bit slots side by side so
        one ciphertext carries many values (elementwise +, plaintext + and integer * still work)."""
        encoding = FixedPoint() if encoding is None else encoding
        if not isinstance(encoding, FixedPoint):
            raise TypeError(f"encoding must be a FixedPoint, got {type(encoding).__name__}")
        values = np.asarray(values, dtype=object)
        layout = SlotLayout.for_modulus(self.n, encoding.slot_bits if pack else None)
        if encoding.max_int > layout.capacity:
            raise OverflowError(f"value_bits={encoding.value_bits} does not fit the {layout.slot_bits}-bit "
                                f"plaintext slots of this key: use a larger key or fewer value_bits")
        cts = [self._encrypt_signed(p) for p in layout.pack(encoding.encode(values))]
        out = EncryptedArray._make(self, cts, values.shape, encoding, layout, encoding.frac_bits, encoding.max_int)
        out._fresh = True
        return out

    def to_json(self) -> str:
        return json.dumps({"type": "paillier-public-key", "n": _hex(self.n)})

    @classmethod
    def from_json(cls, text: str, *, insecure_demo: bool = False) -> "PaillierPublicKey":
        data = _load(text, "paillier-public-key", ("n",))
        return cls(_unhex(data["n"], "n"), insecure_demo=insecure_demo)


class PaillierPrivateKey:
    """Decrypts with the Chinese remainder theorem (Paillier 1999, Section 7); ``p`` and ``q`` as in phe."""

    def __init__(self, public_key: PaillierPublicKey, p: int, q: int) -> None:
        if not isinstance(public_key, PaillierPublicKey):
            raise TypeError(f"public_key must be a PaillierPublicKey, got {type(public_key).__name__}")
        p, q = _as_int(p, "p"), _as_int(q, "q")
        if p * q != public_key.n or p == q or not (gmpy2.is_prime(p, _PRIME_ROUNDS) and
                                                    gmpy2.is_prime(q, _PRIME_ROUNDS)):
            raise ValueError("p and q must be two distinct primes with p * q == public_key.n")
        self.public_key, self.p, self.q = public_key, p, q
        self._p, self._q = gmpy2.mpz(p), gmpy2.mpz(q)
        self._pp, self._qq = self._p ** 2, self._q ** 2
        self._hp, self._hq = self._h(self._p, self._pp), self._h(self._q, self._qq)
        self._q_inv = gmpy2.invert(self._q, self._p)

    def _h(self, x: gmpy2.mpz, xx: gmpy2.mpz) -> gmpy2.mpz:
        """h_x = L_x(g^(x-1) mod x^2)^-1 mod x (Paillier 1999, Section 7)."""
        return gmpy2.invert((gmpy2.powmod(self.public_key.g, x - 1, xx) - 1) // x, x)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PaillierPrivateKey) and {other.p, other.q} == {self.p, self.q}

    def __hash__(self) -> int:
        return hash(self.public_key)

    def __repr__(self) -> str:
        return f"PaillierPrivateKey(for a {self.public_key.n.bit_length()}-bit n)"

    def _raw_decrypt(self, c: gmpy2.mpz) -> gmpy2.mpz:
        mp = (gmpy2.powmod(c, self._p - 1, self._pp) - 1) // self._p * self._hp % self._p
        mq = (gmpy2.powmod(c, self._q - 1, self._qq) - 1) // self._q * self._hq % self._q
        return mq + (mp - mq) * self._q_inv % self._p * self._q

    def raw_decrypt(self, ciphertext: int) -> int:
        """Decrypt a raw ciphertext to its plaintext in [0, n), no decoding."""
        return int(self._raw_decrypt(_check_ciphertext(self.public_key, ciphertext)))

    def decrypt(self, encrypted: "EncryptedArray") -> object:
        """Decrypt and decode: a number for an ``EncryptedNumber``, a numpy array for an ``EncryptedArray``.

        Raises ``OverflowError`` if a value lies outside the range its ciphertext declares, or a packed slot
        overflowed (its guard bit is set: ``packing.SlotLayout.unpack``).
        """
        if not isinstance(encrypted, EncryptedArray):
            raise TypeError(f"decrypt() takes an EncryptedNumber or EncryptedArray, got "
                            f"{type(encrypted).__name__} (raw_decrypt() takes raw ciphertexts)")
        if encrypted.public_key != self.public_key:
            raise ValueError("this ciphertext was encrypted under a different public key than this private key")
        n, half = self.public_key.n, self.public_key.n // 2
        signed = [m - n if m > half else m for m in map(int, map(self._raw_decrypt, encrypted._cts))]
        ints = encrypted.layout.unpack(signed, encrypted.size)
        if any(abs(m) > encrypted.bound for m in ints):
            raise OverflowError("a decrypted value exceeds the bound its ciphertext declares: the ciphertext "
                                "does not hold a value of this encoding (wrong encoding or bound?)")
        values = FixedPoint.decode(ints, encrypted.frac_bits).reshape(encrypted.shape)
        return values.item() if encrypted.shape == () else values

    def to_json(self) -> str:
        return json.dumps({"type": "paillier-private-key", "n": _hex(self.public_key.n),
                           "p": _hex(self.p), "q": _hex(self.q)})

    @classmethod
    def from_json(cls, text: str, *, insecure_demo: bool = False) -> "PaillierPrivateKey":
        data = _load(text, "paillier-private-key", ("n", "p", "q"))
        public_key = PaillierPublicKey(_unhex(data["n"], "n"), insecure_demo=insecure_demo)
        return cls(public_key, _unhex(data["p"], "p"), _unhex(data["q"], "q"))


class EncryptedArray:
    """A numpy-shaped array of encrypted fixed-point numbers, one per ciphertext or packed into slots.

    Supports ``+`` (with another encrypted array of the same shape and layout, or plaintext), ``-``,
    ``*`` and ``/`` by plaintext scalars, ``*`` by plaintext arrays, ``@`` with plaintext matrices and
    ``sum()`` (the last three unpacked only: packed slots share a ciphertext). ``bound`` is a public upper
    bound on every |encoded value| derived from the declared encoding, never from the data; an operation
    whose result could exceed the slot raises ``OverflowError`` before it happens. A computed result is
    re-randomized before its ciphertexts leave (``ciphertexts``, ``to_json``); ``rerandomize()`` does it on
    demand.
    """

    __array_ufunc__ = None  # numpy defers to our reflected operators: ndarray + Enc, W @ Enc

    def __init__(self, public_key: PaillierPublicKey, ciphertexts: list[int], shape: tuple[int, ...],
                 encoding: FixedPoint = INTEGERS, *, packed: bool = False, frac_bits: int | None = None,
                 bound: int | None = None) -> None:
        """Wrap raw ciphertexts of fresh values of ``encoding`` (declare ``frac_bits`` and ``bound`` otherwise)."""
        if not isinstance(public_key, PaillierPublicKey):
            raise TypeError(f"public_key must be a PaillierPublicKey, got {type(public_key).__name__}")
        if not isinstance(encoding, FixedPoint):
            raise TypeError(f"encoding must be a FixedPoint, got {type(encoding).__name__}")
        shape = tuple(shape)
        if len(shape) > _MAX_DIMS or not all(isinstance(s, Integral) and not isinstance(s, bool)
                                             and 0 <= s < 1 << 63 for s in shape):
            raise ValueError(f"shape must be at most {_MAX_DIMS} non-negative integers below 2^63 (a numpy "
                             f"shape), got {str(shape)[:60]}")
        shape = tuple(int(s) for s in shape)
        layout = SlotLayout.for_modulus(public_key.n, encoding.slot_bits if packed else None)
        if len(ciphertexts) != layout.n_plaintexts(math.prod(shape)):
            raise ValueError(f"shape {shape} with {layout.slots} values per ciphertext needs "
                             f"{layout.n_plaintexts(math.prod(shape))} ciphertexts, got {len(ciphertexts)}")
        frac_bits = encoding.frac_bits if frac_bits is None else _as_int(frac_bits, "frac_bits")
        if not encoding.frac_bits <= frac_bits <= MAX_FRAC_BITS:
            raise ValueError(f"frac_bits must lie in [{encoding.frac_bits}, {MAX_FRAC_BITS}] (from the encoding's "
                             f"frac_bits to MAX_FRAC_BITS), got {_short(frac_bits)}")
        bound = encoding.max_int << (frac_bits - encoding.frac_bits) if bound is None else _as_int(bound, "bound")
        if not 0 <= bound <= layout.capacity:
            raise ValueError(f"bound must lie in [0, {layout.capacity}] (the slot capacity), got {bound}")
        cts = [_check_ciphertext(public_key, c) for c in ciphertexts]
        self._init(public_key, cts, shape, encoding, layout, frac_bits, bound)

    def _init(self, public_key, cts, shape, encoding, layout, frac_bits, bound) -> None:
        self.public_key, self._cts, self.shape, self.encoding = public_key, cts, shape, encoding
        self.layout, self.frac_bits, self.bound = layout, frac_bits, bound
        self._fresh = False  # True once the ciphertexts carry randomness of their own (fresh or re-randomized)

    @staticmethod
    def _make(public_key: PaillierPublicKey, cts: list, shape: tuple[int, ...], encoding: FixedPoint,
              layout: SlotLayout, frac_bits: int, bound: int) -> "EncryptedArray":
        """A result of an operation (no validation): an ``EncryptedNumber`` when the shape is ()."""
        out = object.__new__(EncryptedNumber if shape == () else EncryptedArray)
        out._init(public_key, cts, tuple(shape), encoding, layout, frac_bits, bound)
        return out

    def _check_room(self, frac_bits: int, bound: int, what: str) -> None:
        """``OverflowError`` before computing a result whose declared bound exceeds the slot capacity or
        whose scale exceeds ``MAX_FRAC_BITS``."""
        if bound > self.layout.capacity:
            raise OverflowError(f"{what} could reach {bound.bit_length()} bits, more than the "
                                f"{self.layout.capacity.bit_length()} value bits of {self._room()}")
        if frac_bits > MAX_FRAC_BITS:
            raise OverflowError(f"{what} would need frac_bits={frac_bits}, more than MAX_FRAC_BITS={MAX_FRAC_BITS} "
                                "(every value would decode to 0.0): multiply by fewer fractional factors, or "
                                "decrypt and re-encrypt")

    def _derive(self, cts: list, frac_bits: int, bound: int, what: str,
                shape: tuple[int, ...] | None = None) -> "EncryptedArray":
        self._check_room(frac_bits, bound, what)
        return EncryptedArray._make(self.public_key, cts, self.shape if shape is None else shape,
                                    self.encoding, self.layout, frac_bits, bound)

    def _room(self) -> str:
        if self.packed:
            return (f"a packed slot (headroom for max_additions={self.encoding.max_additions} additions of "
                    f"{self.encoding.value_bits}-bit values): encrypt with a larger FixedPoint.max_additions")
        return "this key's plaintext space: use a larger key or fewer fractional bits"

    @property
    def packed(self) -> bool:
        """True when encrypted with ``pack=True`` (slots of ``encoding.slot_bits`` bits)."""
        return self.layout != SlotLayout.for_modulus(self.public_key.n)

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def n_ciphertexts(self) -> int:
        return len(self._cts)

    @property
    def ciphertexts(self) -> list[int]:
        """The raw ciphertexts as they leave this holder (a computed result is re-randomized first)."""
        return [int(c) for c in self._exported()]

    def rerandomize(self) -> "EncryptedArray":
        """The same plaintexts under fresh randomness: c' = c * h_s^a mod n^2 for every ciphertext c, with
        h_s^a an n-th residue of a fresh short exponent a from the fixed-base table (as in encryption; Damgard,
        Jurik and Nielsen 2010: indistinguishable from a uniform r^n under their assumption), so
        Dec[c'] = Dec[c] and c' cannot be linked to c (nor a result to its inputs) without the key."""
        key, nn = self.public_key, self.public_key._nn
        out = EncryptedArray._make(key, [c * key._randomizer() % nn for c in self._cts], self.shape,
                                   self.encoding, self.layout, self.frac_bits, self.bound)
        out._fresh = True
        return out

    def _exported(self) -> list:
        """The ciphertexts, re-randomized in place once if they were computed from other ciphertexts (as phe's
        ``obfuscate``): fresh encryptions and re-randomized ones leave as they are."""
        if not self._fresh:
            self._cts, self._fresh = self.rerandomize()._cts, True
        return self._cts

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of an encrypted scalar")
        return self.shape[0]

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(shape={self.shape}, {self.n_ciphertexts} ciphertexts, "
                f"{self.layout.slots} slot(s) of {self.layout.slot_bits} bits, frac_bits={self.frac_bits})")

    # --- homomorphic operations ---------------------------------------------------------------------

    def _times(self, ks: list[int], frac: int, what: str) -> "EncryptedArray":
        """Enc[x]^k = Enc[k x] per ciphertext (one k for all, or one per unpacked element)."""
        nn = self.public_key._nn
        ks = ks * len(self._cts) if len(ks) == 1 else ks
        bound = self.bound * max(map(abs, ks), default=0)
        self._check_room(self.frac_bits + frac, bound, what)
        cts = [gmpy2.powmod(c, k, nn) for c, k in zip(self._cts, ks)]
        return self._derive(cts, self.frac_bits + frac, bound, what)

    def _at_frac(self, frac_bits: int) -> "EncryptedArray":
        """The same values at a finer scale (multiply by 2^d, add d fractional bits)."""
        d = frac_bits - self.frac_bits
        return self if d == 0 else self._times([1 << d], d, "rescaling to a common scale")

    def _plain(self, values: object) -> np.ndarray:
        try:
            return np.broadcast_to(np.asarray(values, dtype=object), self.shape)
        except ValueError:
            raise ValueError(f"a plaintext of shape {np.shape(values)} does not broadcast to the encrypted "
                             f"shape {self.shape}") from None

    def _check_partner(self, other: "EncryptedArray") -> None:
        if other.public_key != self.public_key:
            raise ValueError("cannot combine ciphertexts encrypted under different public keys: decrypt and "
                             "re-encrypt under one key")
        if other.shape != self.shape or other.layout != self.layout or other.encoding != self.encoding:
            raise ValueError(f"encrypted operands differ: shape {self.shape} vs {other.shape}, packing "
                             f"{self.layout} vs {other.layout}, encoding {self.encoding} vs {other.encoding}")

    def __add__(self, other: object) -> "EncryptedArray":
        if isinstance(other, EncryptedArray):
            self._check_partner(other)
            frac = max(self.frac_bits, other.frac_bits)
            a, b = self._at_frac(frac), other._at_frac(frac)
            nn = self.public_key._nn
            return a._derive([x * y % nn for x, y in zip(a._cts, b._cts)], frac, a.bound + b.bound, "this sum")
        if not isinstance(other, (Real, np.ndarray, list, tuple)):
            return NotImplemented
        if isinstance(other, Integral) and other == 0:
            return self  # 0 + x: lets the built-in sum() start without spending headroom
        ints = self.encoding.encode(self._plain(other), self.frac_bits)
        term = self.encoding.max_int << (self.frac_bits - self.encoding.frac_bits)  # declared, not actual
        self._check_room(self.frac_bits, self.bound + term, "adding this plaintext")
        n, nn = self.public_key._n, self.public_key._nn
        cts = [c * (1 + (p % n) * n) % nn for c, p in zip(self._cts, self.layout.pack(ints))]
        return self._derive(cts, self.frac_bits, self.bound + term, "adding this plaintext")

    __radd__ = __add__

    def __neg__(self) -> "EncryptedArray":
        nn = self.public_key._nn
        return self._derive([gmpy2.invert(c, nn) for c in self._cts], self.frac_bits, self.bound, "negation")

    def __sub__(self, other: object) -> "EncryptedArray":
        if isinstance(other, EncryptedArray):
            return self + (-other)
        if not isinstance(other, (Real, np.ndarray, list, tuple)):
            return NotImplemented
        return self + (-self._plain(other))

    def __rsub__(self, other: object) -> "EncryptedArray":
        return (-self) + other

    def __mul__(self, other: object) -> "EncryptedArray":
        if isinstance(other, EncryptedArray):
            raise TypeError("Paillier is only additively homomorphic: it cannot multiply two ciphertexts "
                            "(multiply by a plaintext instead)")
        if not isinstance(other, (Real, np.ndarray, list, tuple)):
            return NotImplemented
        if np.ndim(other) == 0:  # a number, a numpy scalar or a 0-d array
            ks, frac = multiplier(np.asarray(other, dtype=object).ravel())
        else:
            self._require_unpacked("an elementwise product with a plaintext array")
            ks, frac = multiplier(self._plain(other))
        return self._times(ks, frac, f"multiplying by {other if np.ndim(other) == 0 else 'this array'}")

    __rmul__ = __mul__

    def __truediv__(self, other: Real) -> "EncryptedArray":
        if not isinstance(other, Real) or np.ndim(other) != 0:
            return NotImplemented
        return self * (1 / other)

    def _require_unpacked(self, what: str) -> None:
        if self.layout.slots > 1:
            raise ValueError(f"{what} needs one value per ciphertext, but this array is packed: packed slots "
                             f"share a ciphertext (encrypt with pack=False)")

    def sum(self) -> "EncryptedNumber":
        """The encrypted sum of all elements (unpacked arrays)."""
        self._require_unpacked("sum()")
        nn, total = self.public_key._nn, gmpy2.mpz(1)
        for c in self._cts:
            total = total * c % nn
        return self._derive([total], self.frac_bits, self.bound * self.size, "this sum", shape=())

    @property
    def T(self) -> "EncryptedArray":
        """Transpose (unpacked arrays)."""
        self._require_unpacked("a transpose")
        cts = np.array(self._cts, dtype=object).reshape(self.shape).T
        return self._derive(cts.ravel().tolist(), self.frac_bits, self.bound, "a transpose", shape=cts.shape)

    def __matmul__(self, weights: object) -> "EncryptedArray":
        """Enc[x] @ W: out_j = prod_i Enc[x_i]^(W_ij) = Enc[sum_i x_i W_ij] (unpacked, 1-D or 2-D)."""
        if isinstance(weights, EncryptedArray):
            raise TypeError("Paillier cannot multiply two ciphertexts: one side of @ must be plaintext")
        self._require_unpacked("a matrix product")
        W = np.asarray(weights, dtype=object)
        if self.ndim not in (1, 2) or W.ndim not in (1, 2) or self.shape[-1] != W.shape[0]:
            raise ValueError(f"shapes {self.shape} (encrypted) and {W.shape} are not aligned for @")
        ks, frac = multiplier(W)
        K = np.array(ks, dtype=object).reshape(W.shape[0], -1)
        largest = max((sum(map(abs, col)) for col in K.T), default=0)
        self._check_room(self.frac_bits + frac, self.bound * largest, "this matrix product")
        C = np.array(self._cts, dtype=object).reshape(-1, self.shape[-1])
        nn = self.public_key._nn
        out = []
        for row in C:
            for col in K.T:
                acc = gmpy2.mpz(1)
                for c, k in zip(row, col):
                    if k:
                        acc = acc * gmpy2.powmod(c, k, nn) % nn
                out.append(acc)
        shape = self.shape[:-1] + W.shape[1:]
        return self._derive(out, self.frac_bits + frac, self.bound * largest, "this matrix product", shape)

    def __rmatmul__(self, weights: object) -> "EncryptedArray":
        """W @ Enc[x] = (Enc[x]^T @ W^T)^T."""
        return (self.T @ np.asarray(weights, dtype=object).T).T

    # --- JSON ---------------------------------------------------------------------------------------

    def to_json(self) -> str:
        """JSON of the array: its key's n, shape, encoding, scale, bound and (re-randomized) ciphertexts."""
        cts = self._exported()
        return json.dumps({"type": "paillier-encrypted-array", "n": _hex(self.public_key.n),
                           "shape": list(self.shape), "packed": self.packed,
                           "encoding": {"frac_bits": self.encoding.frac_bits,
                                        "value_bits": self.encoding.value_bits,
                                        "max_additions": self.encoding.max_additions},
                           "frac_bits": self.frac_bits, "bound": _hex(self.bound),
                           "ciphertexts": [_hex(c) for c in cts]})

    @staticmethod
    def from_json(public_key: PaillierPublicKey, text: str) -> "EncryptedArray":
        """Load ciphertexts serialized by ``to_json``; they must belong to ``public_key``.

        Everything is checked: the key, the encoding's fields, the shape (non-negative integers, not
        booleans), ``frac_bits`` and ``bound`` in range, the number of ciphertexts and every ciphertext in
        Z*_{n^2}. A check that fails raises ``ValueError`` (``TypeError`` for a non-key) naming the field.
        """
        if not isinstance(public_key, PaillierPublicKey):
            raise TypeError(f"public_key must be a PaillierPublicKey, got {type(public_key).__name__}")
        data = _load(text, "paillier-encrypted-array",
                     ("n", "shape", "packed", "encoding", "frac_bits", "bound", "ciphertexts"))
        if _unhex(data["n"], "n") != public_key.n:
            raise ValueError("these ciphertexts were encrypted under a different public key")
        enc, shape, cts = data["encoding"], data["shape"], data["ciphertexts"]
        if not isinstance(enc, dict) or set(enc) != {"frac_bits", "value_bits", "max_additions"}:
            raise ValueError("'encoding' must be an object with frac_bits, value_bits and max_additions")
        if not isinstance(shape, list) or not all(type(s) is int and s >= 0 for s in shape):
            raise ValueError(f"'shape' must be a list of non-negative integers, got {str(shape)[:40]}")
        if not isinstance(data["frac_bits"], int) or isinstance(data["frac_bits"], bool):
            raise ValueError(f"'frac_bits' must be an integer, got {str(data['frac_bits'])[:40]!r}")
        if not isinstance(cts, list) or not isinstance(data["packed"], bool):
            raise ValueError("'ciphertexts' must be a list and 'packed' a boolean")
        out = EncryptedArray(public_key, [_unhex(c, "ciphertexts[]") for c in cts], tuple(shape),
                             FixedPoint(**enc), packed=data["packed"], frac_bits=data["frac_bits"],
                             bound=_unhex(data["bound"], "bound"))
        return out._derive(out._cts, out.frac_bits, out.bound, "loading") if out.shape == () else out


class EncryptedNumber(EncryptedArray):
    """One encrypted number. As in phe, ``EncryptedNumber(public_key, ciphertext)`` wraps a raw ciphertext
    (by default an integer, ``INTEGERS``); ``.ciphertext`` is the raw integer."""

    def __init__(self, public_key: PaillierPublicKey, ciphertext: int, encoding: FixedPoint = INTEGERS, *,
                 frac_bits: int | None = None, bound: int | None = None) -> None:
        super().__init__(public_key, [ciphertext], (), encoding, frac_bits=frac_bits, bound=bound)

    @property
    def ciphertext(self) -> int:
        """The raw ciphertext as it leaves this holder (a computed result is re-randomized first)."""
        return int(self._exported()[0])


# --- validation and JSON helpers --------------------------------------------------------------------

def _check_ciphertext(public_key: PaillierPublicKey, c: object) -> gmpy2.mpz:
    c = gmpy2.mpz(_as_int(c, "ciphertext"))
    if not 0 < c < public_key._nn or gmpy2.gcd(c, public_key._n) != 1:
        raise ValueError("not a ciphertext of this public key: it must lie in (0, n^2) and be coprime to n")
    return c


def _short(x: int) -> str:
    """An integer for an error message: in full when short, else its first hex digits and its bit length
    (``str`` of an int beyond 4300 digits raises)."""
    x = int(x)
    return str(x) if x.bit_length() <= 128 else f"{'-' * (x < 0)}0x{abs(x):x}"[:19] + f"... ({x.bit_length()} bits)"


def _hex(x: int) -> str:
    return format(int(x), "x")


def _unhex(text: object, name: str) -> int:
    if not isinstance(text, str) or not re.fullmatch(r"[0-9a-f]+", text):
        raise ValueError(f"'{name}' must be a lower-case hexadecimal string, got {str(text)[:40]!r}")
    return int(text, 16)


def _load(text: str, kind: str, fields: tuple[str, ...]) -> dict:
    try:
        data = json.loads(text)
    except (TypeError, json.JSONDecodeError) as err:
        raise ValueError(f"not valid JSON for a {kind}: {err}") from None
    if not isinstance(data, dict) or data.get("type") != kind:
        raise ValueError(f"expected a JSON object with \"type\": \"{kind}\"")
    missing = [f for f in fields if f not in data]
    if missing:
        raise ValueError(f"{kind} JSON lacks the field(s) {', '.join(missing)}")
    return data
