"""Encrypted numbers and arrays: fixed-point encoding, packing, homomorphism, overflow, bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlprivacy_lab.crypto.encoding import FixedPoint
from mlprivacy_lab.crypto.packing import SlotLayout
from mlprivacy_lab.crypto.paillier import EncryptedNumber, generate_keypair
from mlprivacy_lab.crypto.paillier_timing import time_ours, time_phe
from mlprivacy_lab.protocols.private_pca import owner_data, pca_share, share_encoding

SMALL = FixedPoint(frac_bits=8, value_bits=24, max_additions=7)  # 29-bit slots, 35 per 1024-bit plaintext
FAST = settings(max_examples=25, deadline=None)


@pytest.fixture(scope="module")
def keys():
    return generate_keypair(1024, insecure_demo=True)  # 1024 bits keep the tests fast


def encoded(x, enc: FixedPoint = SMALL) -> np.ndarray:
    """The exact rational a value decodes to: round(x * 2^f) / 2^f."""
    return np.array(enc.encode(np.asarray(x, dtype=float)), dtype=float).reshape(np.shape(x)) / 2 ** enc.frac_bits


reals = st.floats(-1000, 1000, allow_nan=False)
ints = st.integers(-(2 ** 23) + 1, 2 ** 23 - 1)


@FAST
@given(x=reals, y=reals, k=st.integers(-50, 50))
def test_homomorphism_on_encrypted_numbers(keys, x, y, k):
    public_key, private_key = keys
    ex, ey = public_key.encrypt(x), public_key.encrypt(y)
    fx, fy = encoded(x, FixedPoint()), encoded(y, FixedPoint())
    assert private_key.decrypt(ex + ey) == fx + fy
    assert private_key.decrypt(ex - ey) == fx - fy
    assert private_key.decrypt(ex + y) == fx + fy
    assert private_key.decrypt(y - ex) == fy - fx
    assert private_key.decrypt(-ex) == -fx
    assert private_key.decrypt(ex * k) == private_key.decrypt(k * ex) == fx * k
    assert private_key.decrypt(ex * 0.375) == fx * 0.375  # a float multiplier is encoded exactly


@FAST
@given(rows=st.lists(st.lists(ints, min_size=40, max_size=40), min_size=1, max_size=SMALL.max_additions + 1),
       k=st.integers(-1, 1))
def test_packed_sums_of_signed_vectors_match_numpy(keys, rows, k):
    public_key, private_key = keys
    X = np.array(rows, dtype=np.int64)
    encrypted = [public_key.encrypt_array(row, SMALL, pack=True) for row in X / 2 ** SMALL.frac_bits]
    assert encrypted[0].n_ciphertexts == 2 and encrypted[0].layout.slots == 35  # 40 values, 35 per ciphertext
    total = sum(encrypted)
    np.testing.assert_array_equal(private_key.decrypt(total) * 2 ** SMALL.frac_bits, X.sum(0))
    np.testing.assert_array_equal(private_key.decrypt(total * k) * 2 ** SMALL.frac_bits, k * X.sum(0))


@FAST
@given(x=st.lists(reals, min_size=1, max_size=12), y=st.lists(reals, min_size=12, max_size=12))
def test_packed_and_unpacked_arrays_agree(keys, x, y):
    public_key, private_key = keys
    x = np.resize(np.array(x), 12).reshape(3, 4)
    y = np.array(y).reshape(3, 4)
    fx, fy = encoded(x), encoded(y)
    for pack in (False, True):
        ex, ey = public_key.encrypt_array(x, SMALL, pack=pack), public_key.encrypt_array(y, SMALL, pack=pack)
        np.testing.assert_array_equal(private_key.decrypt(ex + ey), fx + fy)
        np.testing.assert_array_equal(private_key.decrypt(ex - y), fx - fy)
        np.testing.assert_array_equal(private_key.decrypt(y + ex), fx + fy)  # ndarray + Enc defers to us
        np.testing.assert_array_equal(private_key.decrypt(-ex * 3), -3 * fx)


def test_products_with_plaintext_matrices_and_sum_match_numpy(keys):
    public_key, private_key = keys
    X = np.arange(-6, 6).reshape(3, 4)
    W = np.array([[1, -2], [0, 3], [5, 1], [-1, -1]])
    enc = FixedPoint(frac_bits=0, value_bits=16)
    ex = public_key.encrypt_array(X, enc)
    np.testing.assert_array_equal(private_key.decrypt(ex @ W), X @ W)
    np.testing.assert_array_equal(private_key.decrypt(W.T @ ex.T), W.T @ X.T)
    np.testing.assert_array_equal(private_key.decrypt(ex.T), X.T)
    v = public_key.encrypt_array(X[0], enc)
    np.testing.assert_array_equal(private_key.decrypt(v @ W), X[0] @ W)
    np.testing.assert_array_equal(private_key.decrypt(W.T @ v), W.T @ X[0])
    assert private_key.decrypt(v @ X[1]) == X[0] @ X[1]
    assert private_key.decrypt(ex.sum()) == X.sum() and isinstance(ex.sum(), EncryptedNumber)
    np.testing.assert_array_equal(private_key.decrypt(ex * X), X * X)
    weights = np.array([0.5, -0.25, 1.0, 2.0])
    np.testing.assert_allclose(private_key.decrypt(public_key.encrypt_array([1.5, 2.0, -3.0, 4.0]) @ weights),
                               np.array([1.5, 2.0, -3.0, 4.0]) @ weights, rtol=0, atol=2 ** -30)


def test_salary_average_under_encryption(keys):
    public_key, private_key = keys
    salaries = [5000, 100000, 22000]
    encrypted = [public_key.encrypt(s, FixedPoint(frac_bits=0, value_bits=32)) for s in salaries]
    assert private_key.decrypt(sum(encrypted)) == 127000
    assert abs(private_key.decrypt(sum(encrypted) / 3) - 127000 / 3) < 1e-9


@pytest.mark.parametrize("pack", [False, True])
def test_encode_decode_round_trip_at_the_edges_of_the_range(keys, pack):
    public_key, private_key = keys
    top = SMALL.max_int / 2 ** SMALL.frac_bits
    edges = np.array([top, -top, 0.0, 2 ** -SMALL.frac_bits, -(2 ** -SMALL.frac_bits), top - 1])
    np.testing.assert_array_equal(private_key.decrypt(public_key.encrypt_array(edges, SMALL, pack=pack)), edges)
    with pytest.raises(OverflowError, match="value_bits=24"):
        public_key.encrypt_array(np.array([top + 2 ** -SMALL.frac_bits]), SMALL, pack=pack)
    big = np.array([2 ** 70, -(2 ** 70) + 1], dtype=object)  # exact Python ints beyond int64
    enc = FixedPoint(frac_bits=0, value_bits=71)
    assert list(private_key.decrypt(public_key.encrypt_array(big, enc, pack=pack))) == list(big)


def test_numpy_integer_scalars_encode_exactly(keys):
    """python-paillier issue #116: numpy.int64 inputs overflowed in its encoder."""
    public_key, private_key = keys
    enc = FixedPoint(frac_bits=4, value_bits=40)
    assert private_key.decrypt(public_key.encrypt(np.int64(7), enc)) == 7.0
    assert private_key.decrypt(public_key.encrypt(np.int64(7), enc) * np.int64(-3)) == -21.0
    assert private_key.decrypt(np.float64(2.0) * public_key.encrypt(np.float32(1.5), enc)) == 3.0


def test_headroom_holds_exactly_the_stated_number_of_additions(keys):
    public_key, private_key = keys
    top = SMALL.max_int / 2 ** SMALL.frac_bits
    for sign in (1, -1):
        fresh = public_key.encrypt_array(np.full(5, sign * top), SMALL, pack=True)
        total = fresh
        for _ in range(SMALL.max_additions):
            total = total + fresh
        expected = (SMALL.max_additions + 1) * sign * top
        np.testing.assert_array_equal(private_key.decrypt(total), np.full(5, expected))
        with pytest.raises(OverflowError, match="max_additions=7"):
            total + fresh
        with pytest.raises(OverflowError, match="max_additions=7"):
            total + np.zeros(5)  # a plaintext counts as one more term
        with pytest.raises(OverflowError, match="max_additions=7"):
            fresh * (SMALL.max_additions + 2)


def test_repeated_float_products_overflow_at_the_operation_not_at_decryption(keys):
    """python-paillier issue #110: y * E[x] a hundred times failed only when decrypting."""
    public_key, private_key = keys
    x = public_key.encrypt(0.7)
    with pytest.raises(OverflowError, match="plaintext space"):
        for i in range(1, 101):
            x = 0.3 * x
            assert private_key.decrypt(x) == pytest.approx(0.7 * 0.3 ** i, rel=1e-9)  # every result is right
    assert i < 100


def test_bad_inputs_get_clear_errors(keys):
    public_key, private_key = keys
    a = public_key.encrypt_array([1.0, 2.0, 3.0])
    packed = public_key.encrypt_array([1.0, 2.0, 3.0], pack=True)
    with pytest.raises(ValueError, match="finite"):
        public_key.encrypt(float("nan"))
    with pytest.raises(TypeError, match="real numbers"):
        public_key.encrypt_array([1 + 2j])
    with pytest.raises(TypeError, match="real numbers"):
        public_key.encrypt("5")
    with pytest.raises(TypeError, match="encrypt_array"):
        public_key.encrypt([1.0, 2.0])
    with pytest.raises(TypeError, match="FixedPoint"):
        public_key.encrypt_array([1.0], encoding=32)
    with pytest.raises(ValueError, match="broadcast"):
        a + np.zeros(4)
    with pytest.raises(ValueError, match="differ"):
        a + packed
    with pytest.raises(ValueError, match="differ"):
        a + public_key.encrypt_array([1.0, 2.0])
    with pytest.raises(TypeError, match="cannot multiply two ciphertexts"):
        a * a
    with pytest.raises(ValueError, match="packed"):
        packed * np.array([1, 2, 3])
    with pytest.raises(ValueError, match="packed"):
        packed.sum()
    with pytest.raises(ValueError, match="not aligned"):
        a @ np.ones((2, 2))
    with pytest.raises(TypeError, match="EncryptedNumber or EncryptedArray"):
        private_key.decrypt(a.ciphertexts[0])
    with pytest.raises(ValueError, match="slot does not fit"):
        public_key.encrypt_array([1.0], FixedPoint(value_bits=1100), pack=True)
    with pytest.raises(ValueError, match="max_additions"):
        FixedPoint(max_additions=-1)


def test_a_wrong_declared_bound_is_caught_at_decryption(keys):
    public_key, private_key = keys
    c = public_key.raw_encrypt(2 ** 80)
    with pytest.raises(OverflowError, match="exceeds the bound"):
        private_key.decrypt(EncryptedNumber(public_key, c))  # declared: a 64-bit integer
    assert private_key.decrypt(EncryptedNumber(public_key, c, FixedPoint(frac_bits=0, value_bits=81))) == 2 ** 80


@given(values=st.lists(st.integers(-(2 ** 12) + 1, 2 ** 12 - 1), min_size=0, max_size=30),
       slot_bits=st.integers(14, 40))
def test_slot_packing_round_trips_signed_values(values, slot_bits):
    layout = SlotLayout(slot_bits, 5)
    assert layout.unpack(layout.pack(values), len(values)) == values
    assert layout.n_plaintexts(len(values)) == len(layout.pack(values))


def test_slot_overflow_is_detected_by_unpack():
    layout = SlotLayout(8, 3)  # capacity 63: one guard bit, one sign bit, six magnitude bits
    with pytest.raises(OverflowError, match="slot 0 of packed plaintext 0 overflowed"):
        layout.unpack([layout.pack([63, 63, 63])[0] * 2], 3)  # every slot 126: inner slots are caught too
    with pytest.raises(OverflowError, match="slot 1 of packed plaintext 0 overflowed"):
        layout.unpack([layout.pack([5, 0, -7])[0] + (64 << 8)], 3)  # only the middle slot, 64 > 63
    with pytest.raises(OverflowError, match="outside the range of its 3 slots"):
        layout.unpack([1 << 24], 3)
    with pytest.raises(OverflowError, match="does not fit a 8-bit slot"):
        layout.pack([1, 64])


def test_timing_ours_and_phe_on_one_owner_share(keys):
    values = pca_share(owner_data(10))
    ours = time_ours(*keys, values, share_encoding())
    theirs = time_phe(*keys, values)
    assert len(values) == 66 and ours["ciphertexts"] < theirs["ciphertexts"] == 66
    assert ours["max_abs_error"] <= 2 ** -32 and theirs["max_abs_error"] == 0.0


def test_encoding_for_a_public_bound_is_the_narrowest_that_fits():
    enc = FixedPoint.for_bound(1.0, frac_bits=8, max_additions=3)
    assert enc.value_bits == 9 and enc.slot_bits == 9 + 2 + 1 + 1  # value, headroom, sign, guard
    assert enc.encode([1.0, -1.0, 2 ** -8]) == [256, -256, 1]
    with pytest.raises(OverflowError, match="value_bits=9"):
        FixedPoint.for_bound(1.0, frac_bits=8, max_additions=3).encode([2.0])
    with pytest.raises(ValueError, match="positive finite"):
        FixedPoint.for_bound(float("inf"), 8, 3)
