"""Property tests of encrypted arrays, packed and unpacked: random values and random sequences of operations
decrypt to numpy's result within the fixed-point tolerance (and exactly to the fixed-point rational, correctly
rounded), or the operation raises a clear error before it computes -- never a silently wrong value. Then the
guard bit of packed slots, exactly as ``crypto/packing.py`` states what it detects and what it cannot."""

import re
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from mlprivacy_lab.crypto.encoding import FixedPoint
from mlprivacy_lab.crypto.packing import SlotLayout
from mlprivacy_lab.crypto.paillier import EncryptedArray, generate_keypair

ENC = FixedPoint(frac_bits=8, value_bits=16, max_additions=3)  # 20-bit slots: 12 per 256-bit plaintext
F = ENC.frac_bits
LIMIT = ENC.max_int / 2 ** F  # the largest |x| a fresh value may have
CLEAR = re.compile(r"max_additions|value bits|value_bits|MAX_FRAC_BITS")  # an overflow names its knob
OPS = ["add_enc", "sub_enc", "add_plain", "sub_plain", "rsub_plain", "mul_int", "mul_float", "neg", "div",
       "mul_array", "matmul", "sum", "transpose"]
SETTINGS = settings(max_examples=40, deadline=None)
SEQUENCES = settings(max_examples=150, deadline=None)  # ~5 ms each: many operation sequences stay fast

reals = st.floats(-LIMIT, LIMIT, allow_nan=False, allow_infinity=False)


@pytest.fixture(scope="module")
def keys():
    return generate_keypair(256, insecure_demo=True)  # a toy key: these tests are about arithmetic


def fixed(x: np.ndarray, frac: int) -> np.ndarray:
    """The exact rationals x encodes to at ``frac`` fractional bits (the spec: round half to even)."""
    return np.array([Fraction(m, 2 ** frac) for m in ENC.encode(np.ravel(x), frac)], dtype=object).reshape(
        np.shape(x))


class Model:
    """What an encrypted array should decrypt to: the exact fixed-point rationals, numpy's float64 result
    on the unencoded inputs, and a bound on their difference (the encoding errors, propagated)."""

    def __init__(self, x: np.ndarray) -> None:
        self.exact, self.numpy = fixed(x, F), np.asarray(x, dtype=float)
        self.error = np.full(np.shape(x), 2.0 ** -(F + 1))  # round half to even: at most half a unit

    def plain(self, y: np.ndarray, frac: int, sign: int = 1, flip: bool = False) -> None:
        """Add (sign=-1: subtract) a plaintext encoded at the array's current scale; flip: y - array."""
        if flip:
            self.exact, self.numpy = -self.exact, -self.numpy
        self.exact = self.exact + sign * fixed(y, frac)
        self.numpy = self.numpy + sign * np.asarray(y, dtype=float)
        self.error = self.error + 2.0 ** -(frac + 1)

    def scale(self, k) -> None:
        self.exact, self.numpy, self.error = self.exact * Fraction(k), self.numpy * k, self.error * np.abs(k)

    def matmul(self, W: np.ndarray) -> None:
        Wf = np.vectorize(Fraction, otypes=[object])(W)
        self.exact, self.numpy, self.error = self.exact @ Wf, self.numpy @ W, self.error @ np.abs(W)

    def check(self, private_key, encrypted) -> None:
        out = private_key.decrypt(encrypted)
        assert np.shape(out) == np.shape(self.exact)
        np.testing.assert_array_equal(np.asarray(out, dtype=float),
                                      np.asarray([float(v) for v in np.ravel(self.exact)]).reshape(np.shape(out)))
        slack = self.error + 1e-9 * (1 + np.abs(self.numpy))  # numpy's own float64 rounding
        assert np.all(np.abs(np.asarray(out, dtype=float) - self.numpy) <= slack)


@SEQUENCES
@given(data=st.data(), pack=st.booleans(), shape=st.sampled_from([(1,), (5,), (13,), (2, 3), (3, 5)]))
def test_random_operation_sequences_decrypt_to_numpys_result_or_raise(keys, data, pack, shape):
    public_key, private_key = keys
    draw_array = lambda s: np.array(data.draw(st.lists(reals, min_size=int(np.prod(s)), max_size=int(np.prod(s))))
                                    ).reshape(s)
    x = draw_array(shape)
    encrypted, model = public_key.encrypt_array(x, ENC, pack=pack), Model(x)
    model.check(private_key, encrypted)
    for _ in range(data.draw(st.integers(1, 6))):
        op, s = data.draw(st.sampled_from(OPS)), encrypted.shape
        event(f"{op}, {'packed' if pack else 'unpacked'}")
        try:
            if op in ("add_enc", "sub_enc"):
                y = draw_array(s)
                other = public_key.encrypt_array(y, ENC, pack=pack)
                result = encrypted + other if op == "add_enc" else encrypted - other
                frac = max(encrypted.frac_bits, F)
                sign = 1 if op == "add_enc" else -1
                model.exact, model.numpy = model.exact + sign * fixed(y, F), model.numpy + sign * y
                model.error = model.error + 2.0 ** -(F + 1)
                assert result.frac_bits == frac
            elif op in ("add_plain", "sub_plain", "rsub_plain"):
                y = draw_array(s)
                frac = encrypted.frac_bits
                result = {"add_plain": lambda: encrypted + y, "sub_plain": lambda: encrypted - y,
                          "rsub_plain": lambda: y - encrypted}[op]()
                model.plain(y if op != "sub_plain" else -y, frac, flip=op == "rsub_plain")
            elif op == "mul_int":
                k = data.draw(st.integers(-4, 4))
                result = encrypted * k
                model.scale(k)
            elif op == "mul_float":
                k = data.draw(st.integers(-8, 8)) / 4  # a dyadic multiplier is applied exactly
                result = k * encrypted
                model.scale(k)
            elif op == "neg":
                result = -encrypted
                model.scale(-1)
            elif op == "div":
                result = encrypted / 2
                model.scale(0.5)
            elif op == "mul_array":
                K = np.array(data.draw(st.lists(st.integers(-3, 3), min_size=int(np.prod(s)),
                                                max_size=int(np.prod(s))))).reshape(s)
                if pack:
                    with pytest.raises(ValueError, match="packed"):
                        encrypted * K
                    continue
                result = encrypted * K
                model.exact, model.numpy, model.error = model.exact * K, model.numpy * K, model.error * np.abs(K)
            elif op == "matmul":
                if not s:
                    continue
                W = np.array(data.draw(st.lists(st.integers(-3, 3), min_size=s[-1] * 2, max_size=s[-1] * 2))
                             ).reshape(s[-1], 2) / 2
                if pack:
                    with pytest.raises(ValueError, match="packed"):
                        encrypted @ W
                    continue
                result = encrypted @ W
                model.matmul(W)
            elif op == "sum":
                if pack:
                    with pytest.raises(ValueError, match="packed"):
                        encrypted.sum()
                    continue
                result = encrypted.sum()
                model.exact, model.numpy, model.error = np.sum(model.exact), np.sum(model.numpy), np.sum(model.error)
            else:  # transpose
                if pack:
                    with pytest.raises(ValueError, match="packed"):
                        encrypted.T
                    continue
                result = encrypted.T
                model.exact, model.numpy, model.error = map(np.transpose, (model.exact, model.numpy, model.error))
        except OverflowError as err:  # refused before computing, from the declared bound: a clear error
            assert CLEAR.search(str(err)), str(err)
            event("refused: OverflowError")
            break
        encrypted = result
        model.check(private_key, encrypted)
    # what leaves the holder (re-randomized JSON) decrypts to the same values
    model.check(private_key, EncryptedArray.from_json(public_key, encrypted.to_json()))


@SETTINGS
@given(rows=st.lists(st.lists(st.integers(-ENC.max_int, ENC.max_int), min_size=7, max_size=7), min_size=1,
                     max_size=8))
def test_packed_sums_decrypt_exactly_or_overflow_at_the_stated_headroom(keys, rows):
    public_key, private_key = keys
    X = np.array(rows)
    encrypted = [public_key.encrypt_array(row / 2 ** F, ENC, pack=True) for row in X]
    total = encrypted[0]
    for i, term in enumerate(encrypted[1:], start=2):
        if i > 2 ** ENC.max_additions.bit_length():  # more terms than the headroom holds: refused
            with pytest.raises(OverflowError, match="max_additions=3"):
                total + term
            return
        total = total + term
    np.testing.assert_array_equal(private_key.decrypt(total) * 2 ** F, X.sum(0))


# --- the guard bit, as packing.py documents it -----------------------------------------------------------

layouts = st.tuples(st.integers(3, 40), st.integers(1, 6)).map(lambda t: SlotLayout(*t))


@given(layout=layouts, data=st.data())
def test_slots_within_the_capacity_round_trip(layout, data):
    c = layout.capacity
    values = data.draw(st.lists(st.integers(-c, c), min_size=0, max_size=3 * layout.slots))
    assert layout.unpack(layout.pack(values), len(values)) == values


@given(layout=layouts, data=st.data())
def test_any_slot_beyond_the_capacity_is_detected_while_no_slot_carries(layout, data):
    """Every other slot valid, slot i with C < |x_i| < 2^(w-1): ``unpack`` names slot i."""
    w, c = layout.slot_bits, layout.capacity
    values = data.draw(st.lists(st.integers(-c, c), min_size=layout.slots, max_size=layout.slots))
    i = data.draw(st.integers(0, layout.slots - 1))
    values[i] = data.draw(st.integers(c + 1, 2 ** (w - 1) - 1)) * data.draw(st.sampled_from([1, -1]))
    packed = sum(x << (j * w) for j, x in enumerate(values))  # hand-built: pack() refuses such a value
    with pytest.raises(OverflowError, match=f"slot {i} of packed plaintext 0 overflowed"):
        layout.unpack([packed], layout.slots)
    with pytest.raises(OverflowError, match="does not fit"):
        layout.pack(values)


@SETTINGS
@given(data=st.data())
def test_a_tampered_packed_ciphertext_decrypts_to_what_it_encrypts_or_raises(keys, data):
    """Paillier is malleable: Enc[P] * Enc[delta 2^(i w)] encrypts P + delta in slot i. Decryption returns
    exactly that plaintext when it is a valid packing within the declared bound (no check can tell), and
    raises ``OverflowError`` when slot i leaves the bound -- always when it passes the capacity (guard bit)."""
    public_key, private_key = keys
    ints = data.draw(st.lists(st.integers(-ENC.max_int, ENC.max_int), min_size=12, max_size=12))
    encrypted = public_key.encrypt_array(np.array(ints) / 2 ** F, ENC, pack=True)
    layout, i = encrypted.layout, data.draw(st.integers(0, 11))
    half = 2 ** (layout.slot_bits - 1)
    c, b = layout.capacity, encrypted.bound
    target = data.draw(st.one_of(st.integers(-b, b), st.integers(b + 1, c), st.integers(c + 1, half - 1)))
    delta = target * data.draw(st.sampled_from([1, -1])) - ints[i]  # |target| < 2^(w-1): no slot carries
    tamper = public_key.raw_encrypt((delta << (i * layout.slot_bits)) % public_key.n)
    nn = public_key.nsquare
    forged = EncryptedArray(public_key, [encrypted.ciphertexts[0] * tamper % nn], (12,), ENC, packed=True)
    changed = ints[:i] + [ints[i] + delta] + ints[i + 1:]
    if abs(ints[i] + delta) > layout.capacity:
        event("tampered slot beyond the capacity: the guard bit")
        with pytest.raises(OverflowError, match=f"slot {i} of packed plaintext 0 overflowed"):
            private_key.decrypt(forged)
    elif abs(ints[i] + delta) > forged.bound:
        event("tampered slot beyond the declared bound")
        with pytest.raises(OverflowError, match="exceeds the bound"):
            private_key.decrypt(forged)
    else:
        event("tampered slot a valid value: undetectable")
        np.testing.assert_array_equal(private_key.decrypt(forged) * 2 ** F, changed)
