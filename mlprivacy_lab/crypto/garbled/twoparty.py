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
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..ot import Channel
from .engine import EvaluatorEngine, GarblerEngine

HOST = "127.0.0.1"
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[3])


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
                  evaluator_inputs: dict | None = None, timeout: float = 600.0) -> TwoPartyResult:
    """Run ``program`` as garbler (this process) and evaluator (a child process) over a localhost socket."""
    target = _program_name(program)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([_PACKAGE_ROOT, os.environ.get("PYTHONPATH", "")])}
    with socket.create_server((HOST, 0)) as server:
        server.settimeout(timeout)
        child = subprocess.Popen([sys.executable, "-m", __name__, str(server.getsockname()[1]), target],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 env=env, text=True)
        child.stdin.write(json.dumps(_to_json(evaluator_inputs or {})))
        child.stdin.close()
        child.stdin = None  # sent in full; communicate() below only reads
        try:
            conn, _ = server.accept()
        except OSError as err:
            child.kill()
            raise RuntimeError(f"the evaluator process did not connect: {child.communicate()[1][-2000:]}") from err
    try:
        with conn:
            conn.settimeout(timeout)
            engine = GarblerEngine(Channel(conn))
            start = time.perf_counter()
            out = program(engine, **(garbler_inputs or {}))
            seconds = time.perf_counter() - start
    except BaseException as err:
        try:  # with our socket closed the evaluator stops too; give it time to report why
            stderr = child.communicate(timeout=30)[1]
        except subprocess.TimeoutExpired:
            child.kill()
            stderr = child.communicate()[1]
        if isinstance(err, ConnectionError) and child.returncode != 0 and stderr:
            raise RuntimeError(f"the evaluator process failed:\n{stderr[-4000:]}") from err
        raise
    stdout, stderr = child.communicate(timeout=timeout)
    if child.returncode != 0:
        raise RuntimeError(f"the evaluator process failed:\n{stderr[-4000:]}")
    report = _from_json(json.loads(stdout))
    return TwoPartyResult(out, report["result"], engine.stats(), report["stats"], seconds, report["seconds"])


def _evaluator_main(port: int, target: str) -> None:
    module, name = target.split(":")
    program = getattr(importlib.import_module(module), name)
    inputs = _from_json(json.loads(sys.stdin.read()))
    with socket.create_connection((HOST, port)) as sock:
        engine = EvaluatorEngine(Channel(sock))
        start = time.perf_counter()
        result = program(engine, **inputs)
        seconds = time.perf_counter() - start
    print(json.dumps(_to_json({"result": result, "stats": engine.stats(), "seconds": seconds})))


if __name__ == "__main__":
    _evaluator_main(int(sys.argv[1]), sys.argv[2])
