"""IKNP OT extension with both parties in one process: the sender runs in a second thread.

Used by ``LocalEngine`` (both garbled-circuit parties in one process) and by chapter 5. The cryptography and
the messages are real; only the transport is a socketpair inside this process.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .channel import Channel
from .extension import OTExtensionReceiver, OTExtensionSender


class InProcessOTExtension:
    """Sender and receiver of IKNP OT extension over one socketpair.

    Construction runs the 128 base OTs (public-key work, once); each ``transfer`` then costs AES and XOR.
    """

    def __init__(self, timeout_s: float = 300.0) -> None:
        self.sender_end, self.receiver_end = Channel.pair()
        for end in (self.sender_end, self.receiver_end):
            end.sock.settimeout(timeout_s)
        with ThreadPoolExecutor(1) as pool:
            sender = pool.submit(OTExtensionSender, self.sender_end)
            self.receiver = OTExtensionReceiver(self.receiver_end)
            self.sender = sender.result()

    def transfer(self, x0: np.ndarray, x1: np.ndarray, choices: np.ndarray) -> np.ndarray:
        """The receiver's row ``x1[i] if choices[i] else x0[i]`` for each i; the sender never sees ``choices``."""
        with ThreadPoolExecutor(1) as pool:
            sent = pool.submit(self.sender.send, x0, x1)
            received = self.receiver.receive(choices)
            sent.result()
        return received

    @property
    def bytes_sent(self) -> int:
        """Bytes both ends have sent, the base OTs included."""
        return self.sender_end.traffic.bytes_sent + self.receiver_end.traffic.bytes_sent
