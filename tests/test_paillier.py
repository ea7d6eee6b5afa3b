"""Paillier keys, raw encryption, the fast randomizer, phe interoperability and JSON."""

import json
import secrets
import warnings

import gmpy2
import numpy as np
import phe
import pytest

from mlprivacy_lab.crypto.encoding import FixedPoint
from mlprivacy_lab.crypto.paillier import (EncryptedArray, EncryptedNumber, InsecureKeyWarning,
                                           PaillierPrivateKey, PaillierPublicKey, generate_keypair)


@pytest.fixture(scope="module")
def keys():
    return generate_keypair(1024, insecure_demo=True)  # 1024 bits keep the tests fast; a test key, not a real one


@pytest.fixture(scope="module")
def other_keys():
    return generate_keypair(1024, insecure_demo=True)


@pytest.mark.parametrize("n_length", [1024, 2048])
def test_keypair_has_the_requested_size_and_equal_length_primes(n_length):
    public_key, private_key = generate_keypair(n_length, insecure_demo=True)
    p, q = private_key.p, private_key.q
    assert public_key.n == p * q and public_key.n.bit_length() == n_length and p != q
    assert p.bit_length() == q.bit_length() == n_length // 2
    assert gmpy2.is_prime(p) and gmpy2.is_prime(q)
    assert public_key.g == public_key.n + 1 and public_key.nsquare == public_key.n ** 2


def test_keys_are_2048_bits_by_default_and_1024_bits_warn_citing_nist():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the default size warns about nothing
        public_key, _ = generate_keypair()
        assert public_key.n.bit_length() == 2048
        assert PaillierPublicKey.from_json(public_key.to_json()) == public_key
    with pytest.warns(InsecureKeyWarning, match=r"NIST SP 800-57.*n_length=2048"):
        legacy, _ = generate_keypair(1024)
    assert legacy.n.bit_length() == 1024  # the caller still gets the key asked for
    with pytest.warns(InsecureKeyWarning, match="1024-bit"):
        PaillierPublicKey.from_json(legacy.to_json())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        PaillierPublicKey(legacy.n, insecure_demo=True)  # the flag states it is a demo: no warning


def test_public_key_rejects_a_modulus_that_is_not_a_product_of_two_primes(keys):
    public_key, private_key = keys
    with pytest.raises(ValueError, match="is prime"):
        PaillierPublicKey(2 ** 1279 - 1, insecure_demo=True)  # a Mersenne prime
    with pytest.raises(ValueError, match="perfect square"):
        PaillierPublicKey(private_key.p ** 2, insecure_demo=True)
    with pytest.raises(ValueError, match="small factor 3"):
        PaillierPublicKey(3 * public_key.n ** 2)  # 2050 bits, odd, composite, but 3 divides it
    with pytest.raises(ValueError, match="positive odd"):
        PaillierPublicKey(-public_key.n)
    with pytest.raises(ValueError, match="larger than the 16384 bits"):
        PaillierPublicKey((1 << 20000) + 1)
    with pytest.raises(TypeError, match="integer"):
        PaillierPublicKey(True)


def test_tiny_keys_need_the_explicit_demo_flag():
    with pytest.raises(ValueError, match="insecure_demo=True"):
        generate_keypair(512)
    with pytest.raises(ValueError, match="insecure_demo=True"):
        PaillierPublicKey(17 * 19)
    public_key, private_key = generate_keypair(32, insecure_demo=True)
    assert public_key.n.bit_length() == 32
    assert private_key.raw_decrypt(public_key.raw_encrypt(12345)) == 12345
    with pytest.raises(ValueError, match="even integer"):
        generate_keypair(1025)


def test_private_key_rejects_wrong_factors(keys):
    public_key, private_key = keys
    with pytest.raises(ValueError, match="distinct primes"):
        PaillierPrivateKey(public_key, private_key.p, private_key.q + 2)
    with pytest.raises(TypeError, match="PaillierPublicKey"):
        PaillierPrivateKey(public_key.n, private_key.p, private_key.q)


def test_raw_round_trip_at_the_edges_and_textbook_formula(keys):
    public_key, private_key = keys
    n, nn = public_key.n, public_key.nsquare
    for m in (0, 1, n // 2, n - 1, secrets.randbelow(n)):
        assert private_key.raw_decrypt(public_key.raw_encrypt(m)) == m
        r = secrets.randbelow(n - 1) + 1
        c = public_key.raw_encrypt(m, r_value=r)
        assert c == pow(n + 1, m, nn) * pow(r, n, nn) % nn  # Enc(m; r) = g^m r^n mod n^2
        assert private_key.raw_decrypt(c) == m
    with pytest.raises(ValueError, match=r"\[0, n\)"):
        public_key.raw_encrypt(n)
    with pytest.raises(TypeError, match="integer"):
        public_key.raw_encrypt(1.0)
    with pytest.raises(ValueError, match="not a ciphertext"):
        private_key.raw_decrypt(nn)


def test_raw_homomorphism(keys):
    public_key, private_key = keys
    n, nn = public_key.n, public_key.nsquare
    x, y, k = secrets.randbelow(n), secrets.randbelow(n), secrets.randbelow(n)
    cx, cy = public_key.raw_encrypt(x), public_key.raw_encrypt(y)
    assert private_key.raw_decrypt(cx * cy % nn) == (x + y) % n  # Enc[x] * Enc[y] = Enc[x + y]
    assert private_key.raw_decrypt(pow(cx, k, nn)) == x * k % n  # Enc[x]^k = Enc[k x]


def test_encryption_is_randomized(keys):
    public_key, private_key = keys
    a, b = public_key.raw_encrypt(42), public_key.raw_encrypt(42)
    assert a != b and private_key.raw_decrypt(a) == private_key.raw_decrypt(b) == 42


def test_exported_results_cannot_be_linked_to_their_input_by_trial(keys):
    """The attacker holds the public key and Enc[x]'s ciphertext c and tries every k (every m) in a range:
    c^k, c (1 + m n) and c^0 = 1 are what a result computed without re-randomization would be."""
    public_key, private_key = keys
    n, nn = public_key.n, public_key.nsquare
    enc = public_key.encrypt(1234, FixedPoint(frac_bits=0, value_bits=32))
    c = enc.ciphertext  # what the attacker saw
    k, m, candidates = 137, -58, range(-300, 301)  # the secrets, and the attacker's range
    times_k, plus_m, times_0 = enc * k, enc + m, enc * 0

    def trials(exported: int) -> tuple[list[int], list[int]]:
        return ([j for j in candidates if pow(c, j, nn) == exported],
                [j for j in candidates if c * (1 + j % n * n) % nn == exported])

    # the results as computed: the trial attack recovers k and m, and Enc[x] * 0 is the constant 1
    assert trials(times_k._cts[0])[0] == [k] and trials(plus_m._cts[0])[1] == [m] and times_0._cts[0] == 1
    # as exported (ciphertext, ciphertexts, to_json): re-randomized, no candidate matches, Enc[x] * 0 is not 1
    for result, value in ((times_k, 1234 * k), (plus_m, 1234 + m), (times_0, 0), (-enc, -1234)):
        exported = result.ciphertext
        assert trials(exported) == ([], []) and exported not in (1, c, pow(c, -1, nn))
        assert result.ciphertexts == [exported]  # re-randomized once, then it leaves as it is
        assert json.loads(result.to_json())["ciphertexts"] == [format(exported, "x")]
        assert private_key.decrypt(result) == value
    reexported = EncryptedArray.from_json(public_key, times_0.to_json())  # forwarded again: fresh randomness
    assert reexported.ciphertext != times_0.ciphertext and private_key.decrypt(reexported) == 0
    again = times_k.rerandomize()  # on demand: every call draws a new n-th residue
    assert again.ciphertext != times_k.ciphertext and private_key.decrypt(again) == 1234 * k
    assert (enc * 0 + m).ciphertext != 1 + m % n * n  # computed, Enc[x] * 0 + m is 1 + m n: m in the clear


def test_fixed_base_table_equals_powmod(keys):
    public_key, _ = keys
    table = public_key.precompute()._table
    base = table.rows[0][1]
    assert table.exponent_bits >= (public_key.n.bit_length() + 1) // 2
    for e in (0, 1, (1 << table.exponent_bits) - 1, secrets.randbits(table.exponent_bits)):
        assert table.pow(e) == gmpy2.powmod(base, e, public_key.nsquare)
    # the randomizer is an n-th residue: it decrypts to 0
    _, private_key = keys
    assert private_key.raw_decrypt(int(public_key._randomizer())) == 0


def test_our_ciphertexts_decrypt_with_phe(keys):
    public_key, private_key = keys
    phe_public = phe.PaillierPublicKey(public_key.n)
    phe_private = phe.PaillierPrivateKey(phe_public, private_key.p, private_key.q)
    m = secrets.randbelow(public_key.n)
    assert phe_private.raw_decrypt(public_key.raw_encrypt(m)) == m
    ours = public_key.encrypt(-123456789, FixedPoint(frac_bits=0, value_bits=40))
    assert phe_private.decrypt(phe.EncryptedNumber(phe_public, ours.ciphertext, exponent=0)) == -123456789
    ours = public_key.encrypt(-2.71875, FixedPoint(frac_bits=32, value_bits=40))  # 2^-32 = 16^-8
    assert phe_private.decrypt(phe.EncryptedNumber(phe_public, ours.ciphertext, exponent=-8)) == -2.71875


def test_phe_ciphertexts_decrypt_with_ours(keys):
    public_key, private_key = keys
    phe_public = phe.PaillierPublicKey(public_key.n)
    m = secrets.randbelow(public_key.n)
    assert private_key.raw_decrypt(phe_public.raw_encrypt(m)) == m
    theirs = phe_public.encrypt(-987654321)
    assert private_key.decrypt(EncryptedNumber(public_key, theirs.ciphertext())) == -987654321
    theirs = phe_public.encrypt(3.14159)
    encoding = FixedPoint(frac_bits=-4 * theirs.exponent, value_bits=60)  # phe: base 16 exponents
    ours = EncryptedNumber(public_key, theirs.ciphertext(), encoding)
    assert private_key.decrypt(ours) == 3.14159
    assert private_key.decrypt(ours + ours) == 2 * 3.14159  # and it computes with ours


def test_keys_of_different_pairs_cannot_be_mixed(keys, other_keys):
    (public_key, private_key), (other_public, other_private) = keys, other_keys
    a, b = public_key.encrypt(1.0), other_public.encrypt(2.0)
    with pytest.raises(ValueError, match="different public keys"):
        a + b
    with pytest.raises(ValueError, match="different public key"):
        other_private.decrypt(a)
    with pytest.raises(ValueError, match="different public key"):
        EncryptedArray.from_json(other_public, a.to_json())


def test_json_round_trip_of_keys_and_ciphertexts(keys):
    public_key, private_key = keys
    assert PaillierPublicKey.from_json(public_key.to_json(), insecure_demo=True) == public_key
    loaded = PaillierPrivateKey.from_json(private_key.to_json(), insecure_demo=True)
    assert loaded == private_key and loaded.public_key == public_key
    values = np.array([1.5, -2.0, 1e6])
    for encrypted in (public_key.encrypt(-0.125), public_key.encrypt_array(values),
                      public_key.encrypt_array(values, pack=True), public_key.encrypt_array(values) * 0.5):
        text = encrypted.to_json()
        assert json.loads(text)["ciphertexts"] == [format(c, "x") for c in encrypted.ciphertexts]
        back = EncryptedArray.from_json(public_key, text)
        assert type(back) is type(encrypted) and back._cts == encrypted._cts  # loaded exactly as written
        # on its way out again it is re-randomized: other ciphertexts, the same plaintexts
        assert [private_key.raw_decrypt(c) for c in back.ciphertexts] == \
               [private_key.raw_decrypt(c) for c in encrypted.ciphertexts]
        assert (back.shape, back.frac_bits, back.bound, back.packed) == \
               (encrypted.shape, encrypted.frac_bits, encrypted.bound, encrypted.packed)
        np.testing.assert_array_equal(private_key.decrypt(back), private_key.decrypt(encrypted))
    demo_public, _ = generate_keypair(64, insecure_demo=True)
    with pytest.raises(ValueError, match="insecure_demo"):
        PaillierPublicKey.from_json(demo_public.to_json())
    assert PaillierPublicKey.from_json(demo_public.to_json(), insecure_demo=True) == demo_public


def _edit(text: str, **changes) -> str:
    data = json.loads(text)
    data.update(changes)
    return json.dumps({k: v for k, v in data.items() if v is not None})


@pytest.mark.parametrize("change, message", [
    ({"type": "paillier-public-key"}, "type"),
    ({"bound": None}, "lacks the field"),
    ({"bound": "-1"}, "hexadecimal"),
    ({"bound": "f" * 300}, "bound must lie"),
    ({"shape": [4]}, "needs 4 ciphertexts"),
    ({"shape": "3"}, "shape"),
    ({"ciphertexts": ["0"] * 3}, "not a ciphertext"),
    ({"encoding": {"frac_bits": 1}}, "encoding"),
    ({"encoding": {"frac_bits": -1, "value_bits": 8, "max_additions": 0}}, "frac_bits"),
    ({"packed": "yes"}, "packed"),
    ({"frac_bits": 2 ** 40}, "frac_bits must lie in"),  # was a bare MemoryError at decryption
    ({"frac_bits": True}, "'frac_bits' must be an integer"),
    ({"shape": [True, 3]}, "shape"),
    ({"encoding": {"frac_bits": 0, "value_bits": 2 ** 40, "max_additions": 0}}, "value_bits must be an integer in"),
])
def test_malformed_ciphertext_json_is_rejected(keys, change, message):
    public_key, _ = keys
    text = public_key.encrypt_array([1.0, 2.0, 3.0]).to_json()
    with pytest.raises(ValueError, match=message):
        EncryptedArray.from_json(public_key, _edit(text, **change))


def test_malformed_key_json_is_rejected(keys):
    public_key, private_key = keys
    with pytest.raises(ValueError, match="not valid JSON"):
        PaillierPublicKey.from_json("{n: 12")
    with pytest.raises(ValueError, match="type"):
        PaillierPublicKey.from_json(private_key.to_json().replace("private", "secret"))
    with pytest.raises(ValueError, match="hexadecimal"):
        PaillierPublicKey.from_json(json.dumps({"type": "paillier-public-key", "n": public_key.n}))
    with pytest.raises(ValueError, match="distinct primes"):
        PaillierPrivateKey.from_json(_edit(private_key.to_json(), p=format(private_key.p + 2, "x")),
                                     insecure_demo=True)
    with pytest.raises(ValueError, match="is prime"):
        PaillierPublicKey.from_json(_edit(public_key.to_json(), n=format(private_key.p, "x")), insecure_demo=True)
