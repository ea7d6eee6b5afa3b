"""A counted byte channel between two parties: a real socket (TCP on localhost, or a socketpair between threads)."""

from __future__ import annotations

import socket
from dataclasses import dataclass

import numpy as np


@dataclass
class Traffic:
    """What one party put on the wire: bytes each way and flights (maximal runs of sends between receives)."""

    bytes_sent: int = 0
    bytes_received: int = 0
    flights: int = 0

    def as_dict(self) -> dict:
        return {"bytes_sent": self.bytes_sent, "bytes_received": self.bytes_received, "flights": self.flights}


class Channel:
    """Blocking, counted send/receive of raw bytes and numpy buffers over a connected stream socket.

    Tables are streamed: every ``send`` goes to the socket at once (``sendall``), so the sender never holds
    more than the piece it is sending, and TCP flow control paces a garbler that outruns its evaluator.
    """

    def __init__(self, sock: socket.socket) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = sock
        self.traffic = Traffic()
        self._sending = False

    @classmethod
    def pair(cls) -> tuple["Channel", "Channel"]:
        """Two connected ends of a socketpair, for two parties run as threads of one process."""
        a, b = socket.socketpair()
        return cls(a), cls(b)

    def send(self, data: bytes | bytearray | memoryview | np.ndarray) -> None:
        view = memoryview(np.ascontiguousarray(data)).cast("B") if isinstance(data, np.ndarray) else memoryview(data)
        if not self._sending:
            self.traffic.flights += 1
            self._sending = True
        self.sock.sendall(view)
        self.traffic.bytes_sent += view.nbytes

    def recv_into(self, out: np.ndarray) -> np.ndarray:
        """Fill the contiguous array ``out`` from the socket and return it."""
        if not out.flags.c_contiguous:
            raise ValueError("recv_into needs a C-contiguous array")
        view = memoryview(out.reshape(-1).view(np.uint8))
        got = 0
        while got < view.nbytes:
            n = self.sock.recv_into(view[got:], view.nbytes - got)
            if n == 0:
                raise ConnectionError(f"peer closed the channel after {got} of {view.nbytes} bytes")
            got += n
        self._sending = False
        self.traffic.bytes_received += view.nbytes
        return out

    def recv(self, nbytes: int) -> bytes:
        return self.recv_into(np.empty(int(nbytes), dtype=np.uint8)).tobytes()

    def close(self) -> None:
        self.sock.close()
