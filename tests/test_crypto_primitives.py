"""Shared primitives: fixed-key AES (one permutation for OT and garbling) and the fixed-point rules of all carriers."""

import secrets

import numpy as np
import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from mlprivacy_lab.crypto.aes import FIXED_KEY, LABEL_BYTES, PERMUTE_MAX_BLOCKS, FixedKeyHash, fixed_key_aes
from mlprivacy_lab.crypto.encoding import FixedPoint
from mlprivacy_lab.crypto.fixed_point import check_magnitude, from_fixed, to_fixed
from mlprivacy_lab.crypto.garbled import decode, encode
from mlprivacy_lab.crypto.secret_sharing import FixedPointRing


def ecb(data: bytes) -> bytes:
    return Cipher(algorithms.AES(FIXED_KEY), modes.ECB()).encryptor().update(data)


def test_fixed_key_aes_is_the_ecb_permutation_call_after_call():
    aes = fixed_key_aes()
    for blocks in (1, 3, 4096):
        data = secrets.token_bytes(LABEL_BYTES * blocks)
        out = bytearray(len(data) + LABEL_BYTES)
        aes.update_into(data, out)
        assert bytes(out[:len(data)]) == ecb(data)


def test_fixed_key_hash_covers_more_blocks_than_one_aes_call_takes():
    keys = np.frombuffer(secrets.token_bytes(LABEL_BYTES * (PERMUTE_MAX_BLOCKS + 3)), dtype=np.uint64).reshape(-1, 2)
    got = FixedKeyHash().hash_inplace(keys, np.empty_like(keys))
    expect = np.frombuffer(ecb(keys.tobytes()), dtype=np.uint64).reshape(keys.shape) ^ keys
    assert np.array_equal(got, expect)


def test_every_carrier_rounds_half_to_even_and_encodes_integers_exactly():
    ties = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.75, -0.25]) / 2  # x·2^1 on a tie, or just off one
    expect = np.array([-2, -2, 0, 0, 2, 2, 1, 0])
    assert FixedPoint(frac_bits=1, value_bits=8).encode(ties) == expect.tolist()
    assert np.array_equal(FixedPointRing(1, 10).encode(ties).view(np.int64), expect)
    assert np.array_equal(decode(encode(ties, 8, 1), 0), expect)  # frac=0 decode: the raw integers
    big = 2 ** 53 + 1  # not a float64: integers must not pass through floating point
    assert FixedPoint(frac_bits=4, value_bits=60).encode([big]) == [big << 4]
    assert FixedPointRing(4, 62).encode(np.array([big]), 4).view(np.int64)[0] == big << 4
    assert decode(encode(np.array([big]), 60, 4), 0)[0] == big << 4


@pytest.mark.parametrize("bad, error, match", [
    (np.nan, ValueError, "NaN"), (np.inf, ValueError, "finite"), (1e308, OverflowError, "too large"),
    ("x", TypeError, "real numbers"), (1 + 2j, TypeError, "real numbers")])
def test_every_carrier_rejects_what_has_no_encoding(bad, error, match):
    for encoder in (lambda v: FixedPoint().encode([v]), lambda v: FixedPointRing().encode(np.array([v])),
                    lambda v: encode(np.array([v]), 32, 16)):
        with pytest.raises(error, match=match):
            encoder(bad)


def test_range_errors_name_the_value_the_range_and_the_knob():
    with pytest.raises(OverflowError, match=r"value 300\.0 .*\[-255, 255\].*raise value_bits"):
        FixedPoint(frac_bits=0, value_bits=8).encode([1.0, 300.0])
    with pytest.raises(OverflowError, match=r"value -3\.0 .*frac_bits=13 is \[-1\.99987793, 1\.99987793\]; rescale"):
        FixedPointRing(13, 14).encode(np.array([-3.0, 0.5]))
    with pytest.raises(OverflowError, match=r"value 128 .*signed 8-bit number.*\[-128, 127\]"):
        encode(np.array([5, 128]), 8)
    x, m = to_fixed(np.array([2 ** 62]), 0)  # a public magnitude bound, checked like data
    with pytest.raises(OverflowError, match="bit budget"):
        check_magnitude(x, m, 62, 0, "a 62-bit budget", "bit budget exceeded")


def test_decoding_is_correctly_rounded_and_keeps_integers():
    m = np.array([3, -(2 ** 70), 2 ** 70 + 1], dtype=object)
    assert from_fixed(m, 0).dtype == object and list(from_fixed(m, 0)) == list(m)
    assert from_fixed(np.array([3, -5], dtype=object), 0).dtype == np.int64
    assert np.array_equal(from_fixed(m, 2), np.array([0.75, -(2.0 ** 68), 2.0 ** 68]))
    assert np.array_equal(from_fixed(np.array([3, -5]), 1), [1.5, -2.5])
