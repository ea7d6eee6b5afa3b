"""Oblivious transfer: the receiver gets exactly the message it chose (base OT and IKNP extension)."""

import secrets
import threading

import numpy as np
import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from mlprivacy_lab.crypto.aes import FIXED_KEY, AesPrg, FixedKeyHash
from mlprivacy_lab.crypto.ot import (Channel, OTExtensionReceiver, OTExtensionSender, ot_receive, ot_send,
                                     random_ot_receive, random_ot_send)
from mlprivacy_lab.crypto.ot.base import ELEMENT_BYTES, P
from mlprivacy_lab.crypto.ot.extension import transpose_bits


def run_pair(sender, receiver):
    """Run sender(channel) in a thread and receiver(channel) here; return both results."""
    a, b = Channel.pair()
    for end in (a, b):
        end.sock.settimeout(60)
    out = {}
    thread = threading.Thread(target=lambda: out.setdefault("s", sender(a)))
    thread.start()
    try:
        got = receiver(b)
    finally:
        thread.join()
    return out.get("s"), got, a, b


def random_bits(n):
    return np.frombuffer(secrets.token_bytes(n), dtype=np.uint8) & 1


def test_chosen_message_base_ot_gives_exactly_the_chosen_message():
    messages = [(secrets.token_bytes(16), secrets.token_bytes(16)) for _ in range(12)]
    choices = [int(c) for c in random_bits(12)]
    _, got, _, _ = run_pair(lambda ch: ot_send(ch, messages), lambda ch: ot_receive(ch, choices))
    for (m0, m1), c, g in zip(messages, choices, got):
        assert g == (m1 if c else m0)
        assert g != (m0 if c else m1)


def test_random_base_ot_receiver_key_is_one_of_the_pair():
    choices = [0, 1, 1, 0, 1]
    pairs, keys, _, _ = run_pair(lambda ch: random_ot_send(ch, 5), lambda ch: random_ot_receive(ch, choices))
    for (k0, k1), c, k in zip(pairs, choices, keys):
        assert k == (k1, k0)[1 - c] and k0 != k1


def test_base_ot_rejects_elements_outside_the_group():
    def bad_receiver(ch):
        ch.recv(ELEMENT_BYTES)
        ch.send(int(P - 1).to_bytes(ELEMENT_BYTES, "big"))  # -1 has order 2: not in the prime-order subgroup

    a, b = Channel.pair()
    thread = threading.Thread(target=bad_receiver, args=(b,))
    thread.start()
    with pytest.raises(ValueError, match="subgroup"):
        random_ot_send(a, 1)
    thread.join()


def test_ot_input_errors():
    a, _ = Channel.pair()
    with pytest.raises(ValueError, match="bits"):
        ot_receive(a, [0, 2])
    with pytest.raises(ValueError, match="16 bytes"):
        ot_send(a, [(b"short", b"x" * 16)])


@pytest.mark.parametrize("m", [1, 1001, 70_000])
def test_iknp_extension_delivers_the_chosen_labels(m):
    sender, receiver, a, b = run_pair(OTExtensionSender, OTExtensionReceiver)
    for _ in range(2):  # the PRG streams continue across calls
        x0 = np.frombuffer(secrets.token_bytes(16 * m), dtype=np.uint64).reshape(m, 2)
        x1 = np.frombuffer(secrets.token_bytes(16 * m), dtype=np.uint64).reshape(m, 2)
        r = random_bits(m)
        got = extend(sender, receiver, x0, x1, r)
        assert np.array_equal(got, np.where(r[:, None] == 1, x1, x0))
        assert not np.any(np.all(got == np.where(r[:, None] == 1, x0, x1), axis=1))
    assert a.traffic.bytes_sent > 0 and a.traffic.bytes_received == b.traffic.bytes_sent


def extend(sender, receiver, x0, x1, r):
    thread = threading.Thread(target=sender.send, args=(x0, x1))
    thread.start()
    got = receiver.receive(r)
    thread.join()
    return got


def test_iknp_rejects_bad_input():
    sender, receiver, _, _ = run_pair(OTExtensionSender, OTExtensionReceiver)
    with pytest.raises(ValueError, match="0 or 1"):
        receiver.receive(np.array([0, 1, 3]))
    with pytest.raises(ValueError, match="shape"):
        sender.send(np.zeros((3, 2), np.uint64), np.zeros((4, 2), np.uint64))


def test_transpose_bits_matches_numpy():
    cols = np.frombuffer(secrets.token_bytes(128 * 9), dtype=np.uint8).reshape(128, 9)
    rows = transpose_bits(cols).view(np.uint8)
    assert np.array_equal(np.unpackbits(rows, axis=1), np.unpackbits(cols, axis=1).T)


def test_fixed_key_hash_matches_its_definition():
    """H(x, i) = π(σ(x) ⊕ i) ⊕ σ(x) ⊕ i with σ(lo, hi) = (hi, lo ⊕ hi) and the tweak in the low word."""
    x = np.frombuffer(secrets.token_bytes(16 * 5), dtype=np.uint64).reshape(5, 2)
    tweaks = np.arange(5, dtype=np.uint64) * 7 + 3
    got = FixedKeyHash()(x, tweaks)
    aes = Cipher(algorithms.AES(FIXED_KEY), modes.ECB()).encryptor()
    for (lo, hi), t, h in zip(x, tweaks, got):
        key = np.array([hi ^ t, lo ^ hi], dtype=np.uint64)
        expect = np.frombuffer(aes.update(key.tobytes()), dtype=np.uint64) ^ key
        assert np.array_equal(h, expect)
    assert not np.array_equal(FixedKeyHash()(x, tweaks + 1), got)


def test_prg_seed_and_streams():
    with pytest.raises(ValueError, match="16 bytes"):
        AesPrg(b"short")
    seed = secrets.token_bytes(16)
    one, two = AesPrg(seed), AesPrg(seed)
    first = one.labels(4)
    assert np.array_equal(first, two.labels(4)) and not np.array_equal(first, one.labels(4))
    assert not np.array_equal(AesPrg().labels(4), AesPrg().labels(4))  # fresh seeds from secrets
