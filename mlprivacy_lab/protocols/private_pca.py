"""Privacy-preserving PCA on horizontally partitioned data: Paillier aggregation, then a garbled circuit.

M. Al-Rubaie, P.-y. Wu, J. M. Chang and S.-Y. Kung, "Privacy-preserving PCA on horizontally-partitioned data",
IEEE DSC 2017 (the lecture's "Privacy-preserving principle component analysis"). The scatter matrix is
S = sum_i (x_i - mu)(x_i - mu)^T = R - v v^T / N with R = sum_i x_i x_i^T, v = sum_i x_i (lecture, "Distributed
scatter matrix computation"). Parties:

- data owner (DO) l: computes its share DS_l = {R_l (upper triangle), v_l, N_l} and encrypts it under the
  crypto service provider's Paillier key;
- data user (DU): multiplies the ciphertexts with an encrypted random mask, Enc[B + sum DS_l] =
  Enc[B] (x) prod_l Enc[DS_l], and keeps B;
- crypto service provider (CSP): decrypts B + sum DS_l, which the mask hides statistically (the DU's message
  is re-randomized, so it cannot be linked to the owners' ciphertexts either);
- DU (holding B) and CSP (holding B + sum DS_l) run one garbled circuit (CSP garbles, DU evaluates) that
  subtracts B modulo 2^64, forms S, normalizes it and runs Jacobi rotations. The outputs are XOR-padded with
  the DU's one-time pad, so only the DU learns the principal axes.

Fixed-point: a share is encoded as round(DS * 2^frac_bits) (Python ints); with public bounds on |feature|,
on each owner's N and on the number of owners, |sum| < 2^sum_bits and the mask is uniform on
[0, 2^(sum_bits + sigma)): the masked sum is within statistical distance 2^-sigma of the mask alone, and
sigma >= 40 (``MIN_SIGMA``). The CSP's Paillier key has 2048 bits unless the caller asks for another size.
"""

from __future__ import annotations

import math
import secrets
import time
from dataclasses import dataclass
from functools import partial
from numbers import Real

import numpy as np

from ..crypto.encoding import FixedPoint
from ..crypto.fixed_point import RING_BITS  # the circuit's ring: the masked sum is unmasked modulo 2^64
from ..crypto.garbled import GarbledInt, LocalEngine, concatenate
from ..crypto.garbled import circuits as C
from ..crypto.garbled.linalg import jacobi_eigh_until
from ..crypto.garbled.twoparty import run_two_party
from ..crypto.paillier import EncryptedArray, PaillierPublicKey, generate_keypair

FEATURE_BOUND = 16.0     # public bound on |feature| of the stand-in data, checked in owner_data
MAX_SAMPLES = 4096       # public bound on one owner's N
MAX_OWNERS = 255         # share_encoding's headroom: the shares of up to 256 owners add up in every slot
MIN_SIGMA = 40           # statistical security of the mask: the CSP's advantage is at most 2^-sigma


def pca_share(X: np.ndarray) -> np.ndarray:
    """A data owner's share as one vector: the upper triangle of R = sum_i x_i x_i^T, then v = sum_i x_i,
    then N (lecture, "Distributed scatter matrix computation")."""
    X = np.asarray(X, dtype=np.float64)
    R = X.T @ X
    return np.concatenate([R[np.triu_indices(X.shape[1])], X.sum(0), [len(X)]])


def share_encoding(frac_bits: int = 32) -> FixedPoint:
    """The fixed-point encoding of a share whose features lie in +-FEATURE_BOUND, N <= MAX_SAMPLES, with
    headroom for MAX_OWNERS additions (R's entries are the largest: at most N * bound^2)."""
    return FixedPoint.for_bound(MAX_SAMPLES * FEATURE_BOUND ** 2, frac_bits, MAX_OWNERS)


def owner_data(d: int, n_samples: int = 500, seed: int = 0) -> np.ndarray:
    """One owner's rows of a shape-matched stand-in for SensIT Acoustic (a seeded 3-class Gaussian mixture),
    checked against the public bounds of ``share_encoding``."""
    from ..data import make_gaussian_mixture  # here, not at the top: the evaluator process never loads sklearn

    X = make_gaussian_mixture(n_samples, d, n_classes=3, separation=1.5, test_size=0.2, seed=seed).X_train
    if np.abs(X).max() > FEATURE_BOUND or len(X) > MAX_SAMPLES:
        raise ValueError("the stand-in data break the public bounds of share_encoding()")
    return X


def share_length(d: int) -> int:
    """d(d+1)/2 + d + 1 values in a share of d features."""
    return d * (d + 1) // 2 + d + 1


@dataclass(frozen=True)
class ShareFormat:
    """Public parameters every party agrees on: bounds, fixed-point scale, statistical security.

    ``feature_bound``: every |feature| <= this; ``max_samples``: rows per owner; ``max_owners``: owners;
    ``frac_bits``: scale 2^-frac_bits of the encoded share; ``sigma`` >= ``MIN_SIGMA``: statistical
    security of the mask (the CSP tells B + sum DS_l from B alone with advantage at most 2^-sigma).
    """

    feature_bound: float = FEATURE_BOUND
    max_samples: int = MAX_SAMPLES
    max_owners: int = 16
    frac_bits: int = 32
    sigma: int = 40

    def __post_init__(self) -> None:
        if isinstance(self.feature_bound, bool) or not isinstance(self.feature_bound, Real) or \
                not (math.isfinite(self.feature_bound) and self.feature_bound > 0):
            raise ValueError(f"feature_bound must be a positive number, got {self.feature_bound!r}")
        for name in ("max_samples", "max_owners", "frac_bits", "sigma"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if self.sigma < MIN_SIGMA:
            raise ValueError(f"sigma={self.sigma} lets the CSP tell the masked share from the mask alone with "
                             f"advantage up to 2^-{self.sigma}: use sigma >= {MIN_SIGMA} (the default)")
        if self.sum_bits >= RING_BITS - 1:
            raise ValueError(f"the pooled share needs {self.sum_bits} bits, more than the circuit's "
                             f"{RING_BITS}-bit ring holds: lower frac_bits, feature_bound, max_samples or max_owners")

    @property
    def sum_bits(self) -> int:
        """|encoded sum| < 2^sum_bits: R's entries are the largest, at most N * bound^2."""
        largest = self.max_owners * self.max_samples * max(self.feature_bound, 1.0) ** 2
        return math.ceil(math.log2(largest)) + self.frac_bits + 1

    @property
    def mask_bits(self) -> int:
        """The mask is uniform on [0, 2^mask_bits)."""
        return self.sum_bits + self.sigma

    @property
    def encoding(self) -> FixedPoint:
        """The Paillier encoding of shares and mask: integers already scaled, room for the mask and owners."""
        return FixedPoint(frac_bits=0, value_bits=self.mask_bits + 1, max_additions=self.max_owners)

    def encode(self, share: np.ndarray) -> list[int]:
        return [round(math.ldexp(float(x), self.frac_bits)) for x in share]


# --- the parties ------------------------------------------------------------------------------------

class DataOwner:
    """Holds its rows X_l; sends only Enc[DS_l]."""

    def __init__(self, X: np.ndarray, fmt: ShareFormat) -> None:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] < 1:
            raise ValueError(f"a data owner's data must be a 2-D array (samples, features), got shape {X.shape}")
        if len(X) < 2:
            raise ValueError(f"a data owner has {len(X)} sample(s): each owner needs at least 2")
        if len(X) > fmt.max_samples:
            raise ValueError(f"a data owner has {len(X)} samples, more than the public max_samples="
                             f"{fmt.max_samples}: raise max_samples (the encoding widens) or split the owner")
        if not np.all(np.isfinite(X)) or np.abs(X).max() > fmt.feature_bound:
            raise ValueError(f"features must be finite with |x| <= feature_bound={fmt.feature_bound} (largest "
                             f"|x| here: {np.abs(X).max():g}): rescale the data or raise feature_bound")
        self.X, self.fmt = X, fmt

    @property
    def n_features(self) -> int:
        return self.X.shape[1]

    def encrypted_share(self, public_key: PaillierPublicKey) -> EncryptedArray:
        """Enc[DS_l], packed into slots: the owner's message, a fresh encryption (randomized already)."""
        return public_key.encrypt_array(self.fmt.encode(pca_share(self.X)), self.fmt.encoding, pack=True)


class CryptoServiceProvider:
    """Owns the Paillier key pair (2048 bits by default; ``generate_keypair`` warns below); sees only
    B + sum DS_l, which looks uniformly random. ``decrypted`` keeps those plaintexts, the CSP's whole view
    of the Paillier stage (about ``mask_bits`` bits each), and ``masked`` their low 64 bits."""

    def __init__(self, key_bits: int = 2048, *, insecure_demo: bool = False) -> None:
        self.public_key, self._private_key = generate_keypair(key_bits, insecure_demo=insecure_demo)
        self.decrypted: list[int] | None = None
        self.masked: np.ndarray | None = None

    def decrypt(self, masked: EncryptedArray) -> np.ndarray:
        """Dec[Enc[B + sum DS_l]], kept modulo 2^64 as signed int64 words: the CSP's circuit input."""
        if not isinstance(masked, EncryptedArray):
            raise TypeError(f"the CSP decrypts the DU's EncryptedArray, got {type(masked).__name__}")
        if masked.public_key != self.public_key:
            raise ValueError("the aggregate was encrypted under a different public key than the CSP's")
        self.decrypted = [int(m) for m in np.ravel(self._private_key.decrypt(masked))]
        self.masked = np.array([_ring(m) for m in self.decrypted], dtype=np.int64)
        return self.masked


class DataUser:
    """Collects the encrypted shares, adds the mask B, keeps B and (later) its one-time output pads."""

    def __init__(self, fmt: ShareFormat) -> None:
        self.fmt = fmt
        self.mask: np.ndarray | None = None
        self._encrypted_mask: EncryptedArray | None = None

    def prepare_mask(self, public_key: PaillierPublicKey, n_values: int) -> EncryptedArray:
        """Offline, before any owner sends: a fresh uniform mask B of ``n_values`` words and Enc[B]."""
        mask = [secrets.randbits(self.fmt.mask_bits) for _ in range(n_values)]
        self.mask = np.array([_ring(b) for b in mask], dtype=np.int64)
        self._encrypted_mask = public_key.encrypt_array(mask, self.fmt.encoding, pack=True)
        return self._encrypted_mask

    def collect(self, shares: list[EncryptedArray], public_key: PaillierPublicKey) -> EncryptedArray:
        """Enc[B + sum_l DS_l] = Enc[B] (x) prod_l Enc[DS_l]: the DU's message to the CSP (online: a few modular
        products). Enc[B] is a fresh encryption with uniform randomness r_B, independent of everything the owners
        sent, so the product's randomness r_B prod_l r_l is uniform and independent of the owners'
        ciphertexts: the message is already re-randomized, and the CSP cannot link it to them. Uses the mask of
        ``prepare_mask`` (once), or makes a fresh one."""
        if not shares:
            raise ValueError("no encrypted shares to collect: at least one data owner is needed")
        if len(shares) > self.fmt.max_owners:
            raise ValueError(f"{len(shares)} owners, more than the public max_owners={self.fmt.max_owners}")
        for i, share in enumerate(shares):
            if share.public_key != public_key:
                raise ValueError(f"owner {i} encrypted its share under a different key than the CSP's public key")
            if share.shape != shares[0].shape:
                raise ValueError(f"owner {i} sent {share.size} values, owner 0 sent {shares[0].size}: the owners "
                                 "disagree on the number of features")
        total = self._encrypted_mask
        if total is None or total.public_key != public_key or total.size != shares[0].size:
            total = self.prepare_mask(public_key, shares[0].size)
        self._encrypted_mask = None  # a mask hides one aggregate only
        for share in shares:
            total = total + share
        return total


def _ring(m: int) -> int:
    """m modulo 2^64 as a signed 64-bit word."""
    m %= 1 << RING_BITS
    return m - (1 << RING_BITS) if m >> (RING_BITS - 1) else m


# --- the garbled circuit ----------------------------------------------------------------------------

def _raw(x: GarbledInt) -> GarbledInt:
    return GarbledInt(x.engine, x.wires, signed=True, frac=0)


def _log_op(fn, x: GarbledInt, *others: GarbledInt, **kw) -> GarbledInt:
    """A log-depth circuit of ``circuits.py`` on values of one format (operands broadcast like numpy)."""
    shape = np.broadcast_shapes(x.shape, *(o.shape for o in others))
    return x._like(fn(x.engine, *(v.broadcast_to(shape).wires for v in (x, *others)), **kw))


def _quotient_bits(bound: float, frac: int) -> int:
    """Quotient bits of a division whose |result| <= bound, with ``frac`` fractional bits."""
    return frac + max(0, math.ceil(math.log2(bound))) + 1


def masked_pca(engine, csp=None, du=None, d: int | None = None, frac_bits: int = 32, sweeps: int = 8,
               width: int = 25, frac: int = 22, tol: float | None = 2.0 ** -16,
               feature_bound: float = FEATURE_BOUND) -> dict | None:
    """The principal-axis step (lecture, "Architecture - principle axis computation"), CSP = garbler, DU = evaluator.

    In the 64-bit ring: DS = (B + sum DS_l) - B; mu = v / N; S_ij = R_ij - v_i mu_j (upper triangle);
    T = trace S; the total variance T / (N - 1). Then C = S / T (entries in [-1, 1], eigenvalues the
    explained-variance ratios) straight into Q(width-frac).frac and Jacobi rotations (``jacobi_eigh_until``:
    at most ``sweeps``, stopping once every off-diagonal |c_ij| < ``tol``; ``tol=None`` runs all).
    Every output is XORed with the DU's pad before it is opened: the CSP sees uniform bits, the DU removes
    the pad. Both see the convergence bits, i.e. the number of sweeps run.

    The circuit is latency-bound, so it uses log-depth adders, divisions that run only the quotient bits
    their public bounds allow (``circuits.divide_bounded``: |mu| <= feature_bound, |C_ij| <= 1 by Cauchy-
    Schwarz, T / (N - 1) <= 2 d feature_bound^2) and CORDIC rotations (``linalg``). Width: C is PSD with trace
    1, so (c_pp - c_qq, 2 c_pq) has norm <= 1 and every entry stays below K^2 ~ 1.36 during a rotation: a sign
    and 2 integer bits, width = frac + 3. A rotation rounds (unbiased) ~30 terms per entry, each to 2^-(frac+1);
    frac = 22 keeps the accumulated error (~sqrt(terms x rounds) ulps: 1e-5 to 1e-4 of the trace for d = 8 to
    50, measured) inside the 1e-3 axis target for eigen-gaps above 1e-2 of the trace, and below the stopping
    tolerance 2^-16, so the sweeps stop.
    csp = {"masked": int64[L]}; du = {"mask": int64[L], "pad": {"ratio", "axes", "mean", "total"}}.
    Returns the DU's results, or None on the CSP's side. Chapter 5's simpler variant (plain shares, public N)
    is ``crypto.garbled.programs.private_pca``.
    """
    n = share_length(d)
    masked = engine.input("garbler", None if csp is None else csp["masked"], shape=(n,), width=RING_BITS)
    mask = engine.input("evaluator", None if du is None else du["mask"], shape=(n,), width=RING_BITS)
    pooled = GarbledInt(engine, _log_op(C.sub_log, masked, mask).wires, frac=frac_bits)  # sum DS_l mod 2^64
    upper = d * (d + 1) // 2
    rows, cols = np.triu_indices(d)
    r, v, count = pooled[:upper], pooled[upper:upper + d], pooled[upper + d]
    mean = _log_op(C.divide_bounded, v, count, frac=frac_bits, quotient_bits=_quotient_bits(feature_bound, frac_bits),
                   signed=True)
    product = _log_op(partial(C.multiply_log, signed=True), v[rows], mean[cols])
    scatter = _log_op(C.sub_log, r, product._like(product.wires[frac_bits:frac_bits + RING_BITS]))
    diagonal = scatter[np.flatnonzero(rows == cols)]
    while diagonal.shape[0] > 1:  # trace: a tree of log-depth adders
        half = diagonal.shape[0] // 2
        diagonal = concatenate([_log_op(C.add_log, diagonal[:half], diagonal[half:2 * half]), diagonal[2 * half:]])
    trace = diagonal[0]
    one = engine.constant(1.0, width=RING_BITS, frac=frac_bits)
    total = _log_op(C.divide_bounded, trace, _log_op(C.sub_log, count, one), frac=frac_bits,
                    quotient_bits=_quotient_bits(2 * d * feature_bound ** 2, frac_bits), signed=True)
    c = GarbledInt(engine, C.divide_bounded(engine, _raw(scatter).wires, _raw(trace).broadcast_to((upper,)).wires,
                                            frac, frac + 1, True, width), frac=frac)
    index = np.zeros((d, d), dtype=np.int64)
    index[rows, cols] = index[cols, rows] = np.arange(upper)
    ratio, axes, done = jacobi_eigh_until(c[index], sweeps, tol)
    outputs = {"ratio": ratio, "axes": axes, "mean": mean, "total": total}
    pads = {k: engine.input("evaluator", None if du is None else du["pad"][k], shape=x.shape, width=x.width)
            for k, x in outputs.items()}
    opened = {k: engine.reveal(_raw(x) ^ pads[k]) for k, x in outputs.items()}
    if du is None:
        return None
    return {k: (opened[k] ^ du["pad"][k]) / 2.0 ** outputs[k].frac for k in outputs} | \
        {"and_gates": engine.and_gates, "and_layers": engine.and_layers, "sweeps": done}


def output_pads(d: int, width: int = 32) -> dict[str, np.ndarray]:
    """The DU's one-time pads for the circuit outputs (uniform words from ``secrets``)."""
    def words(shape, bits):
        raw = np.frombuffer(secrets.token_bytes(8 * math.prod(shape)), dtype=np.int64).reshape(shape)
        return raw if bits == RING_BITS else (raw >> (RING_BITS - bits))  # uniform signed `bits`-bit words
    return {"ratio": words((d,), width), "axes": words((d, d), width), "mean": words((d,), RING_BITS),
            "total": words((), RING_BITS)}


def lecture_sweeps(d: int) -> int:
    """The sweep counts of the lecture's cost table: 8 up to d = 14, 15 above."""
    return 8 if d <= 14 else 15


def aggregate(owners: list[DataOwner], csp: CryptoServiceProvider) -> tuple[DataUser, np.ndarray, dict]:
    """The Paillier stages: the DU encrypts its mask (offline, before the owners send), each DO encrypts its
    share, the DU adds them to Enc[B] (online), the CSP decrypts. Returns the DU (holding B), the CSP's
    masked words, and the seconds of each stage with the message log (``messages``: who sent what to whom,
    in bytes)."""
    clock, do_s, shares = time.perf_counter, [], []
    du = DataUser(owners[0].fmt)
    start = clock()
    du.prepare_mask(csp.public_key, share_length(owners[0].n_features))
    mask_s = clock() - start
    for owner in owners:
        start = clock()
        shares.append(owner.encrypted_share(csp.public_key))
        do_s.append(clock() - start)
    start = clock()
    total = du.collect(shares, csp.public_key)
    du_s = clock() - start
    start = clock()
    masked = csp.decrypt(total)
    ciphertext_bytes = 2 * ((int(csp.public_key.n).bit_length() + 7) // 8)  # an element of Z*_{n^2}
    messages = [{"from": f"DO {i + 1}", "to": "DU", "what": "Enc[DS]", "bytes": share.n_ciphertexts * ciphertext_bytes}
                for i, share in enumerate(shares)]
    messages.append({"from": "DU", "to": "CSP", "what": "Enc[B + sum DS]",
                     "bytes": total.n_ciphertexts * ciphertext_bytes})
    return du, masked, {"du_mask_offline_s": mask_s, "do_s": do_s, "du_collect_add_s": du_s,
                        "csp_decrypt_s": clock() - start, "ciphertexts_per_owner": shares[0].n_ciphertexts,
                        "values_per_owner": shares[0].size, "messages": messages}


# --- the estimator ----------------------------------------------------------------------------------

class PrivatePCA:
    """PCA of the pooled rows of several data owners, by the lecture's protocol (scikit-learn style).

    ``fit(owners)`` takes one array per data owner and runs every party (in this process; the garbled
    circuit in two processes with ``two_party=True``). After it: ``components_`` (n_components, d),
    ``explained_variance_``, ``explained_variance_ratio_``, ``mean_`` and ``costs_`` (seconds per stage,
    ciphertexts, AND gates, sweeps). Only the DU's view of the results is kept. ``key_bits`` sizes the
    CSP's Paillier key (2048 by default; 1024, the lecture's, warns; below needs ``insecure_demo=True``).
    ``sweeps`` caps the Jacobi sweeps (default: the lecture's count); they stop early once every off-diagonal
    entry of the trace-normalized covariance is below ``tol`` (``None``: run them all). ``costs_["messages"]``
    is the protocol's message log (sender, receiver, content, bytes).
    """

    def __init__(self, n_components: int | None = None, key_bits: int = 2048, *, fmt: ShareFormat | None = None,
                 sweeps: int | None = None, tol: float | None = 2.0 ** -16, width: int = 25, frac: int = 22,
                 two_party: bool = False, insecure_demo: bool = False) -> None:
        self.n_components, self.key_bits, self.fmt = n_components, key_bits, fmt or ShareFormat()
        self.sweeps, self.tol, self.width, self.frac, self.two_party = sweeps, tol, width, frac, two_party
        self.insecure_demo = insecure_demo

    def fit(self, owners: list[np.ndarray], csp: CryptoServiceProvider | None = None) -> "PrivatePCA":
        if not isinstance(owners, (list, tuple)) or not owners:
            raise TypeError("fit() takes a non-empty list with one (samples, features) array per data owner")
        parties = [DataOwner(X, self.fmt) for X in owners]
        d = parties[0].n_features
        for i, owner in enumerate(parties):
            if owner.n_features != d:
                raise ValueError(f"owner {i} has {owner.n_features} features, owner 0 has {d}: all data owners "
                                 "must share the same features")
        k = d if self.n_components is None else self.n_components
        if not isinstance(k, int) or not 1 <= k <= d:
            raise ValueError(f"n_components must be an integer in 1..{d}, got {self.n_components!r}")
        sweeps = lecture_sweeps(d) if self.sweeps is None else self.sweeps
        csp = csp or CryptoServiceProvider(self.key_bits, insecure_demo=self.insecure_demo)
        du, masked, stages = aggregate(parties, csp)
        clock = time.perf_counter
        args = {"d": d, "frac_bits": self.fmt.frac_bits, "sweeps": sweeps, "width": self.width, "frac": self.frac,
                "tol": self.tol, "feature_bound": self.fmt.feature_bound}
        du_inputs = {"mask": du.mask, "pad": output_pads(d, self.width)}
        start = clock()
        if self.two_party:
            run = run_two_party(masked_pca, {"csp": {"masked": masked}, **args}, {"du": du_inputs, **args})
            out = run.evaluator
            traffic = {"CSP": run.garbler_stats["bytes_sent"], "DU": run.evaluator_stats["bytes_sent"]}
        else:
            engine = LocalEngine()
            out = masked_pca(engine, {"masked": masked}, du_inputs, **args)
            traffic = {"CSP": engine.stats()["table_bytes"] + engine.stats()["label_bytes"],
                       "DU": engine.stats()["ot_bytes"] + engine.stats()["reveal_bytes"]}
        gc_s = clock() - start
        stages["messages"] += [
            {"from": "CSP", "to": "DU", "what": "garbled tables, input keys, OT", "bytes": traffic["CSP"]},
            {"from": "DU", "to": "CSP", "what": "OT replies, padded outputs", "bytes": traffic["DU"]}]
        order = np.argsort(out["ratio"])[::-1][:k]
        axes = out["axes"][:, order].T
        axes /= np.linalg.norm(axes, axis=1, keepdims=True)  # unit axes, as scikit-learn's (fixed point drifts ~1e-5)
        axes *= np.where(axes[np.arange(k), np.abs(axes).argmax(1)] < 0, -1.0, 1.0)[:, None]  # deterministic sign
        self.components_, self.mean_ = axes, out["mean"]
        self.explained_variance_ratio_ = out["ratio"][order]
        self.explained_variance_ = self.explained_variance_ratio_ * float(out["total"])
        self.n_features_in_, self.n_components_ = d, k
        self.costs_ = {**stages, "du_pca_gc_s": gc_s, "sweeps": int(out["sweeps"]), "max_sweeps": sweeps,
                       "and_gates": int(out["and_gates"]), "sequential_layers": int(out["and_layers"]),
                       "s_per_sweep": gc_s / max(1, int(out["sweeps"])), "two_party": self.two_party}
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        if not hasattr(self, "components_"):
            raise ValueError("this PrivatePCA is not fitted yet: call fit(owners) first")
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_features_in_:
            raise ValueError(f"X must have shape (samples, {self.n_features_in_}), got {X.shape}")
        return (X - self.mean_) @ self.components_.T

    def fit_transform(self, owners: list[np.ndarray]) -> np.ndarray:
        return self.fit(owners).transform(np.vstack(owners))
