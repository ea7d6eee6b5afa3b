"""A counted byte channel between two parties: a real socket (TCP on localhost, or a socketpair between threads).

Every blocking call has a timeout: a read fails with ``TimeoutError`` when the peer sends nothing for
``timeout_s`` seconds (``Channel.DEFAULT_TIMEOUT_S`` unless set), a send when the peer stops reading; both
name the peer and how many bytes of the message are still missing.
"""

from __future__ import annotations

import math
import socket
from dataclasses import dataclass
from numbers import Real

import numpy as np


@dataclass
class Traffic:
    """What one party put on the wire: bytes each way and flights (maximal runs of sends between receives)."""

    bytes_sent: int = 0
    bytes_received: int = 0
    flights: int = 0

    def as_dict(self) -> dict:
        return {"bytes_sent": self.bytes_sent, "bytes_received": self.bytes_received, "flights": self.flights}


def check_timeout(seconds: object) -> float:
    """``seconds`` as a float, if it is a positive finite number of seconds (never None: no read may block forever)."""
    if isinstance(seconds, bool) or not isinstance(seconds, Real) or not 0 < seconds < math.inf:
        raise ValueError(f"a timeout must be a positive finite number of seconds, got {seconds!r}")
    return float(seconds)


class Channel:
    """Blocking, counted send/receive of raw bytes and numpy buffers over a connected stream socket.

    Tables are streamed: every ``send`` goes to the socket at once (``sendall``), so the sender never holds
    more than the piece it is sending, and TCP flow control paces a garbler that outruns its evaluator.
    ``peer`` names the other party in errors; ``timeout_s`` is how long a read waits for the peer's next bytes
    (and a send for the peer to read), ``DEFAULT_TIMEOUT_S`` unless given.
    """

    #: Seconds a read waits for the peer's next bytes. The parties of this package compute in lock step, so
    #: a silence this long means a stalled or dead peer; raise it (per channel) for a peer that is just slow.
    DEFAULT_TIMEOUT_S: float = 120.0

    def __init__(self, sock: socket.socket, *, peer: str = "peer", timeout_s: float | None = None) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = sock
        self.peer = str(peer)
        self.timeout_s = self.DEFAULT_TIMEOUT_S if timeout_s is None else timeout_s
        self.traffic = Traffic()
        self._sending = False

    @classmethod
    def pair(cls, *, timeout_s: float | None = None,
             names: tuple[str, str] = ("party A", "party B")) -> tuple["Channel", "Channel"]:
        """Two connected ends of a socketpair, for two parties run as threads of one process; ``names`` are
        the parties holding the first and the second end (each end names the other in its errors)."""
        a, b = socket.socketpair()
        return cls(a, peer=names[1], timeout_s=timeout_s), cls(b, peer=names[0], timeout_s=timeout_s)

    @property
    def timeout_s(self) -> float:
        """Seconds a read waits for the peer's next bytes (and a send for the peer to read)."""
        return self.sock.gettimeout()

    @timeout_s.setter
    def timeout_s(self, seconds: float) -> None:
        self.sock.settimeout(check_timeout(seconds))

    def send(self, data: bytes | bytearray | memoryview | np.ndarray) -> None:
        if isinstance(data, np.ndarray):
            view = memoryview(np.ascontiguousarray(data).reshape(-1).view(np.uint8))
        elif isinstance(data, (bytes, bytearray, memoryview)):
            view = memoryview(data).cast("B")
        else:
            raise TypeError(f"a channel sends bytes or numpy arrays, not {type(data).__name__}")
        if not view.nbytes:
            return  # nothing goes on the wire: no flight
        if not self._sending:
            self.traffic.flights += 1
            self._sending = True
        try:
            self.sock.sendall(view)
        except TimeoutError as err:
            raise TimeoutError(f"the {self.peer} did not read a {view.nbytes}-byte message for {self.timeout_s:g} s"
                               f" (a stalled {self.peer}?); if the {self.peer} is just slow, raise the channel's "
                               "timeout_s") from err
        except OSError as err:
            raise ConnectionError(f"the {self.peer} closed the channel while a {view.nbytes}-byte message was "
                                  f"being sent to it: {err}") from err
        self.traffic.bytes_sent += view.nbytes

    def recv_into(self, out: np.ndarray) -> np.ndarray:
        """Fill the contiguous array ``out`` from the socket and return it."""
        if not out.flags.c_contiguous:
            raise ValueError("recv_into needs a C-contiguous array")
        view = memoryview(out.reshape(-1).view(np.uint8))
        if not view.nbytes:
            return out
        got = 0
        while got < view.nbytes:
            try:
                n = self.sock.recv_into(view[got:], view.nbytes - got)
            except TimeoutError as err:
                raise TimeoutError(
                    f"the {self.peer} sent nothing for {self.timeout_s:g} s: received {got} of the {view.nbytes} "
                    f"bytes of a message, {view.nbytes - got} missing (a stalled or dead {self.peer}?); if the "
                    f"{self.peer} is just slow, raise the channel's timeout_s") from err
            except OSError as err:
                n, cause = 0, err
            else:
                cause = None
            if n == 0:
                raise ConnectionError(f"the {self.peer} closed the channel after {got} of the {view.nbytes} bytes "
                                      f"of a message ({view.nbytes - got} missing)") from cause
            got += n
        self._sending = False
        self.traffic.bytes_received += view.nbytes
        return out

    def recv(self, nbytes: int) -> bytes:
        return self.recv_into(np.empty(int(nbytes), dtype=np.uint8)).tobytes()

    def close(self) -> None:
        self.sock.close()
