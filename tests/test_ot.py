"""Oblivious transfer: the receiver gets exactly the message it chose (base OT and IKNP extension)."""

import re
import secrets
import socket
import threading
import time

import numpy as np
import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from mlprivacy_lab.crypto.aes import FIXED_KEY, AesPrg, FixedKeyHash
from mlprivacy_lab.crypto.ot import (Channel, InProcessOTExtension, OTExtensionReceiver, OTExtensionSender,
                                     ot_receive, ot_send, random_ot_receive, random_ot_send)
from mlprivacy_lab.crypto.ot.base import ELEMENT_BYTES, P, check_choice_bits
from mlprivacy_lab.crypto.ot.extension import transpose_bits


def run_pair(sender, receiver):
    """Run sender(channel) in a thread and receiver(channel) here; return both results."""
    a, b = Channel.pair(timeout_s=60)
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


# --- bad input, zero OTs, the channel's timeouts ------------------------------------------------------
def silent_channel(timeout_s=0.2):
    """A channel whose peer end exists but never writes (returned too, so it stays open)."""
    a, b = socket.socketpair()
    return Channel(a, peer="OT sender", timeout_s=timeout_s), b


@pytest.mark.parametrize(("choices", "fragment"), [
    ([0, 1.0], "OT choice 1 is 1.0"), ([0, 1, float("nan")], "OT choice 2 is nan"), (np.array([0.0, 1.0]), "0.0"),
    (["0", "1"], "OT choice 0 is '0'"), ([0, None], "None"), ([0, 2], "OT choice 1 is 2"),
    (np.array([1, -1], np.int8), "OT choice 1 is -1"), ([[0, 1]], "1-D"), (1, "1-D")])
def test_bad_choice_bits_fail_before_any_message(choices, fragment):
    for receive in (ot_receive, random_ot_receive):
        channel, _peer = silent_channel()
        with pytest.raises(ValueError, match=re.escape(fragment)):
            receive(channel, choices)
        assert channel.traffic.as_dict() == {"bytes_sent": 0, "bytes_received": 0, "flights": 0}


def test_choice_bits_accept_python_and_numpy_integers_and_booleans():
    for choices in ([0, 1, True, False], np.array([0, 1, 1, 0], np.int64), np.array([False, True, True, False]),
                    (np.uint8(0), np.int32(1), np.bool_(True), 0)):
        assert check_choice_bits(choices).tolist() == [0, 1, 1, 0]


def test_bad_sender_messages_fail_before_any_message():
    channel, _peer = silent_channel()
    for messages, fragment in [([(b"short", b"x" * 16)], "pair 0 holds 5 bytes"),
                               ([(b"x" * 16, b"y" * 16), (b"x" * 16,)], "OT message 1 must be a pair"),
                               ([(b"x" * 16, "y" * 16)], "pair 0 holds str")]:
        with pytest.raises(ValueError, match=fragment):
            ot_send(channel, messages)
    for count in (-1, 2.0, True):
        with pytest.raises(ValueError, match="non-negative integer"):
            random_ot_send(channel, count)
    assert channel.traffic.bytes_sent == channel.traffic.bytes_received == 0


def test_zero_ots_return_the_empty_result_without_a_message():
    channel, _peer = silent_channel()
    assert ot_send(channel, []) is None
    assert ot_receive(channel, []) == [] and ot_receive(channel, np.array([], np.uint8)) == []
    assert random_ot_send(channel, 0) == [] and random_ot_receive(channel, []) == []
    assert channel.traffic.as_dict() == {"bytes_sent": 0, "bytes_received": 0, "flights": 0}


def test_iknp_zero_ots_and_bad_labels():
    sender, receiver, a, b = run_pair(OTExtensionSender, OTExtensionReceiver)
    before = a.traffic.as_dict(), b.traffic.as_dict()
    empty = np.empty((0, 2), np.uint64)
    assert sender.send(empty, empty) is None
    got = receiver.receive(np.array([], np.uint8))
    assert got.shape == (0, 2) and got.dtype == np.uint64
    assert (a.traffic.as_dict(), b.traffic.as_dict()) == before
    for x0, fragment in [(np.zeros((3, 2)), "dtype float64"), (np.zeros(6, np.uint64), "shape (6,)"),
                         ([[0, 0]], "got list")]:
        with pytest.raises(ValueError, match=re.escape(fragment)):
            sender.send(x0, np.zeros((3, 2), np.uint64))
    with pytest.raises(ValueError, match="OT choice 0 is 0.5"):
        receiver.receive(np.array([0.5, 1.0]))
    assert (a.traffic.as_dict(), b.traffic.as_dict()) == before
    x0, x1 = np.arange(8, dtype=np.uint64).reshape(4, 2), np.arange(8, 16, dtype=np.uint64).reshape(4, 2)
    r = [1, 0, 0, 1]
    assert np.array_equal(extend(sender, receiver, x0, x1, r), np.where(np.array(r)[:, None] == 1, x1, x0))


def test_in_process_extension_checks_both_parties_inputs_first():
    ot = InProcessOTExtension(timeout_s=5)
    x = np.zeros((3, 2), np.uint64)
    with pytest.raises(ValueError, match="2 choice bits for 3 pairs"):
        ot.transfer(x, x, [0, 1])
    with pytest.raises(ValueError, match="OT choice 1 is nan"):
        ot.transfer(x, x, [0, float("nan"), 1])
    assert ot.transfer(x[:0], x[:0], []).shape == (0, 2)
    assert ot.receiver_end.timeout_s == 5 and ot.receiver_end.peer == "OT sender"
    x1 = x + np.uint64(9)
    assert np.array_equal(ot.transfer(x, x1, [1, 0, 1]), np.stack([x1[0], x[1], x1[2]]))


def test_a_silent_peer_times_out_naming_it_and_the_missing_bytes():
    channel, peer = silent_channel(0.2)
    start = time.perf_counter()
    with pytest.raises(TimeoutError, match=r"the OT sender sent nothing for 0\.2 s: received 0 of the 384 bytes"
                                           r" of a message, 384 missing.*raise the channel's timeout_s"):
        channel.recv(384)
    assert time.perf_counter() - start < 5
    peer.sendall(b"12345")
    with pytest.raises(TimeoutError, match="received 5 of the 16 bytes of a message, 11 missing"):
        channel.recv(16)
    a, b = Channel.pair(timeout_s=0.2, names=("garbler", "evaluator"))
    with pytest.raises(TimeoutError, match="the evaluator sent nothing"):
        random_ot_send(a, 1)  # the evaluator never answers A
    assert (a.peer, b.peer) == ("evaluator", "garbler")


def test_a_closed_peer_is_a_connection_error_naming_it():
    channel, peer = silent_channel()
    peer.sendall(b"abc")
    peer.close()
    with pytest.raises(ConnectionError, match="the OT sender closed the channel after 3 of the 16 bytes"):
        channel.recv(16)
    with pytest.raises(ConnectionError, match="the OT sender closed the channel while"):
        for _ in range(100):  # the first sends may still land in the socket buffer
            channel.send(b"x" * 65536)


def test_channel_timeouts_are_positive_and_finite():
    assert Channel.pair()[0].timeout_s == Channel.DEFAULT_TIMEOUT_S
    for bad in (0, -1, float("nan"), float("inf"), None, "5"):
        with pytest.raises(ValueError, match="positive finite number of seconds"):
            Channel.pair()[0].timeout_s = bad
    with pytest.raises(TypeError, match="sends bytes or numpy arrays"):
        Channel.pair()[0].send("text")
