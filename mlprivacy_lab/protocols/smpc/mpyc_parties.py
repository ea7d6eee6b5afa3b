"""The lecture's salary average run for real with MPyC (Schoenmakers, https://github.com/lschoe/mpyc): one OS
process per party, talking over localhost TCP, started with MPyC's own ``-M`` (number of parties), ``-I``
(this party's index) and ``-B`` (base port) options.

MPyC secret-shares with Shamir's scheme over a prime field (threshold t = (m - 1) // 2 by default, BGW-style
protocols; Ben-Or, Goldwasser & Wigderson, STOC 1988). Each party inputs its salary as a secure fixed-point
number, the parties add the shares locally and open only sum / m. Each party prints what it learns: its own
input and the average. Caveat, as MPyC documents: with m = 2 the default threshold is t = 0 (no privacy against
the other party), so the two-party case is shown only to be complete; privacy needs m >= 3.

``python -m mlprivacy_lab.protocols.smpc.mpyc_parties -M3 -I0 -B 11365 --salary 5000`` runs one party by hand.
"""

from __future__ import annotations

import json
import math
import socket
import subprocess
import sys
import time
from numbers import Real

_MODULE = "mlprivacy_lab.protocols.smpc.mpyc_parties"


def _free_base_port(n_parties: int) -> int:
    """A base port p with p, ..., p + n_parties - 1 free on localhost now."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base + n_parties >= 65535:
            continue
        try:
            probes = []
            for i in range(n_parties):
                p = socket.socket()
                probes.append(p)
                p.bind(("127.0.0.1", base + i))
            return base
        except OSError:
            continue
        finally:
            for p in probes:
                p.close()
    raise RuntimeError(f"found no {n_parties} consecutive free TCP ports on localhost")


def start_parties(values: list[float], base_port: int | None = None) -> list[subprocess.Popen]:
    """Launch one MPyC party process per value (party i inputs values[i]); returns the processes."""
    if not isinstance(values, (list, tuple)) or len(values) < 2:
        raise ValueError(f"need a list of at least 2 values, one per party, got {values!r}")
    for i, v in enumerate(values):
        if isinstance(v, bool) or not isinstance(v, Real) or not math.isfinite(v) or abs(v) >= 2.0 ** 30:
            raise ValueError(f"value {i} must be a finite number with |v| < 2^30 (MPyC fixed point, 64 bits with "
                             f"32 fractional), got {v!r}")
    m = len(values)
    base = _free_base_port(m) if base_port is None else base_port
    return [subprocess.Popen([sys.executable, "-m", _MODULE, "-M", str(m), "-I", str(i), "-B", str(base),
                              "--no-log", "--salary", repr(float(v))],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for i, v in enumerate(values)]


def collect_average(parties: list[subprocess.Popen], timeout_s: float = 60.0) -> tuple[float, list[dict]]:
    """Wait for every party (at most ``timeout_s`` in all); returns the average they agree on and what each
    printed. A party that exits with an error (at once, while the others still wait for it), prints no result,
    or a run that outlasts the timeout raises ``RuntimeError`` naming the party; all processes are ended first."""
    deadline, problem = time.monotonic() + timeout_s, None
    try:
        while problem is None and any(p.poll() is None for p in parties):
            failed = [i for i, p in enumerate(parties) if p.poll() not in (None, 0)]
            if failed:
                i = failed[0]
                err = parties[i].stderr.read().strip()[-500:]
                problem = f"MPyC party {i} failed with exit code {parties[i].returncode}: {err or 'no message'}"
            elif time.monotonic() > deadline:
                problem = (f"MPyC parties {[i for i, p in enumerate(parties) if p.poll() is None]} gave no result "
                           f"within {timeout_s:g} s (a party hangs or cannot connect)")
            else:
                time.sleep(0.05)
        if problem is None and any(p.returncode != 0 for p in parties):
            i = next(i for i, p in enumerate(parties) if p.returncode != 0)
            problem = f"MPyC party {i} failed with exit code {parties[i].returncode}: {parties[i].stderr.read()[-500:]}"
    finally:
        for p in parties:
            if p.poll() is None:
                p.kill()
                p.wait(timeout=10)
    if problem:
        raise RuntimeError(problem)
    reports = []
    for i, p in enumerate(parties):
        lines = [ln for ln in p.stdout.read().splitlines() if ln.startswith("{")]
        if not lines:
            raise RuntimeError(f"MPyC party {i} exited without printing its result")
        reports.append(json.loads(lines[-1]))
    averages = {r["average"] for r in reports}
    if len(averages) != 1:
        raise RuntimeError(f"MPyC parties disagree on the average: {sorted(averages)}")
    return averages.pop(), reports


def mpyc_average(values: list[float], timeout_s: float = 60.0) -> float:
    """The average of ``values`` computed by len(values) MPyC parties, one OS process each, over localhost TCP;
    party i holds values[i] only. ``RuntimeError`` if a party fails or the run outlasts ``timeout_s``."""
    return collect_average(start_parties(values), timeout_s)[0]


async def _party(salary: float) -> None:
    from mpyc.runtime import mpc

    secfxp = mpc.SecFxp(64)  # 64-bit fixed point, 32 fractional bits
    await mpc.start()
    inputs = mpc.input(secfxp(salary))  # every party's input, secret-shared among all
    average = await mpc.output(mpc.sum(inputs) / len(inputs))
    await mpc.shutdown()
    print(json.dumps({"party": mpc.pid, "parties": len(mpc.parties), "my_input": salary, "average": float(average)}))


if __name__ == "__main__":
    import argparse

    own = argparse.ArgumentParser()
    own.add_argument("--salary", type=float, required=True)
    mine, rest = own.parse_known_args()
    sys.argv = [sys.argv[0]] + rest  # MPyC reads -M, -I, -B from the rest when mpyc.runtime is imported
    from mpyc.runtime import mpc

    mpc.run(_party(mine.salary))
