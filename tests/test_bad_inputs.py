"""Hostile and out-of-range calls across the public crypto and protocol APIs: each is a clear error (the
exception type and a fragment of its message that tells the user what to change) or the exact right value.

Each row is ``(id, call, expected)``: ``call`` is a zero-argument function; ``expected`` is either
``(ExceptionType, "message fragment")`` or ``Exact(value)``. Keys are small (``insecure_demo``) where the
row is about something else, so the table runs in seconds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from mlprivacy_lab.crypto.encoding import FixedPoint
from mlprivacy_lab.crypto.garbled import PlainEngine, concatenate
from mlprivacy_lab.crypto.ot import (Channel, InProcessOTExtension, ot_receive, ot_send, random_ot_receive,
                                     random_ot_send)
from mlprivacy_lab.crypto.ot.base import check_choice_bits
from mlprivacy_lab.crypto.ot.extension import check_labels
from mlprivacy_lab.crypto.packing import SlotLayout
from mlprivacy_lab.crypto.paillier import EncryptedArray, PaillierPrivateKey, PaillierPublicKey, generate_keypair
from mlprivacy_lab.crypto.secret_sharing import FixedPointRing, Share, SMPCSession
from mlprivacy_lab.protocols.private_pca import CryptoServiceProvider, DataOwner, DataUser, PrivatePCA, ShareFormat
from mlprivacy_lab.protocols.smpc import PlainLinearModel, SecureLinearModel, hospital_split


@dataclass(frozen=True)
class Exact:
    """The call must return exactly this value (compared with ``np.array_equal`` for arrays)."""

    value: Any


Row = tuple[str, Callable[[], Any], "tuple[type[BaseException], str] | Exact"]

# --- Paillier: keys, encodings, arrays, packing, JSON, private PCA --------------------------------------
_KEYS = generate_keypair(256, insecure_demo=True)  # toy keys for the Paillier rows: they are about something else
_OTHER = generate_keypair(256, insecure_demo=True)
_TEXT = _KEYS[0].encrypt_array([1.0, 2.0, 3.0]).to_json()
_SLOTS = FixedPoint(frac_bits=8, value_bits=16, max_additions=1)  # 19-bit slots (value, headroom, sign, guard)
_M1279 = 2 ** 1279 - 1  # a Mersenne prime


def _json_with(text: str, **fields: Any) -> str:
    return json.dumps({**json.loads(text), **fields})


PAILLIER_ROWS: list[Row] = [
    ("paillier-array-json-dimension-2**70", lambda: EncryptedArray.from_json(_KEYS[0], _json_with(
        _KEYS[0].encrypt_array([]).to_json(), shape=[2 ** 70, 0])), (ValueError, "non-negative integers below 2^63")),
    ("paillier-keygen-512-without-demo-flag", lambda: generate_keypair(512), (ValueError, "insecure_demo=True")),
    ("paillier-keygen-odd-length", lambda: generate_keypair(1025), (ValueError, "even integer")),
    ("paillier-keygen-too-large", lambda: generate_keypair(20000), (ValueError, "larger than the 16384 bits")),
    ("paillier-n-even", lambda: PaillierPublicKey(2 ** 1100), (ValueError, "positive odd product of two primes")),
    ("paillier-n-bool", lambda: PaillierPublicKey(True), (TypeError, "n must be an integer")),
    ("paillier-n-prime", lambda: PaillierPublicKey(_M1279, insecure_demo=True), (ValueError, "is prime")),
    ("paillier-n-square", lambda: PaillierPublicKey(_KEYS[1].p ** 2, insecure_demo=True),
     (ValueError, "perfect square")),
    ("paillier-n-small-factor", lambda: PaillierPublicKey(3 * _M1279 ** 2), (ValueError, "small factor 3")),
    ("paillier-private-key-wrong-factors", lambda: PaillierPrivateKey(_KEYS[0], _KEYS[1].p, _KEYS[1].q + 2),
     (ValueError, "distinct primes with p * q == public_key.n")),
    ("paillier-key-json-not-json", lambda: PaillierPublicKey.from_json("{n: 1"), (ValueError, "not valid JSON")),
    ("paillier-key-json-decimal-n", lambda: PaillierPublicKey.from_json('{"type": "paillier-public-key", "n": 35}'),
     (ValueError, "lower-case hexadecimal")),
    ("paillier-key-json-prime-n", lambda: PaillierPublicKey.from_json(
        _json_with(_KEYS[0].to_json(), n=format(_KEYS[1].p, "x")), insecure_demo=True), (ValueError, "is prime")),
    ("paillier-array-json-frac-bits-2**40",
     lambda: EncryptedArray.from_json(_KEYS[0], _json_with(_TEXT, frac_bits=2 ** 40)),
     (ValueError, "frac_bits must lie in")),
    ("paillier-array-json-bool-frac-bits",
     lambda: EncryptedArray.from_json(_KEYS[0], _json_with(_TEXT, frac_bits=True)),
     (ValueError, "'frac_bits' must be an integer")),
    ("paillier-array-json-bool-shape", lambda: EncryptedArray.from_json(_KEYS[0], _json_with(_TEXT, shape=[True, 3])),
     (ValueError, "'shape' must be a list of non-negative integers")),
    ("paillier-array-json-ciphertext-n^2", lambda: EncryptedArray.from_json(
        _KEYS[0], _json_with(_TEXT, ciphertexts=[format(_KEYS[0].nsquare, "x")] * 3)),
     (ValueError, "not a ciphertext of this public key")),
    ("paillier-array-json-ciphertext-not-coprime", lambda: EncryptedArray.from_json(
        _KEYS[0], _json_with(_TEXT, ciphertexts=[format(_KEYS[1].p, "x")] * 3)), (ValueError, "coprime to n")),
    ("paillier-array-json-huge-value-bits", lambda: EncryptedArray.from_json(_KEYS[0], _json_with(
        _TEXT, encoding={"frac_bits": 32, "value_bits": 2 ** 40, "max_additions": 0})),
     (ValueError, "value_bits must be an integer in")),
    ("paillier-array-json-other-key", lambda: EncryptedArray.from_json(_OTHER[0], _TEXT),
     (ValueError, "different public key")),
    ("paillier-array-json-no-key", lambda: EncryptedArray.from_json(_TEXT, _TEXT),
     (TypeError, "public_key must be a PaillierPublicKey")),
    ("paillier-array-json-round-trip", lambda: _KEYS[1].decrypt(EncryptedArray.from_json(
        _KEYS[0], (_KEYS[0].encrypt_array([1.5, -2.0]) * 3 + 1).to_json())), Exact(np.array([5.5, -5.0]))),
    ("paillier-decrypt-other-key", lambda: _OTHER[1].decrypt(_KEYS[0].encrypt(1.0)),
     (ValueError, "different public key")),
    ("paillier-encrypt-nan", lambda: _KEYS[0].encrypt(float("nan")), (ValueError, "only finite numbers do")),
    ("paillier-encrypt-beyond-value-bits", lambda: _KEYS[0].encrypt_array([3e7], FixedPoint(16, 40)),
     (OverflowError, "value_bits=40")),
    ("paillier-fixed-point-huge-frac-bits", lambda: FixedPoint(frac_bits=2 ** 40),
     (ValueError, "frac_bits must be an integer in [0, 16384]")),
    ("paillier-times-ciphertext", lambda: _KEYS[0].encrypt(1.0) * _KEYS[0].encrypt(2.0),
     (TypeError, "only additively homomorphic")),
    ("paillier-scale-beyond-max-frac-bits", lambda: [e := _KEYS[0].encrypt(1.0)] + [e := e * 2.0 ** -1000
                                                                                   for _ in range(70)],
     (OverflowError, "MAX_FRAC_BITS=65536")),
    ("paillier-zero-times-enc-is-exported-rerandomized", lambda: (_KEYS[0].encrypt(7.0) * 0).ciphertext == 1,
     Exact(False)),
    ("paillier-packed-headroom", lambda: sum([_KEYS[0].encrypt_array([1.0, 2.0], _SLOTS, pack=True)] * 3),
     (OverflowError, "max_additions=1")),
    ("paillier-packed-matmul", lambda: _KEYS[0].encrypt_array([1.0, 2.0], _SLOTS, pack=True) @ np.eye(2),
     (ValueError, "packed slots share a ciphertext (encrypt with pack=False)")),
    ("paillier-pack-beyond-capacity", lambda: SlotLayout(8, 3).pack([1, 64]),
     (OverflowError, "does not fit a 8-bit slot")),
    ("paillier-unpack-inner-slot-overflow", lambda: SlotLayout(8, 3).unpack([64 << 8], 3),
     (OverflowError, "slot 1 of packed plaintext 0 overflowed")),
    ("paillier-slot-layout-too-narrow", lambda: SlotLayout(2, 4), (ValueError, "slot_bits must be an integer >= 3")),
    ("paillier-tampered-packed-slot", lambda: _KEYS[1].decrypt(EncryptedArray(
        _KEYS[0], [_KEYS[0].encrypt_array([0.0] * 3, _SLOTS, pack=True).ciphertexts[0]
                   * _KEYS[0].raw_encrypt(1 << (19 + 17)) % _KEYS[0].nsquare], (3,), _SLOTS, packed=True)),
     (OverflowError, "slot 1 of packed plaintext 0 overflowed")),
    ("pca-sigma-1", lambda: ShareFormat(sigma=1), (ValueError, "use sigma >= 40")),
    ("pca-bool-max-owners", lambda: ShareFormat(max_owners=True),
     (ValueError, "max_owners must be a positive integer")),
    ("pca-text-feature-bound", lambda: ShareFormat(feature_bound="16"),
     (ValueError, "feature_bound must be a positive")),
    ("pca-csp-512-bits", lambda: CryptoServiceProvider(512), (ValueError, "insecure_demo=True")),
    ("pca-csp-decrypts-a-list", lambda: CryptoServiceProvider(256, insecure_demo=True).decrypt([1, 2]),
     (TypeError, "the CSP decrypts the DU's EncryptedArray")),
    ("pca-collect-nothing", lambda: DataUser(ShareFormat()).collect([], _KEYS[0]),
     (ValueError, "at least one data owner")),
    ("pca-owner-beyond-feature-bound", lambda: DataOwner(np.full((3, 2), 17.0), ShareFormat()),
     (ValueError, "raise feature_bound")),
    ("pca-too-many-components", lambda: PrivatePCA(9).fit([np.eye(4), np.eye(4)]), (ValueError, "n_components")),
]

# --- Secret sharing, its JSON, SMPC training ------------------------------------------------------------
def _share_json(**changes: Any) -> str:
    """Party 0's share JSON of a fresh 2-party sharing of [1.0, 2.0], with some fields replaced."""
    fields = json.loads(SMPCSession(2).share(np.array([1.0, 2.0])).party_shares()[0].to_json())
    return json.dumps({**fields, **changes})


SHARING_ROWS: list[Row] = [
    ("ss-truncation-failure-counts-every-value",  # 20 products of 3.0s (< 2^30): 20 x 2^(31 - 64) in the total
     lambda: (lambda a: (a * a, a.session.stats.truncation_failure)[1])(SMPCSession().share(np.full(20, 3.0))),
     Exact(20 * 2.0 ** -33)),
    ("ss-product-of-accepted-values-wraps",
     lambda: (lambda s: s.share(2.0 ** 20) * s.share(2.0 ** 20))(SMPCSession()),
     (OverflowError, "would wrap: lower frac_bits")),
    ("ss-product-1e6-squared", lambda: (lambda s: s.share(1e6) * s.share(1e6))(SMPCSession()),
     (OverflowError, "this product could reach")),
    ("ss-truncation-risk-2^-3", lambda: (lambda s, x: s.share(x) * s.share(x))(SMPCSession(), 2.0 ** 17 - 1),
     (OverflowError, "above this session's max_truncation_failure=9.5e-07 = 2^-20")),
    ("ss-three-accepted-5e14-summed", lambda: (lambda a: a + a + a)(SMPCSession().share(5e14)),
     (OverflowError, "this sum could reach")),
    ("ss-public-integer-beyond-ring", lambda: SMPCSession().share(1.0) * 2 ** 64, (OverflowError, "public integer")),
    ("ss-zero-times-huge-integer-exact", lambda: (SMPCSession().share(0.0) * 2 ** 64).reveal(), Exact(0.0)),
    ("ss-two-largest-fresh-integers-sum-exact",  # 2 (2^62 - 1) = 2^63 - 2: the ring's edge, no wrap
     lambda: (lambda a: (a + a).reveal())(SMPCSession().share(2 ** 62 - 1, integer=True)), Exact(2 ** 63 - 2)),
    ("ss-public-int-multiple-exact", lambda: (SMPCSession().share(5, integer=True) * 2 ** 40).reveal(),
     Exact(5 * 2 ** 40)),
    ("ss-integer-sharing-rounds", lambda: SMPCSession().share(2.5, integer=True), (ValueError, "non-integer 2.5")),
    ("ss-declared-bound-exceeded", lambda: SMPCSession().share(np.array([3.0]), bound=2.0),
     (ValueError, "exceeds the bound its owner declares")),
    ("ss-threshold-zero", lambda: SMPCSession(max_truncation_failure=0),
     (ValueError, "max_truncation_failure must be a probability in (0, 1]")),
    ("ss-owner-not-an-index", lambda: SMPCSession().share(1.0, owner=0.5),
     (ValueError, "owner must be a party index")),
    ("ss-truncate-zero-bits", lambda: SMPCSession().share(1.0).truncate(0),
     (ValueError, "bits must be an integer in [1, 62]")),
    ("ss-clip-reversed", lambda: SMPCSession().share(1.0).clip(1.0, 0.0), (ValueError, "clip needs low <= high")),
    ("ss-from-shares-not-shares", lambda: SMPCSession().from_shares([1, 2]), (TypeError, "list of Share objects")),
    ("json-float-word", lambda: Share.from_json(_share_json(values=[1.5, 2])),
     (ValueError, "values must be integers in [0, 2^64) (ring words), got 1.5")),
    ("json-word-2^64", lambda: Share.from_json(_share_json(values=[2 ** 64, 0])),
     (ValueError, "values must be integers in [0, 2^64)")),
    ("json-negative-word", lambda: Share.from_json(_share_json(values=[-1, 0])),
     (ValueError, "got -1 at index 0")),
    ("json-shape-mismatch", lambda: Share.from_json(_share_json(shape=[3])), (ValueError, "2 values for shape [3]")),
    ("json-party-out-of-range", lambda: Share.from_json(_share_json(party=2)),
     (ValueError, "'party' must be an integer in [0, 1]")),
    ("json-sharing-id-not-hex", lambda: Share.from_json(_share_json(sharing_id="../../etc")),
     (ValueError, "'sharing_id' must be 16 lowercase hex digits")),
    ("json-frac-bits-out-of-range", lambda: Share.from_json(_share_json(frac_bits=99)),
     (ValueError, "'frac_bits' must be an integer in [0, 30]")),
    ("json-negative-bound", lambda: Share.from_json(_share_json(bound=-1)),
     (ValueError, "'bound' must be an integer")),
    ("json-not-json", lambda: Share.from_json("{"), (ValueError, "share JSON is not valid JSON")),
    ("ring-frac-bits-31", lambda: FixedPointRing(31), (ValueError, "frac_bits must be an integer in [0, 30]")),
    ("ring-fresh-value-too-large", lambda: FixedPointRing().encode(2.0 ** 49),
     (OverflowError, "fixed-point range at frac_bits=13")),
    ("slm-step-one", lambda: SecureLinearModel(learning_rate=32, batch_size=32),
     (ValueError, "lower learning_rate or raise batch_size")),
    ("plm-learning-rate-nan", lambda: PlainLinearModel(learning_rate=float("nan")),
     (ValueError, "learning_rate must be a positive finite number")),
    ("plm-labels-per-row", lambda: PlainLinearModel().fit(np.ones((4, 2)), np.ones(5)),
     (ValueError, "y must hold one label per row of X")),
    ("slm-labels-not-0-1",
     lambda: SecureLinearModel().fit([np.ones((2, 2))] * 2, [np.ones(2), np.full(2, 3.0)]),
     (ValueError, "logistic regression needs labels in [0, 1]")),
    ("hospital-split-rows-mismatch", lambda: hospital_split(np.ones((3, 1)), np.ones(4), 2),
     (ValueError, "give one label per row")),
    ("hospital-split-more-parties-than-rows", lambda: hospital_split(np.ones((3, 1)), np.ones(3), 4),
     (ValueError, "n_parties must be an integer in [2, 3]")),
]

# --- Oblivious transfer, the channel, garbled inputs ----------------------------------------------------
OT_ROWS: list[Row] = [
    ("ot-choice-float", lambda: ot_receive(Channel.pair()[0], [0, 1.0]), (ValueError, "OT choice 1 is 1.0")),
    ("ot-choice-nan", lambda: random_ot_receive(Channel.pair()[0], [0, float("nan")]),
     (ValueError, "OT choice 1 is nan")),
    ("ot-choice-not-a-bit", lambda: check_choice_bits(np.array([0, 1, 2])), (ValueError, "OT choice 2 is 2")),
    ("ot-choice-2d", lambda: check_choice_bits([[0, 1]]), (ValueError, "a 1-D sequence of bits")),
    ("ot-choice-booleans", lambda: check_choice_bits([True, False, np.bool_(True), np.int8(0)]), Exact([1, 0, 1, 0])),
    ("ot-message-short", lambda: ot_send(Channel.pair()[0], [(b"short", b"x" * 16)]),
     (ValueError, "OT messages must be 16 bytes each; pair 0 holds 5 bytes")),
    ("ot-count-negative", lambda: random_ot_send(Channel.pair()[0], -1), (ValueError, "non-negative integer")),
    ("ot-zero-chosen", lambda: ot_receive(Channel.pair()[0], []), Exact([])),
    ("ot-zero-random", lambda: random_ot_send(Channel.pair()[0], 0), Exact([])),
    ("ot-ext-labels-float", lambda: check_labels(np.zeros((3, 2)), np.zeros((3, 2), np.uint64)),
     (ValueError, "x0 must be an (m, 2) uint64 array of 128-bit labels, got shape (3, 2), dtype float64")),
    ("ot-ext-labels-shapes", lambda: check_labels(np.zeros((3, 2), np.uint64), np.zeros((4, 2), np.uint64)),
     (ValueError, "differ in shape")),
    ("ot-ext-zero", lambda: InProcessOTExtension(timeout_s=30).transfer(np.zeros((0, 2), np.uint64),
                                                                        np.zeros((0, 2), np.uint64), []),
     Exact(np.zeros((0, 2), np.uint64))),
    ("channel-silent-peer", lambda: (lambda a, b: a.recv(16))(*Channel.pair(timeout_s=0.2,
                                                                            names=("garbler", "evaluator"))),
     (TimeoutError, "the evaluator sent nothing for 0.2 s: received 0 of the 16 bytes of a message, 16 missing")),
    ("channel-closed-peer", lambda: (lambda a, b: (b.close(), a.recv(16)))(*Channel.pair(names=("garbler",
                                                                                                "evaluator"))),
     (ConnectionError, "the evaluator closed the channel after 0 of the 16 bytes")),
    ("channel-timeout-zero", lambda: Channel.pair(timeout_s=0), (ValueError, "positive finite number of seconds")),
    ("gc-input-too-wide", lambda: PlainEngine().input("garbler", [2 ** 40], width=32),
     (OverflowError, "does not fit a signed 32-bit number")),
    ("gc-input-unsigned-negative", lambda: PlainEngine().input("garbler", [-1], width=8, signed=False),
     (OverflowError, "does not fit an unsigned 8-bit number")),
    ("gc-input-nan", lambda: PlainEngine().input("garbler", [float("nan")], frac=8), (ValueError, "cannot encode nan")),
    ("gc-input-string", lambda: PlainEngine().input("garbler", ["1"]), (TypeError, "can only encode real numbers")),
    ("gc-width-zero", lambda: PlainEngine().input("garbler", [1], width=0),
     (ValueError, "width must be an integer in 1..64, got 0")),
    ("gc-frac-not-below-width", lambda: PlainEngine().input("garbler", [1], width=8, frac=8),
     (ValueError, "frac (fractional bits) must be in 0..width-1")),
    ("gc-shape-mismatch", lambda: PlainEngine().input("garbler", [1, 2], shape=(3,)),
     (ValueError, "values have shape (2,) but shape=(3,)")),
    ("gc-reveal-non-value", lambda: PlainEngine().reveal(5), (TypeError, "opens a GarbledInt of this engine")),
    ("gc-reveal-other-engine", lambda: PlainEngine().reveal(PlainEngine().input("garbler", [1])),
     (ValueError, "lives on another engine")),
    ("gc-concatenate-nothing", lambda: concatenate([]), (TypeError, "non-empty list of GarbledInt")),
    ("gc-unsigned-64-bit-max", lambda: (lambda e: e.reveal(e.input("garbler", [2 ** 64 - 1], width=64,
                                                                   signed=False)))(PlainEngine()),
     Exact([2 ** 64 - 1])),
    ("gc-fixed-point-exact", lambda: (lambda e: e.reveal(e.input("garbler", [-1.5, 0.25], width=16, frac=4)))(
        PlainEngine()), Exact([-1.5, 0.25])),
]

ROWS = PAILLIER_ROWS + SHARING_ROWS + OT_ROWS


def test_the_table_is_large_enough():
    assert len(ROWS) >= 40, f"only {len(ROWS)} rows"
    ids = [row[0] for row in ROWS]
    assert len(ids) == len(set(ids)), "row ids must be unique"


@pytest.mark.parametrize(("call", "expected"), [row[1:] for row in ROWS], ids=[row[0] for row in ROWS])
def test_bad_input_is_a_clear_error_or_the_exact_value(call, expected):
    if isinstance(expected, Exact):
        result = call()
        assert np.array_equal(np.asarray(result, dtype=object), np.asarray(expected.value, dtype=object)), result
        return
    exception, fragment = expected
    with pytest.raises(exception, match=re.escape(fragment)):
        call()
