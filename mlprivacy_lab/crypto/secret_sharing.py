"""Additive secret sharing over the ring Z_{2^64} with Beaver multiplication and SecureML truncation.

A secret x in Z_{2^64} is split among n parties as uniformly random shares with x = sum_i x_i mod 2^64
(numpy uint64 arithmetic wraps, so the ring is native). Reals are signed fixed point: x is stored as
round(x * 2^f) in two's complement, the scale is ``2^-f`` (SecureML uses f = 13 in Z_{2^64}).

* addition, subtraction and multiplication by public integers are local;
* multiplication of two shared values uses a Beaver triple (Beaver, "Efficient multiparty protocols using
  circuit randomization", CRYPTO 1991): open d = x - a, e = y - b; z = c + d b + e a + d e, also for matrix
  products (z = C + D B + A E + D E), computed exactly in Z_{2^64} by float64 BLAS on 22-bit limbs
  (``ring.ring_matmul``); ``SharedArray.matmul`` truncates a product to a chosen scale and public shift;
* a fixed-point product has scale 2^-2f; SecureML's local truncation (Mohassel & Zhang, S&P 2017, Sec. 3.1,
  Theorem 1) divides it by 2^f without interaction: party 0 computes floor(x_0 / 2^f), party 1 computes
  2^64 - floor((2^64 - x_1) / 2^f). If |x| < 2^lx the result is floor(x / 2^f) up to +-1 in the last place
  except with probability at most 2^(lx + 1 - 64) (``truncation_failure_bound``), when it is garbage;
* comparison (the sign bit, for SecureML's piecewise-linear sigmoid) opens x + r for a random mask r and
  runs a borrow (Kogge-Stone prefix) circuit on XOR shares of r's bits with binary Beaver triples, then
  converts the bit to an arithmetic share with a shared random bit; ``clip`` builds on it.

**No silent wrap-around.** The ring wraps modulo 2^64, so every ``SharedArray`` carries ``bound``, a PUBLIC
integer with |m| <= bound for the fixed-point integer m it holds (as Paillier's ``EncryptedArray`` does). At
sharing time the owner declares it (``share(x, bound=B)``: a data-independent range, nothing about x is
revealed beyond |x| <= B) or, by default, reveals k, the bit length of its largest |m| (bound 2^k - 1:
about log2 max|x|, and nothing else). Operations derive the result's bound from their inputs' bounds and public
constants only, never from secret data: a + b -> bound_a + bound_b; public p -> bound + max|p|; a * b ->
bound_a * bound_b; k * a -> |k| * bound; (m, k) @ (k, n) -> k * bound_a * bound_b; truncation by d bits
-> ceil(bound / 2^d) + 1; sign bits -> 1; ``clip(lo, hi)`` -> max(|lo|, |hi|) (exact); indexing and
transposes keep it; ``concatenate`` takes the max. A result whose bound exceeds the ring's signed range
(2^63 - 1) raises ``OverflowError`` before it is computed, and so does a truncation whose SecureML failure
probability 2^(lx + 1 - 64) (lx = bit length of the bound) exceeds the session's ``max_truncation_failure``
(default 2^-20). Theorem 1 bounds one truncated value, and truncating an array truncates each element, so
``stats.truncation_failure`` adds size x 2^(lx + 1 - 64) (at most 1) per truncated array: a union bound on
the probability that any value truncated in the session failed. ``reveal`` checks the opened value against its bound.

The triples, masks and random bits come from a **trusted third party** (``TrustedDealer``), as in
SecureML's client-aided offline phase and CrypTen's TTP mode. Here the dealer and all parties are
simulated in one process: ``SharedArray`` holds every party's share so that one call runs the whole
protocol; ``SMPCSession.stats`` counts what real parties would send (rounds, bytes, triples) and the seconds
spent dealing. Every opening goes through ``SMPCSession._combine``, which a one-party session
(``protocols.smpc.twoprocess``) replaces by a real exchange over a socket. Security is
semi-honest; with more than two parties truncation first hands parties 2..n-1's shares to party 1
(one round), so it protects against any single party but not a coalition of parties 0 and 1.
All randomness comes from ``secrets`` (the dealer's through AES-CTR keyed from it).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np

from .aes import AesPrg
from .fixed_point import RING_BITS, check_magnitude, from_fixed, to_fixed
from .ring import ring_matmul

WORD = RING_BITS // 8  # bytes per ring element on the wire
_ONE = np.uint64(1)
#: the largest public bound a result may have: two's complement in Z_{2^64} holds |m| <= 2^63 - 1
RING_LIMIT = (1 << (RING_BITS - 1)) - 1
#: per truncation, the largest SecureML failure probability a session accepts by default
DEFAULT_MAX_TRUNCATION_FAILURE = 2.0 ** -20
_KNOB = "lower frac_bits (SMPCSession(frac_bits=...)) or rescale the data to smaller values"
_HEX_ID = re.compile(r"[0-9a-f]{16}")


def random_ring(shape: tuple[int, ...]) -> np.ndarray:
    """Uniform elements of Z_{2^64} from the ``secrets`` CSPRNG."""
    n = int(np.prod(shape, dtype=np.int64))
    return np.frombuffer(secrets.token_bytes(WORD * n), dtype=np.uint64).reshape(shape).copy()


def truncation_failure_bound(value_bits: int) -> float:
    """SecureML Theorem 1: probability that local truncation of a value with |x| < 2^value_bits fails."""
    return min(1.0, 2.0 ** (value_bits + 1 - RING_BITS))


def _real(bound: int, frac_bits: int) -> str:
    """A public integer bound read as the real magnitude it allows at scale 2^-frac_bits."""
    return f"{math.ldexp(bound, -frac_bits):.6g}"


def _fits_ring(bound: int, frac_bits: int, what: str) -> int:
    """``bound`` when values with |m| <= bound fit the ring's signed range, else ``OverflowError``."""
    if bound > RING_LIMIT:
        raise OverflowError(
            f"{what} could reach |x| = {_real(bound, frac_bits)} (public bound 2^{math.log2(bound):.1f} at scale "
            f"2^-{frac_bits}), beyond the ring's signed fixed-point range |x| < {_real(RING_LIMIT + 1, frac_bits)} "
            f"(2^63 at that scale), so it would wrap: {_KNOB}")
    return bound


def _probability(p: float) -> str:
    return f"{p:.2g} = 2^{math.log2(p):.4g}"


def _truncated_bound(bound: int, bits: int) -> int:
    """The bound after SecureML truncation by ``bits``: |floor(m / 2^bits) +- 1| <= ceil(bound / 2^bits) + 1."""
    return -(-bound >> bits) + 1


def _max_abs(ring: np.ndarray) -> int:
    """max |m| of ring elements read as two's complement (0 for an empty array)."""
    m = np.asarray(ring, dtype=np.uint64).view(np.int64)
    return int(max(-int(m.min()), int(m.max()))) if m.size else 0


@dataclass(frozen=True)
class FixedPointRing:
    """Signed fixed point in Z_{2^64}: x -> round(x * 2^frac_bits) mod 2^64 (two's complement).

    The rules of ``fixed_point.py``; the carrier is the ring, so m wraps modulo 2^64 and a bound smaller than
    the ring, |x| * 2^frac_bits < 2^max_bits (default 2^62, headroom for one addition), keeps the sign
    readable; larger values raise ``OverflowError``. Products carry scale 2^-2f until truncated.
    """

    frac_bits: int = 13
    max_bits: int = 62

    MAX_FRAC_BITS = 30  # a product carries 2f fractional bits

    def __post_init__(self) -> None:
        if not isinstance(self.frac_bits, Integral) or not 0 <= self.frac_bits <= self.MAX_FRAC_BITS:
            raise ValueError(f"frac_bits must be an integer in [0, {self.MAX_FRAC_BITS}] (a product needs 2f bits), "
                             f"got {self.frac_bits!r}")
        if not isinstance(self.max_bits, Integral) or not self.frac_bits < self.max_bits <= RING_BITS - 2:
            raise ValueError(f"max_bits must be an integer in ({self.frac_bits}, {RING_BITS - 2}], got {self.max_bits!r}")

    @property
    def max_abs(self) -> float:
        """The largest |x| a fresh value may have."""
        return math.ldexp(1.0, self.max_bits - self.frac_bits)

    def encode(self, x, frac_bits: int | None = None) -> np.ndarray:
        """Reals (or integers when ``frac_bits == 0``) to ring elements; ``OverflowError`` when too large."""
        f = self.frac_bits if frac_bits is None else frac_bits
        arr, m = to_fixed(x, f)
        check_magnitude(arr, m, self.max_bits, f, f"the ring with headroom (|x| * 2^frac_bits < 2^{self.max_bits})",
                        "rescale the data or lower frac_bits")
        return m.astype(np.int64).astype(np.uint64)

    @staticmethod
    def decode(ring: np.ndarray, frac_bits: int) -> np.ndarray:
        """Ring elements (two's complement) at scale 2^-frac_bits back to int64 (f = 0) or float64."""
        return from_fixed(np.asarray(ring, dtype=np.uint64).view(np.int64), frac_bits)


@dataclass
class CommStats:
    """What the parties would exchange: online rounds and bytes, triples and the dealer's bytes; and the
    truncations done (one per truncated array) with the sum of their elements' SecureML failure bounds (a
    union bound on P[any truncated value failed]); ``dealer_seconds`` is the time spent dealing (the offline
phase, run inline here)."""

    rounds: int = 0
    bytes_sent: int = 0
    triples: int = 0
    binary_triples: int = 0
    dealer_bytes: int = 0
    truncations: int = 0
    truncation_failure: float = 0.0
    dealer_seconds: float = 0.0

    def snapshot(self) -> dict:
        return dict(self.__dict__)

    def since(self, before: dict) -> dict:
        return {k: v - before[k] for k, v in self.__dict__.items()}


class TrustedDealer:
    """The trusted third party of the offline phase: it deals Beaver triples, masks and random bits.

    Simulated in-process: it must not collude with any party, and it never sees a party's data. Its
    randomness is AES-128-CTR keyed from ``secrets`` (``aes.AesPrg``, the CTR_DRBG core): the gigabytes of
    triples an epoch needs come about 3x faster than from the OS generator.
    """

    def __init__(self, n_parties: int, stats: CommStats):
        self.n_parties = n_parties
        self.stats = stats
        self._prg = AesPrg()

    def _random(self, shape: tuple) -> np.ndarray:
        return self._prg.bytes_into(np.empty(shape, dtype=np.uint64))

    def _deal(self, secret: np.ndarray) -> np.ndarray:
        shares = _split(secret, self.n_parties, self._random)
        self.stats.dealer_bytes += WORD * shares.size
        return shares

    def _deal_xor(self, secret: np.ndarray) -> np.ndarray:
        shares = np.empty((self.n_parties, *secret.shape), dtype=np.uint64)
        shares[1:] = self._random((self.n_parties - 1, *secret.shape))
        shares[0] = np.bitwise_xor.reduce(shares[1:], axis=0) ^ secret
        self.stats.dealer_bytes += WORD * shares.size
        return shares

    def triple(self, shape_a: tuple, shape_b: tuple, matmul: bool) -> tuple[np.ndarray, ...]:
        """Shares of random a, b and c = a * b (elementwise) or c = a @ b."""
        start = time.perf_counter()
        a, b = self._random(shape_a), self._random(shape_b)
        self.stats.triples += 1
        if matmul:
            c = ring_matmul(a, b) if b.ndim == 2 else ring_matmul(a, b[:, None])[:, 0]
        else:
            c = a * b
        out = self._deal(a), self._deal(b), self._deal(c)
        self.stats.dealer_seconds += time.perf_counter() - start
        return out

    def binary_triple(self, shape: tuple) -> tuple[np.ndarray, ...]:
        """XOR shares of random 64-bit words a, b and c = a AND b (64 bit triples per word)."""
        start = time.perf_counter()
        a, b = self._random(shape), self._random(shape)
        self.stats.binary_triples += int(np.prod(shape, dtype=np.int64))
        out = self._deal_xor(a), self._deal_xor(b), self._deal_xor(a & b)
        self.stats.dealer_seconds += time.perf_counter() - start
        return out

    def mask_with_bits(self, shape: tuple) -> tuple[np.ndarray, np.ndarray]:
        """Arithmetic shares of a random r and XOR shares of the same r (its bits)."""
        start = time.perf_counter()
        r = self._random(shape)
        out = self._deal(r), self._deal_xor(r)
        self.stats.dealer_seconds += time.perf_counter() - start
        return out

    def random_bit(self, shape: tuple) -> tuple[np.ndarray, np.ndarray]:
        """XOR shares and arithmetic shares of the same random bit s."""
        start = time.perf_counter()
        s = self._random(shape) & _ONE
        out = self._deal_xor(s), self._deal(s)
        self.stats.dealer_seconds += time.perf_counter() - start
        return out


def _split(secret: np.ndarray, n_parties: int,
           random: Callable[[tuple], np.ndarray] = random_ring) -> np.ndarray:
    """n additive shares of ``secret``: n - 1 uniform (from ``random``), the first makes them sum to it."""
    shares = np.empty((n_parties, *secret.shape), dtype=np.uint64)
    shares[1:] = random((n_parties - 1, *secret.shape))
    shares[0] = secret - shares[1:].sum(axis=0, dtype=np.uint64)
    return shares


def _derived_id(op: str, *ids: str) -> str:
    """The id of a sharing computed from others: every party derives the same id locally."""
    return hashlib.sha256("|".join((op, *ids)).encode()).hexdigest()[:16]


def _json_int(d: dict, key: str, low: int, high: int) -> int:
    """``d[key]`` when it is a JSON integer in [low, high], else ``ValueError`` naming the field."""
    v = d[key]
    if type(v) is not int or not low <= v <= high:
        raise ValueError(f"share JSON field {key!r} must be an integer in [{low}, {high}], got {v!r}")
    return v


@dataclass(frozen=True)
class Share:
    """One party's share of a secret-shared array; JSON-serialisable. ``bound`` is the array's public
    magnitude bound (see the module docstring), the same in every party's share."""

    party: int
    n_parties: int
    values: np.ndarray = field(repr=False)
    frac_bits: int
    sharing_id: str
    session_id: str
    bound: int

    _FIELDS = ("party", "n_parties", "shape", "values", "frac_bits", "sharing_id", "session_id", "bound")

    def to_json(self) -> str:
        return json.dumps({"party": self.party, "n_parties": self.n_parties, "shape": list(self.values.shape),
                           "values": [int(v) for v in self.values.ravel()], "frac_bits": self.frac_bits,
                           "sharing_id": self.sharing_id, "session_id": self.session_id, "bound": self.bound})

    @classmethod
    def from_json(cls, text: str) -> "Share":
        """Load and validate: ring words are integers in [0, 2^64), the shape holds them, the party index lies
        in [0, n_parties), ids are 16 hex digits, frac_bits and the public bound are in range."""
        try:
            d = json.loads(text)
        except (TypeError, ValueError) as err:
            raise ValueError(f"share JSON is not valid JSON ({err}): pass the text Share.to_json wrote") from None
        if not isinstance(d, dict):
            raise ValueError(f"share JSON must be an object, got {type(d).__name__}: was it written by Share.to_json?")
        missing = set(cls._FIELDS) - set(d)
        if missing:
            raise ValueError(f"share JSON lacks {sorted(missing)}: was it written by Share.to_json?")
        n_parties = _json_int(d, "n_parties", 2, 1 << 16)
        party = _json_int(d, "party", 0, n_parties - 1)
        frac_bits = _json_int(d, "frac_bits", 0, FixedPointRing.MAX_FRAC_BITS)
        bound = _json_int(d, "bound", 0, RING_LIMIT)
        for key in ("sharing_id", "session_id"):
            if not isinstance(d[key], str) or not _HEX_ID.fullmatch(d[key]):
                raise ValueError(f"share JSON field {key!r} must be 16 lowercase hex digits, got {d[key]!r}")
        shape, words = d["shape"], d["values"]
        if not isinstance(shape, list) or not all(type(n) is int and n >= 0 for n in shape):
            raise ValueError(f"share JSON shape must be a list of non-negative integers, got {shape!r}")
        if not isinstance(words, list):
            raise ValueError(f"share JSON values must be a list of ring words, got {type(words).__name__}")
        for i, v in enumerate(words):
            if type(v) is not int or not 0 <= v < 1 << RING_BITS:
                raise ValueError(f"share JSON values must be integers in [0, 2^{RING_BITS}) (ring words), got "
                                 f"{v!r} at index {i}")
        if len(words) != math.prod(shape):
            raise ValueError(f"share JSON has {len(words)} values for shape {shape}")
        values = np.array(words, dtype=np.uint64).reshape(shape)
        return cls(party, n_parties, values, frac_bits, d["sharing_id"], d["session_id"], bound)


def _first_non_integer(x: object) -> tuple[int, object] | None:
    """(flat index, value) of the first finite real in x that is not a whole number, or None."""
    arr = np.asarray(x)
    if arr.dtype.kind == "f":
        flat = arr.ravel()
        bad = np.flatnonzero(np.isfinite(flat) & (flat != np.rint(flat)))
        return (int(bad[0]), flat[bad[0]].item()) if bad.size else None
    if arr.dtype == object:
        for i, v in enumerate(arr.ravel()):
            if isinstance(v, Real) and not isinstance(v, Integral) and math.isfinite(v) and v != math.floor(v):
                return i, v
    return None


class SMPCSession:
    """n parties, a trusted dealer and the fixed-point encoding they agreed on, plus the traffic counters.

    ``max_truncation_failure`` (default 2^-20, settable) is the largest SecureML failure probability one
    truncated value may have (``truncation_failure_bound`` of its public bound); ``stats.truncation_failure``
    sums the bounds of every value truncated in the session (size x bound per array).
    """

    def __init__(self, n_parties: int = 2, frac_bits: int = 13,
                 max_truncation_failure: float = DEFAULT_MAX_TRUNCATION_FAILURE):
        if not isinstance(n_parties, Integral) or n_parties < 2:
            raise ValueError(f"secret sharing needs n_parties >= 2, got {n_parties!r}")
        self.n_parties = int(n_parties)
        self.encoding = FixedPointRing(frac_bits)
        self.max_truncation_failure = max_truncation_failure
        self.stats = CommStats()
        self.dealer = TrustedDealer(self.n_parties, self.stats)
        self.id = secrets.token_hex(8)

    @property
    def frac_bits(self) -> int:
        return self.encoding.frac_bits

    @property
    def max_truncation_failure(self) -> float:
        return self._max_truncation_failure

    @max_truncation_failure.setter
    def max_truncation_failure(self, p: float) -> None:
        if isinstance(p, bool) or not isinstance(p, Real) or not 0 < p <= 1:
            raise ValueError(f"max_truncation_failure must be a probability in (0, 1], got {p!r}; the default is "
                             f"2^-20 = {DEFAULT_MAX_TRUNCATION_FAILURE:.2g}")
        self._max_truncation_failure = float(p)

    def share(self, x, owner: int = 0, integer: bool = False, bound: float | None = None,
              frac_bits: int | None = None) -> "SharedArray":
        """Party ``owner`` encodes x (integers exactly with ``integer=True``) and sends one random share to
        every other party (one round).

        ``bound`` is the public bound the owner declares, |x| <= bound (checked; it reveals nothing else about
        x). Without it the owner reveals k, the bit length of max |round(x * 2^frac_bits)| (bound 2^k - 1).
        ``frac_bits`` overrides the session's scale for this array (e.g. pixels p / 256 exact at 2^-8).
        """
        if isinstance(owner, bool) or not isinstance(owner, Integral) or not 0 <= owner < self.n_parties:
            raise ValueError(f"owner must be a party index in [0, {self.n_parties}), got {owner!r}")
        if integer and (bad := _first_non_integer(x)) is not None:
            raise ValueError(f"share(..., integer=True) got the non-integer {bad[1]!r} (flat index {bad[0]}): "
                             "integers are shared exactly, never rounded; pass integer=False to share reals "
                             "in fixed point")
        f = 0 if integer else self.frac_bits if frac_bits is None else frac_bits
        if isinstance(f, bool) or not isinstance(f, Integral) or not 0 <= f <= FixedPointRing.MAX_FRAC_BITS:
            raise ValueError(f"frac_bits must be an integer in [0, {FixedPointRing.MAX_FRAC_BITS}], got {f!r}")
        ring = self.encoding.encode(x, f)
        largest = _max_abs(ring)
        if bound is None:
            public = (1 << largest.bit_length()) - 1
        else:
            if isinstance(bound, bool) or not isinstance(bound, Real) or not bound >= 0:
                raise ValueError(f"bound must be a non-negative number (the public bound on |x|), got {bound!r}")
            public = _max_abs(self.encoding.encode(bound, f))
            if largest > public or np.any(np.abs(np.asarray(x, dtype=np.float64)) > bound):
                raise ValueError(f"x exceeds the bound its owner declares: max |x| = {_real(largest, f)} > "
                                 f"bound={bound!r}; declare a larger bound (or none)")
        self._send(ring.size * (self.n_parties - 1))
        return SharedArray(self, _split(ring, self.n_parties), f, secrets.token_hex(8), public)

    def reconstruct(self, shared: "SharedArray") -> np.ndarray:
        """Every party broadcasts its share (one round) and decodes the sum, checked against its public bound
        (a value beyond it means a truncation failed or a share was altered)."""
        ring = self._open(shared.shares)
        m = ring.view(np.int64)
        if m.size and (int(m.max()) > shared.bound or int(m.min()) < -shared.bound):
            raise OverflowError(
                f"the opened value exceeds its public bound |x| <= {_real(shared.bound, shared.frac_bits)}: a "
                f"truncation failed (this session's total failure bound is {self.stats.truncation_failure:.2g}) "
                "or a share was altered; recompute it, with a lower max_truncation_failure or smaller data")
        return self.encoding.decode(ring, shared.frac_bits)

    def from_shares(self, shares: list[Share]) -> "SharedArray":
        """Reassemble the parties' shares of one sharing; mixing sharings or sessions is an error."""
        if not all(isinstance(s, Share) for s in shares):
            raise TypeError("from_shares needs a list of Share objects (Share.from_json loads one)")
        if len(shares) != self.n_parties or sorted(s.party for s in shares) != list(range(self.n_parties)):
            raise ValueError(f"need exactly one share from each of the {self.n_parties} parties, got parties "
                             f"{sorted(s.party for s in shares)}")
        first = shares[0]
        for s in shares:
            if s.session_id != self.id or s.n_parties != self.n_parties:
                raise ValueError(f"share of party {s.party} belongs to session {s.session_id} with {s.n_parties} "
                                 f"parties, not {self.id} with {self.n_parties}")
            if s.sharing_id != first.sharing_id:
                raise ValueError(f"shares come from different sharings ({first.sharing_id} vs {s.sharing_id}): "
                                 f"their sum would be meaningless; collect all shares of one value")
            if s.values.shape != first.values.shape or s.frac_bits != first.frac_bits or s.bound != first.bound:
                raise ValueError("shares of one sharing must have one shape, one scale and one public bound")
        ordered = sorted(shares, key=lambda s: s.party)
        return SharedArray(self, np.stack([s.values.astype(np.uint64) for s in ordered]), first.frac_bits,
                           first.sharing_id, first.bound)

    # -- the wire ---------------------------------------------------------------------------------
    def _send(self, n_words: int, bits: int = RING_BITS) -> None:
        self.stats.rounds += 1
        self.stats.bytes_sent += math.ceil(n_words * bits / 8)

    def _open(self, shares: np.ndarray, bits: int = RING_BITS, xor: bool = False) -> np.ndarray:
        """Every party broadcasts its share of ``shares`` (one round)."""
        self._send(shares[0].size * self.n_parties * (self.n_parties - 1), bits)
        return self._combine([shares], xor)[0]

    def _combine(self, arrays: list[np.ndarray], xor: bool = False) -> list[np.ndarray]:
        """The opened values: each array's shares summed (or XORed) over the parties. Here every share is
        local; a session of one real party (``protocols.smpc.twoprocess``) exchanges them over a socket."""
        if xor:
            return [np.bitwise_xor.reduce(a, axis=0) for a in arrays]
        return [a.sum(axis=0, dtype=np.uint64) for a in arrays]

    def _open_many(self, *arrays: np.ndarray) -> list[np.ndarray]:
        """Open several sharings in one round."""
        words = sum(a[0].size for a in arrays) * self.n_parties * (self.n_parties - 1)
        self._send(words)
        return self._combine(list(arrays))

    # -- protocols on raw shares --------------------------------------------------------------------
    def _beaver(self, x: np.ndarray, y: np.ndarray, matmul: bool) -> np.ndarray:
        a, b, c = self.dealer.triple(x.shape[1:], y.shape[1:], matmul)
        d, e = self._open_many(x - a, y - b)
        b = b.copy()
        b[0] += e  # party 0 adds d e: d (b_0 + e) + a_0 e
        if not matmul:
            return c + d * b + a * e
        if b.ndim == 2:  # matrix @ vector: a one-column matrix
            b, e = b[..., None], e[:, None]
        n, cols = self.n_parties, b.shape[-1]  # exact ring products by float64 BLAS limbs (``crypto.ring``)
        db = ring_matmul(d, np.concatenate(list(b), axis=-1))  # d's limbs once: d @ [b_0 + e | b_1 | ...]
        ae = ring_matmul(a.reshape(-1, a.shape[-1]), e)  # [a_0; a_1; ...] @ e
        z = np.stack([db[:, i * cols:(i + 1) * cols] for i in range(n)]) + ae.reshape(n, -1, cols)
        return c + z.reshape(c.shape)

    def _truncation_risk(self, bound: int, frac_bits: int, what: str) -> float:
        """SecureML Theorem 1 for a value with |m| <= bound < 2^lx (lx = bound's bit length): its failure
        probability 2^(lx + 1 - 64), or ``OverflowError`` when it exceeds ``max_truncation_failure``."""
        p = truncation_failure_bound(bound.bit_length())
        if p > self.max_truncation_failure:
            raise OverflowError(
                f"truncating {what} (|x| up to {_real(bound, frac_bits)}, public bound < 2^{bound.bit_length()} at "
                f"scale 2^-{frac_bits}) fails with probability up to {_probability(p)} (SecureML Theorem 1), above "
                f"this session's max_truncation_failure={_probability(self.max_truncation_failure)}: {_KNOB}, or "
                "accept the risk with SMPCSession(max_truncation_failure=...)")
        return p

    def _truncate(self, x: np.ndarray, bits: int, risk: float) -> np.ndarray:
        """SecureML local truncation (Sec. 3.1); with n > 2 parties 2..n-1 first send their shares to party 1.
        ``risk`` (from ``_truncation_risk``) bounds one value's failure; the union bound over the array's
        elements, min(1, size x risk), is added to the session's total."""
        self.stats.truncations += 1
        self.stats.truncation_failure += min(1.0, x[0].size * risk)
        x = x.copy()
        if self.n_parties > 2:
            self._send(x[0].size * (self.n_parties - 2))
            x[1] += x[2:].sum(axis=0, dtype=np.uint64)
            x[2:] = 0
        shift = np.uint64(bits)
        x[0] = x[0] >> shift
        x[1] = np.uint64(0) - ((np.uint64(0) - x[1]) >> shift)
        return x

    def _and(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """AND of XOR-shared 64-bit words with a binary Beaver triple (one round)."""
        a, b, c = self.dealer.binary_triple(x.shape[1:])
        self._send(2 * x[0].size * self.n_parties * (self.n_parties - 1))
        d, e = self._combine([x ^ a, y ^ b], xor=True)
        z = c ^ (d & b) ^ (e & a)
        z[0] ^= d & e
        return z

    def _msb(self, x: np.ndarray) -> np.ndarray:
        """Arithmetic shares of the sign bit of x (1 when x < 0 as a signed 64-bit value).

        Open c = x + r; x = c - r, so msb(x) = c_63 xor r_63 xor [c mod 2^63 < r mod 2^63], the borrow,
        computed by a Kogge-Stone prefix over (G, P) = (r_i AND NOT c_i, NOT(r_i xor c_i)) in 6 AND rounds.
        """
        shape = x.shape[1:]
        x = x.reshape(self.n_parties, -1)
        r_arith, r_bits = self.dealer.mask_with_bits(x.shape[1:])
        c = self._open(x + r_arith)
        g = r_bits & ~c
        p = r_bits.copy()
        p[0] ^= ~c
        for s in (1, 2, 4, 8, 16, 32):
            shift = np.uint64(s)
            both = self._and(np.concatenate([p, p], axis=1), np.concatenate([g << shift, p << shift], axis=1))
            g ^= both[:, : g.shape[1]]
            p = both[:, g.shape[1]:]
        msb = ((r_bits >> np.uint64(63)) ^ (g >> np.uint64(62))) & _ONE
        msb[0] ^= (c >> np.uint64(63)) & _ONE
        return self._bit_to_arith(msb).reshape(self.n_parties, *shape)

    def _bit_to_arith(self, bits: np.ndarray) -> np.ndarray:
        """XOR-shared bits to additive shares: open t = b xor s, then b = t + s - 2 t s (one 1-bit round)."""
        s_xor, s_arith = self.dealer.random_bit(bits.shape[1:])
        t = self._open(bits ^ s_xor, bits=1, xor=True) & _ONE
        out = s_arith * (_ONE - np.uint64(2) * t)
        out[0] += t
        return out


class SharedArray:
    """An array secret-shared among a session's parties (all shares held here: the parties are simulated).

    Operators: ``+``/``-`` with shared or public arrays, ``*`` with public numbers (integers exact, reals
    encoded at the session scale then truncated) or shared arrays (Beaver), ``@`` (Beaver matrix triple).
    Products are truncated back to the larger input scale. ``bound`` is the public bound |m| <= bound of
    the fixed-point integers held (module docstring): every operation derives it from public quantities and
    raises ``OverflowError`` before its result could wrap or its truncation could fail too likely.
    """

    __array_ufunc__ = None  # numpy defers to our reflected operators: ndarray + SharedArray

    def __init__(self, session: SMPCSession, shares: np.ndarray, frac_bits: int, sharing_id: str, bound: int):
        self.session, self.shares, self.frac_bits, self.sharing_id = session, shares, frac_bits, sharing_id
        if isinstance(bound, bool) or not isinstance(bound, Integral) or bound < 0:
            raise ValueError(f"bound must be a non-negative integer (the public bound on |m|), got {bound!r}")
        self.bound = _fits_ring(int(bound), frac_bits, "this array")

    @property
    def shape(self) -> tuple[int, ...]:
        return self.shares.shape[1:]

    def party_shares(self) -> list[Share]:
        """Each party's share as a JSON-serialisable ``Share``."""
        return [Share(i, self.session.n_parties, self.shares[i].copy(), self.frac_bits, self.sharing_id,
                      self.session.id, self.bound) for i in range(self.session.n_parties)]

    def reveal(self) -> np.ndarray:
        return self.session.reconstruct(self)

    def _new(self, shares: np.ndarray, frac_bits: int, bound: int, what: str, op: str,
             *others: "SharedArray") -> "SharedArray":
        """A result: ``bound`` is checked against the ring (``what`` names the operation in the error)."""
        return SharedArray(self.session, shares, frac_bits,
                           _derived_id(op, self.sharing_id, *(o.sharing_id for o in others)),
                           _fits_ring(bound, frac_bits, what))

    def _check(self, other: "SharedArray", same_shape: bool = True) -> None:
        if other.session is not self.session:
            raise ValueError("cannot combine shares of different sessions: share both values in one SMPCSession")
        if same_shape and other.shape != self.shape:
            raise ValueError(f"shape mismatch: {self.shape} vs {other.shape}; reshape or slice the inputs first")
        if same_shape and other.frac_bits != self.frac_bits:
            raise ValueError(f"scale mismatch: 2^-{self.frac_bits} vs 2^-{other.frac_bits}; truncate first")

    def _public(self, value) -> np.ndarray:
        arr = np.asarray(value)
        if np.broadcast_shapes(arr.shape, self.shape) != self.shape:
            raise ValueError(f"public operand of shape {arr.shape} does not broadcast to {self.shape}")
        return np.broadcast_to(self.session.encoding.encode(arr, self.frac_bits), self.shape)

    def __add__(self, other) -> "SharedArray":
        shares = self.shares.copy()
        if isinstance(other, SharedArray):
            self._check(other)
            return self._new(shares + other.shares, self.frac_bits, self.bound + other.bound, "this sum", "add",
                             other)
        public = self._public(other)
        shares[0] += public
        return self._new(shares, self.frac_bits, self.bound + _max_abs(public), "this sum",
                         f"add-public:{np.asarray(other).tobytes().hex()}")

    __radd__ = __add__

    def __neg__(self) -> "SharedArray":
        return self._new(np.uint64(0) - self.shares, self.frac_bits, self.bound, "this negation", "neg")

    def __sub__(self, other) -> "SharedArray":
        return self + (-other)

    def __rsub__(self, other) -> "SharedArray":
        return (-self) + other

    def __mul__(self, other) -> "SharedArray":
        if isinstance(other, SharedArray):
            self._check(other, same_shape=False)
            if other.shape != self.shape:
                raise ValueError(f"elementwise product needs equal shapes, got {self.shape} and {other.shape}")
            return self._product(lambda: self.session._beaver(self.shares, other.shares, matmul=False),
                                 self.bound * other.bound, other.frac_bits, "this product", "mul", other)
        if isinstance(other, Integral) and not isinstance(other, bool):
            k = int(other)
            return self._new(self.shares * np.uint64(k % (1 << RING_BITS)), self.frac_bits, abs(k) * self.bound,
                             f"this product by the public integer {k}", f"mul:{other}")
        if isinstance(other, Real):
            f = self.session.frac_bits
            c = self.session.encoding.encode(np.float64(other), f)
            return self._product(lambda: self.shares * c, self.bound * _max_abs(c), f,
                                 f"this product by the public {other!r}", f"mul:{other!r}")
        raise TypeError(f"cannot multiply a SharedArray by {type(other).__name__}; use a number or a SharedArray")

    __rmul__ = __mul__

    def __matmul__(self, other: "SharedArray") -> "SharedArray":
        return self.matmul(other)

    def matmul(self, other: "SharedArray", frac_bits: int | None = None, shift: int = 0) -> "SharedArray":
        """self @ other (Beaver matrix triple) truncated ONCE to scale 2^-frac_bits (default: the larger input
        scale) and divided by a further 2^shift (a public power-of-two step, e.g. SGD's alpha / |B|)."""
        if not isinstance(other, SharedArray):
            raise TypeError("@ needs two SharedArrays; for a public matrix share it first")
        self._check(other, same_shape=False)
        if self.shares.ndim != 3 or other.shares.ndim not in (2, 3) or self.shape[1] != other.shape[0]:
            raise ValueError(f"matrix product needs shapes (m, k) @ (k,) or (k, n), got {self.shape} @ {other.shape}")
        return self._product(lambda: self.session._beaver(self.shares, other.shares, matmul=True),
                             self.shape[1] * self.bound * other.bound, other.frac_bits, "this matrix product",
                             "matmul", other, target=frac_bits, shift=shift)

    def _product(self, compute: Callable[[], np.ndarray], raw_bound: int, other_frac: int, what: str, op: str,
                 *others: "SharedArray", target: int | None = None, shift: int = 0) -> "SharedArray":
        """A product at scale 2^-(f_self + f_other), truncated back to the larger scale (or ``target``) and
        by ``shift`` more bits. Both checks (the raw product fits the ring, its truncation may fail at most
        ``max_truncation_failure``) run before any share is computed or sent."""
        raw_frac = self.frac_bits + other_frac
        target = max(self.frac_bits, other_frac) if target is None else target
        if not 0 <= target <= raw_frac or not 0 <= shift < RING_BITS - 1 - (raw_frac - target):
            raise ValueError(f"a product at scale 2^-{raw_frac} can be truncated to a scale 2^-f with 0 <= f <= "
                             f"{raw_frac} and a further shift >= 0, got f={target}, shift={shift}")
        excess = raw_frac - target + shift
        _fits_ring(raw_bound, raw_frac, what)
        risk = self.session._truncation_risk(raw_bound, raw_frac, what) if excess else 0.0
        z = compute()
        if excess:
            z, raw_bound = self.session._truncate(z, excess, risk), _truncated_bound(raw_bound, excess)
        return self._new(z, target, raw_bound, what, op, *others)

    def truncate(self, bits: int) -> "SharedArray":
        """Divide by 2^bits with SecureML's local truncation (keeps the scale label: a public rescaling)."""
        if not isinstance(bits, Integral) or not 0 < bits < RING_BITS - 1:
            raise ValueError(f"bits must be an integer in [1, {RING_BITS - 2}], got {bits!r}")
        risk = self.session._truncation_risk(self.bound, self.frac_bits, "this array")
        return self._new(self.session._truncate(self.shares, bits, risk), self.frac_bits,
                         _truncated_bound(self.bound, bits), "this truncation", f"trunc:{bits}")

    def sign_bit(self) -> "SharedArray":
        """Integer shares (scale 2^0) of [x < 0], by the dealer-aided comparison circuit (exact: the bound
        keeps |x| < 2^63)."""
        return self._new(self.session._msb(self.shares), 0, 1, "a sign bit", "msb")

    def clip(self, low: float, high: float) -> "SharedArray":
        """Elementwise min(max(x, low), high) for public low <= high (at this array's scale).

        b_lo = [x >= low] = 1 - msb(x - low) and b_hi = [x > high] = msb(high - x) in one comparison batch,
        then one batch of bit-times-value Beaver products: clip = low + b_lo (x - low) - b_hi (x - high).
        A bit has scale 2^0, so the products need no truncation and the result is exact: its public bound is
        max(|low|, |high|), whatever the input's. SecureML's piecewise sigmoid is ``(u + 1/2).clip(0, 1)``.
        """
        for name, v in (("low", low), ("high", high)):
            if isinstance(v, bool) or not isinstance(v, Real) or not math.isfinite(v):
                raise ValueError(f"clip needs finite public numbers, got {name}={v!r}")
        if not low <= high:
            raise ValueError(f"clip needs low <= high, got low={low!r}, high={high!r}")
        x = self if self.shape else self[None]
        n = x.shape[0]
        signs = concatenate([x - low, high - x]).sign_bit()
        bits = concatenate([1 - signs[:n], signs[n:]])
        terms = bits * concatenate([x - low, x - high])
        out = terms[:n] - terms[n:] + low
        bound = max(_max_abs(self._public(low)), _max_abs(self._public(high)))
        out = SharedArray(self.session, out.shares, out.frac_bits, out.sharing_id, bound)
        return out if self.shape else out[0]

    def __getitem__(self, index) -> "SharedArray":
        return self._new(self.shares[(slice(None),) + (index if isinstance(index, tuple) else (index,))],
                         self.frac_bits, self.bound, "this slice", f"getitem:{index!r}")

    @property
    def T(self) -> "SharedArray":
        return self._new(np.swapaxes(self.shares, 1, 2) if self.shares.ndim == 3 else self.shares,
                         self.frac_bits, self.bound, "this transpose", "T")

    def __repr__(self) -> str:
        return (f"SharedArray(shape={self.shape}, parties={self.session.n_parties}, scale=2^-{self.frac_bits}, "
                f"bound={_real(self.bound, self.frac_bits)}, id={self.sharing_id})")


def concatenate(arrays: list[SharedArray]) -> SharedArray:
    """Stack shared arrays along their first axis (local: each party stacks its shares); the bound is the
    largest of theirs."""
    if not arrays:
        raise ValueError("concatenate needs at least one SharedArray")
    first = arrays[0]
    for a in arrays[1:]:
        first._check(a, same_shape=False)
        if a.frac_bits != first.frac_bits or a.shape[1:] != first.shape[1:]:
            raise ValueError("concatenate needs one scale and equal trailing shapes")
    return first._new(np.concatenate([a.shares for a in arrays], axis=1), first.frac_bits,
                      max(a.bound for a in arrays), "this concatenation", "concat", *arrays[1:])
