"""IKNP OT extension with both parties in one process: the sender runs in a second thread.

Used by ``LocalEngine`` (both garbled-circuit parties in one process) and by chapter 5. The cryptography and
the messages are real; only the transport is a socketpair inside this process.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .base import check_choice_bits
from .channel import Channel
from .extension import OTExtensionReceiver, OTExtensionSender, check_labels


class InProcessOTExtension:
    """Sender and receiver of IKNP OT extension over one socketpair.

    Construction runs the 128 base OTs (public-key work, once); each ``transfer`` then costs AES and XOR.
    """

    def __init__(self, timeout_s: float | None = None) -> None:
        self.sender_end, self.receiver_end = Channel.pair(timeout_s=timeout_s, names=("OT sender", "OT receiver"))
        with ThreadPoolExecutor(1) as pool:
            sender = pool.submit(OTExtensionSender, self.sender_end)
            self.receiver = OTExtensionReceiver(self.receiver_end)
            self.sender = sender.result()

    def transfer(self, x0: np.ndarray, x1: np.ndarray, choices: np.ndarray) -> np.ndarray:
        """The receiver's row ``x1[i] if choices[i] else x0[i]`` for each i; the sender never sees ``choices``.

        Both parties' inputs are checked before either thread starts ((m, 2) uint64 labels, m choice bits), so
        a bad input is one clear error, never one thread waiting for the other's message until it times out.
        """
        m, bits = check_labels(x0, x1), check_choice_bits(choices)
        if bits.size != m:
            raise ValueError(f"{bits.size} choice bits for {m} pairs of labels: give one choice per pair")
        with ThreadPoolExecutor(1) as pool:
            sent = pool.submit(self.sender.send, x0, x1)
            received = self.receiver.receive(bits)
            sent.result()
        return received

    @property
    def bytes_sent(self) -> int:
        """Bytes both ends have sent, the base OTs included."""
        return self.sender_end.traffic.bytes_sent + self.receiver_end.traffic.bytes_sent
