"""Garbler and evaluator as two operating-system processes talking over a TCP socket on localhost.

Both processes run the same *program* — a module-level function ``program(engine, **inputs)`` — on their
own engine: this process garbles (``GarblerEngine``) and streams each chunk of tables as soon as it is
made; a child process (``python -m mlprivacy_lab.crypto.garbled.twoparty``) evaluates (``EvaluatorEngine``)
as the tables arrive. Each side gets only its own inputs; the evaluator's inputs and its result cross the
process boundary as JSON on its stdin/stdout, never pickled.
"""

from __future__ import annotations

import importlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np

from ..ot import Channel
from ..ot.channel import check_timeout
from .engine import EvaluatorEngine, GarblerEngine

HOST = "127.0.0.1"
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[3])
_POLL_S = 0.05  # how often the garbler checks, while it waits for the connection, that the evaluator still runs
_GRACE_S = 10.0  # how long a failed garbler waits for the evaluator to report its own error before killing it


@dataclass
class TwoPartyResult:
    """What each party's program returned, its traffic and gate counts, and its run time in seconds."""

    garbler: Any
    evaluator: Any
    garbler_stats: dict = field(default_factory=dict)
    evaluator_stats: dict = field(default_factory=dict)
    garbler_seconds: float = 0.0
    evaluator_seconds: float = 0.0

    @property
    def rounds(self) -> int:
        """Flights of messages in either direction."""
        return self.garbler_stats.get("flights", 0) + self.evaluator_stats.get("flights", 0)


def _to_json(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return {"__ndarray__": value.tolist(), "dtype": value.dtype.str}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {k: _to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_json(v) for v in value]
    return value


def _from_json(value: Any) -> Any:
    if isinstance(value, dict):
        if "__ndarray__" in value:
            return np.array(value["__ndarray__"], dtype=value["dtype"])
        return {k: _from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    return value


def _program_name(program: Callable) -> str:
    name = getattr(program, "__name__", "<lambda>")
    module = getattr(program, "__module__", "__main__")
    if name == "<lambda>" or getattr(program, "__qualname__", "") != name or module == "__main__":
        raise ValueError("the program must be a module-level function of an importable module (the evaluator "
                         "process imports it by name), e.g. mlprivacy_lab.crypto.garbled.programs.millionaires")
    return f"{module}:{name}"


def run_two_party(program: Callable[..., Any], garbler_inputs: dict | None = None,
                  evaluator_inputs: dict | None = None, timeout: float | None = None) -> TwoPartyResult:
    """Run ``program`` as garbler (this process) and evaluator (a child process) over a localhost socket.

    ``timeout`` (seconds, default ``Channel.DEFAULT_TIMEOUT_S``) bounds every wait on the other party: the
    evaluator's connection, each read of either party (``TimeoutError`` naming the silent party), and the
    evaluator's result once the garbler's program has returned. An evaluator that raises or dies gives a
    ``RuntimeError`` with its exit status and the end of its traceback; an error of the garbler's own
    program propagates unchanged. The evaluator process never outlives the call.
    """
    target = _program_name(program)
    timeout = Channel.DEFAULT_TIMEOUT_S if timeout is None else check_timeout(timeout)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([_PACKAGE_ROOT, os.environ.get("PYTHONPATH", "")])}
    payload = json.dumps(_to_json(evaluator_inputs or {}))
    with socket.create_server((HOST, 0)) as server, tempfile.TemporaryFile("w+") as stderr:
        # stderr goes to a file: a chatty evaluator can never block on a full pipe while we garble
        child = subprocess.Popen([sys.executable, "-m", __name__, str(server.getsockname()[1]), target, repr(timeout)],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, env=env, text=True)
        try:
            threading.Thread(target=_write_inputs, args=(child.stdin, payload), daemon=True).start()
            child.stdin = None  # the thread owns it; communicate() below only reads
            conn = _accept(server, child, timeout, stderr)
            with conn:
                engine = GarblerEngine(Channel(conn, peer="evaluator", timeout_s=timeout))
                start = time.perf_counter()
                out = program(engine, **(garbler_inputs or {}))
                seconds = time.perf_counter() - start
            try:
                stdout = child.communicate(timeout=timeout)[0]
            except subprocess.TimeoutExpired:
                raise TimeoutError(f"the evaluator process gave no result within {timeout:g} s of the garbler's "
                                   "program ending (stalled?); pass a larger timeout= if it is just slow") from None
        except Exception as err:
            # our socket is closed, so an evaluator waiting on it stops too and can report why; a silent one is killed
            _stop(child, 0.0 if isinstance(err, TimeoutError) else min(timeout, _GRACE_S))
            if isinstance(err, ConnectionError) and child.returncode != 0:
                raise _evaluator_failed(child, stderr) from err
            raise
        finally:
            _stop(child, 0.0)
        if child.returncode != 0:
            raise _evaluator_failed(child, stderr)
    report = _from_json(json.loads(stdout))
    return TwoPartyResult(out, report["result"], engine.stats(), report["stats"], seconds, report["seconds"])


def _write_inputs(pipe: IO[str], payload: str) -> None:
    """Send the evaluator its inputs (from a thread: a large payload must not block us before it reads)."""
    try:
        with pipe:
            pipe.write(payload)
    except OSError:
        pass  # the evaluator died before reading: reported by the caller with its stderr


def _accept(server: socket.socket, child: subprocess.Popen, timeout: float, stderr: IO[str]) -> socket.socket:
    """The evaluator's connection, polling so that an evaluator that exits first is reported at once."""
    deadline = time.monotonic() + timeout
    server.settimeout(_POLL_S)
    while True:
        try:
            return server.accept()[0]
        except TimeoutError:
            if child.poll() is not None:
                raise _evaluator_failed(child, stderr, "before it connected") from None
            if time.monotonic() > deadline:
                raise TimeoutError(f"the evaluator process did not connect within {timeout:g} s; pass a larger "
                                   "timeout= if this machine is just slow") from None


def _stop(child: subprocess.Popen, grace: float) -> None:
    """Wait up to ``grace`` seconds for the evaluator to exit, then kill it; never leaves it running."""
    try:
        child.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
    if child.stdout is not None:
        child.stdout.close()


def _evaluator_failed(child: subprocess.Popen, stderr: IO[str], when: str = "") -> RuntimeError:
    """The error for an evaluator that exited non-zero: its exit status, its last line of stderr (the exception
    and its message) and the end of its stderr (the traceback)."""
    stderr.seek(0)
    tail = stderr.read()[-4000:]
    code = child.returncode
    status = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
    lines = [line for line in tail.splitlines() if line.strip()]
    summary = f": {lines[-1].strip()}" if lines else ", printing nothing"
    return RuntimeError(f"the evaluator process failed{' ' + when if when else ''} ({status}){summary}"
                        + (f"\n--- its stderr ---\n{tail}" if tail else ""))


def _evaluator_main(port: int, target: str, timeout: float) -> None:
    module, name = target.split(":")
    program = getattr(importlib.import_module(module), name)
    inputs = _from_json(json.loads(sys.stdin.read()))
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        engine = EvaluatorEngine(Channel(sock, peer="garbler", timeout_s=timeout))
        start = time.perf_counter()
        result = program(engine, **inputs)
        seconds = time.perf_counter() - start
    print(json.dumps(_to_json({"result": result, "stats": engine.stats(), "seconds": seconds})))


if __name__ == "__main__":
    _evaluator_main(int(sys.argv[1]), sys.argv[2], float(sys.argv[3]))
