"""The network's training epoch run by two real OS processes, one per party, over a localhost TCP socket
(``crypto.ot.channel.Channel``, the channel of the garbled circuits), with the dealer's work done offline.

1. **Recording.** A one-process run (``network.SecureNetwork`` on an ``SMPCSession``) records the sequence of
   dealer requests (triples, comparison masks, random bits), one log per chunk of ``chunk_batches`` batches:
   it depends on shapes only, never on data.
2. **Offline phase, chunk by chunk.** A whole epoch's dealt values are about 100 GB, so they are streamed: for
   each chunk a fresh ``TrustedDealer`` deals its log, party i's shares to its own tape file (raw uint64 words,
   read back with a memory map), timed as ``dealer_seconds``; the tape is deleted once both parties used it.
   The data owner's shares of the pixels, labels and initial weights are written once, the same way.
3. **Online phase.** Two processes (``python -m mlprivacy_lab.protocols.smpc.twoprocess --party i``) each
   hold only their own shares and train chunk after chunk when the coordinator says ``chunk k`` on their
   standard input (they answer ``done k``; every wait has a timeout). ``PartySession`` keeps the one-process
   array layout (row i real, the other row unused) and replaces every opening with a real exchange: party 0
   sends its share and then reads party 1's, party 1 reads and then sends. Every read and send has the
   channel's timeout. Each party runs its BLAS on one thread, so two parties use the two cores.

Each party reports its wall time, the bytes its channel actually sent and the bytes the session counted;
party 0 writes the opened weights, which the caller compares with the one-process run's (shares are random,
so the SecureML truncations round differently: equal within the fixed-point tolerance, not bit for bit).
"""

from __future__ import annotations

import json
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from ...crypto.ot.channel import Channel
from ...crypto.secret_sharing import CommStats, SharedArray, SMPCSession, TrustedDealer
from .network import NetworkConfig, SecureNetwork

_MODULE = "mlprivacy_lab.protocols.smpc.twoprocess"
#: One BLAS thread per party process: two parties on two cores, as the one-process run uses one thread.
_ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
#: Tapes go to shared memory where the machine has it (a chunk is about 2 GB; a disk halves the dealer's speed).
_TAPE_FOLDER = "/dev/shm" if Path("/dev/shm").is_dir() else None


class RecordingDealer(TrustedDealer):
    """A trusted dealer that also logs each request (method and public arguments) for an offline replay."""

    def __init__(self, n_parties: int, stats: CommStats):
        super().__init__(n_parties, stats)
        self.log: list[tuple[str, list]] = []

    def _record(self, name: str, *args) -> tuple[np.ndarray, ...]:
        self.log.append((name, [list(a) if isinstance(a, tuple) else a for a in args]))
        return getattr(super(), name)(*args)

    def triple(self, shape_a, shape_b, matmul):
        return self._record("triple", tuple(shape_a), tuple(shape_b), bool(matmul))

    def binary_triple(self, shape):
        return self._record("binary_triple", tuple(shape))

    def mask_with_bits(self, shape):
        return self._record("mask_with_bits", tuple(shape))

    def random_bit(self, shape):
        return self._record("random_bit", tuple(shape))


class TapeDealer(TrustedDealer):
    """One party's view of the offline dealer: its shares of each dealt value, read in order from its tape."""

    def __init__(self, n_parties: int, stats: CommStats, party: int, tape: np.ndarray, log: list):
        super().__init__(n_parties, stats)
        self.party, self.tape, self.log, self.position, self.calls = party, tape, log, 0, 0

    def _next(self, name: str, args: list) -> tuple[np.ndarray, ...]:
        expected = self.log[self.calls] if self.calls < len(self.log) else None
        if expected is None or expected[0] != name or expected[1] != args:
            raise RuntimeError(f"dealer request {self.calls} ({name} {args}) is not the recorded {expected}: the "
                               "online run must repeat the recorded one (same shapes, same batches)")
        self.calls += 1
        out = []
        for shape in expected[2]:
            n = int(np.prod(shape, dtype=np.int64))
            full = np.zeros((self.n_parties, *shape), dtype=np.uint64)
            full[self.party] = self.tape[self.position:self.position + n].reshape(shape)
            self.position += n
            out.append(full)
        return tuple(out)

    def triple(self, shape_a, shape_b, matmul):
        self.stats.triples += 1
        return self._next("triple", [list(shape_a), list(shape_b), bool(matmul)])

    def binary_triple(self, shape):
        self.stats.binary_triples += int(np.prod(shape, dtype=np.int64))
        return self._next("binary_triple", [list(shape)])

    def mask_with_bits(self, shape):
        return self._next("mask_with_bits", [list(shape)])

    def random_bit(self, shape):
        return self._next("random_bit", [list(shape)])


class PartySession(SMPCSession):
    """Party ``party`` of a 2-party session: openings go over ``channel``; dealt values come from a tape."""

    def __init__(self, party: int, channel: Channel, frac_bits: int):
        super().__init__(2, frac_bits)
        self.party, self.channel = party, channel

    def load_tape(self, tape: np.ndarray, log: list) -> None:
        """Take the next chunk's dealt values: this party's tape and the chunk's replay log."""
        self.dealer = TapeDealer(2, self.stats, self.party, tape, log)

    def _combine(self, arrays: list[np.ndarray], xor: bool = False) -> list[np.ndarray]:
        mine = np.concatenate([np.ascontiguousarray(a[self.party]).ravel() for a in arrays])
        theirs = np.empty_like(mine)
        if self.party == 0:
            self.channel.send(mine)
            self.channel.recv_into(theirs)
        else:
            self.channel.recv_into(theirs)
            self.channel.send(mine)
        both = mine ^ theirs if xor else mine + theirs
        out, start = [], 0
        for a in arrays:
            n = a[0].size
            out.append(both[start:start + n].reshape(a.shape[1:]))
            start += n
        return out


def _write_rows(arrays: list[np.ndarray], files: list) -> list[list[int]]:
    """Append row i of each (n_parties, ...) array to files[i]; returns the per-party shapes."""
    shapes = []
    for a in arrays:
        for i, f in enumerate(files):
            np.ascontiguousarray(a[i]).tofile(f)
        shapes.append(list(a.shape[1:]))
    return shapes


def deal_offline(log: list, folder: Path, n_parties: int = 2) -> float:
    """Replay the recorded requests with a fresh ``TrustedDealer``; each party's shares to its tape. Seconds."""
    start = time.perf_counter()
    dealer = TrustedDealer(n_parties, SMPCSession(n_parties).stats)
    files = [open(folder / f"tape{i}.bin", "wb") for i in range(n_parties)]
    replay = []
    try:
        for name, args in log:
            dealt = getattr(dealer, name)(*[tuple(a) if isinstance(a, list) else a for a in args])
            replay.append([name, args, _write_rows(list(dealt), files)])
    finally:
        for f in files:
            f.close()
    (folder / "dealer_log.json").write_text(json.dumps(replay))
    return time.perf_counter() - start


def _write_inputs(arrays: dict[str, SharedArray], folder: Path) -> None:
    """The data owner's shares of each named array: party i's rows to inputs{i}.bin, public metadata to JSON."""
    files = [open(folder / f"inputs{i}.bin", "wb") for i in range(2)]
    meta = {}
    try:
        for name, a in arrays.items():
            _write_rows([a.shares], files)
            meta[name] = {"shape": list(a.shape), "frac_bits": a.frac_bits, "id": a.sharing_id, "bound": a.bound}
    finally:
        for f in files:
            f.close()
    (folder / "inputs.json").write_text(json.dumps(meta))


def _read_inputs(session: PartySession, folder: Path) -> dict[str, SharedArray]:
    meta = json.loads((folder / "inputs.json").read_text())
    words = np.fromfile(folder / f"inputs{session.party}.bin", dtype=np.uint64)
    out, start = {}, 0
    for name, m in meta.items():
        n = int(np.prod(m["shape"], dtype=np.int64))
        full = np.zeros((2, *m["shape"]), dtype=np.uint64)
        full[session.party] = words[start:start + n].reshape(m["shape"])
        start += n
        out[name] = SharedArray(session, full, m["frac_bits"], m["id"], m["bound"])
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _connect(party: int, port: int, timeout_s: float) -> socket.socket:
    """Party 0 listens, party 1 connects (retrying until ``timeout_s``)."""
    if party == 0:
        with socket.socket() as server:
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            server.bind(("127.0.0.1", port))
            server.listen(1)
            server.settimeout(timeout_s)
            try:
                conn, _ = server.accept()
            except TimeoutError as err:
                raise TimeoutError(f"party 1 did not connect to port {port} within {timeout_s:g} s") from err
            return conn
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=timeout_s)
        except OSError as err:
            if time.monotonic() > deadline:
                raise TimeoutError(f"party 1 could not connect to party 0 on port {port} within {timeout_s:g} s"
                                   ) from err
            time.sleep(0.05)


def _read_line(stream, timeout_s: float, who: str) -> str:
    """The next line of ``stream`` (a pipe), waiting at most ``timeout_s``; "" at end of file."""
    ready, _, _ = select.select([stream], [], [], timeout_s)
    if not ready:
        raise TimeoutError(f"{who} sent nothing for {timeout_s:g} s")
    return stream.readline()


def _sum_runs(runs: list[dict]) -> dict:
    """One epoch's figures, summed over its chunks (seconds, bytes, rounds and failure bounds all add up)."""
    return {key: sum(run[key] for run in runs) for key in runs[0]}


def run_party(party: int, port: int, folder: Path, timeout_s: float = 120.0) -> dict:
    """One party's online phase: connect, train each chunk the coordinator announces, open the weights."""
    config = NetworkConfig(**json.loads((folder / "config.json").read_text()))
    channel = Channel(_connect(party, port, timeout_s), peer=f"party {1 - party}", timeout_s=timeout_s)
    runs = []
    try:
        session = PartySession(party, channel, config.weight_frac)
        inputs = _read_inputs(session, folder)
        net = SecureNetwork(session, [inputs["W1"], inputs["W2"], inputs["W3"]], config)
        while (command := _read_line(sys.stdin, timeout_s, "the coordinator").split()) != ["end"]:
            if len(command) != 2 or command[0] != "chunk":
                raise RuntimeError(f"party {party}: unexpected command {command!r} (expected 'chunk K' or 'end')")
            chunk = folder / f"chunk{command[1]}"
            session.load_tape(np.memmap(chunk / f"tape{party}.bin", dtype=np.uint64, mode="r"),
                              json.loads((chunk / "dealer_log.json").read_text()))
            runs.append(net.epoch(inputs["X"], inputs["Y"], list(np.load(chunk / "batches.npy", allow_pickle=False))))
            session.dealer = None  # release the memory map before the coordinator deletes the tape
            print(f"done {command[1]}", flush=True)
        weights = net.reveal()
    finally:
        channel.close()
    if party == 0:
        np.savez(folder / "weights.npz", *weights)
    epoch = _sum_runs(runs)
    report = {"party": party, "wall_seconds": epoch["wall_seconds"], "bytes_sent": channel.traffic.bytes_sent,
              "bytes_received": channel.traffic.bytes_received, "counted_bytes_per_party": epoch["bytes_sent"] // 2,
              "rounds": epoch["rounds"], "chunks": len(runs)}
    (folder / f"report{party}.json").write_text(json.dumps(report))
    return report


def _failed(proc: subprocess.Popen, party: int, folder: Path, said: str = "") -> RuntimeError:
    """The error for a party that stopped: its exit code, what it said instead, the end of its stderr."""
    err = (folder / f"party{party}.err").read_text()[-800:].strip()
    return RuntimeError(f"party {party} failed (exit code {proc.returncode}{', said ' + said if said else ''}): {err}")


def _await(proc: subprocess.Popen, party: int, expected: str, timeout_s: float, folder: Path) -> None:
    line = _read_line(proc.stdout, timeout_s, f"party {party}").strip()
    if line != expected:
        proc.wait(timeout=10)
        raise _failed(proc, party, folder, repr(line))


def two_process_epoch(X: np.ndarray, Y: np.ndarray, batches: list[np.ndarray], weights: list[np.ndarray],
                      config: NetworkConfig, timeout_s: float = 300.0, chunk_batches: int = 8) -> dict:
    """The epoch on (quantised X, one-hot Y, ``batches``) from ``weights``: once in one process (recording
    the dealer's requests per chunk of ``chunk_batches`` batches), then, chunk by chunk, offline dealing and the
    two party processes training on it. Returns both runs' weights, the dealer's seconds and each party's wall
    time (online phase only) and bytes actually sent. ``timeout_s`` bounds every wait for a party."""
    if isinstance(chunk_batches, bool) or int(chunk_batches) != chunk_batches or chunk_batches < 1:
        raise ValueError(f"chunk_batches must be a positive integer, got {chunk_batches!r}")
    session = SMPCSession(2, config.weight_frac)
    session.dealer = RecordingDealer(2, session.stats)
    net = SecureNetwork(session, weights, config)
    X_sh, Y_sh = net.share_data(X, Y)
    chunks = [batches[i:i + chunk_batches] for i in range(0, len(batches), chunk_batches)]
    logs, runs = [], []
    for part in chunks:
        session.dealer.log = []
        runs.append(net.epoch(X_sh, Y_sh, part))
        logs.append(session.dealer.log)
    one, one_weights = _sum_runs(runs), net.reveal()
    with tempfile.TemporaryDirectory(prefix="mlprivacy-smpc-", dir=_TAPE_FOLDER) as tmp:
        folder = Path(tmp)
        owner = SMPCSession(2, config.weight_frac)
        fresh = SecureNetwork(owner, weights, config)
        X2, Y2 = fresh.share_data(X, Y)
        _write_inputs({"X": X2, "Y": Y2, **{f"W{i + 1}": W for i, W in enumerate(fresh.weights)}}, folder)
        (folder / "config.json").write_text(json.dumps(asdict(config)))
        port, dealer_s = _free_port(), 0.0
        procs = []
        for i in range(2):
            with open(folder / f"party{i}.err", "w") as err:
                procs.append(subprocess.Popen(
                    [sys.executable, "-m", _MODULE, "--party", str(i), "--port", str(port), "--folder", tmp,
                     "--timeout", str(timeout_s)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err,
                    text=True, env={**os.environ, **_ONE_THREAD}))
        try:
            for k, (part, log) in enumerate(zip(chunks, logs)):
                chunk = folder / f"chunk{k}"
                chunk.mkdir()
                dealer_s += deal_offline(log, chunk)
                np.save(chunk / "batches.npy", np.stack(part), allow_pickle=False)
                for p in procs:
                    p.stdin.write(f"chunk {k}\n")
                    p.stdin.flush()
                for i, p in enumerate(procs):
                    _await(p, i, f"done {k}", timeout_s, folder)
                shutil.rmtree(chunk)
            for p in procs:
                p.stdin.write("end\n")
                p.stdin.flush()
            for i, p in enumerate(procs):
                try:
                    p.wait(timeout=timeout_s)
                except subprocess.TimeoutExpired:
                    raise RuntimeError(f"party {i} did not finish within {timeout_s:g} s") from None
                if p.returncode != 0:
                    raise _failed(p, i, folder)
        finally:
            for p in procs:
                if p.poll() is None:
                    p.kill()
                    p.wait(timeout=10)
        reports = [json.loads((folder / f"report{i}.json").read_text()) for i in range(2)]
        with np.load(folder / "weights.npz", allow_pickle=False) as w:
            two_weights = [w[f"arr_{i}"] for i in range(len(weights))]
    return {"one_process_weights": one_weights, "one_process_epoch": one, "two_process_weights": two_weights,
            "dealer_seconds": dealer_s, "parties": reports, "chunks": len(chunks),
            "wall_s_per_epoch": max(r["wall_seconds"] for r in reports),
            "bytes_sent": sum(r["bytes_sent"] for r in reports)}


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="one party of the two-process secure training epoch")
    parser.add_argument("--party", type=int, choices=(0, 1), required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--timeout", type=float, default=120.0)
    a = parser.parse_args()
    run_party(a.party, a.port, a.folder, a.timeout)
