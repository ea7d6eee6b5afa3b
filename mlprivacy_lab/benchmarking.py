"""The benchmark registry behind ``python -m mlprivacy_lab bench NAME --json``.

A chapter registers a benchmark in a module named ``benchmarks`` anywhere in the
package (for example ``mlprivacy_lab/crypto/benchmarks.py``)::

    @register("paillier", "encrypt and decrypt one data owner's share, ours vs phe")
    def paillier_bench(quick: bool) -> dict: ...

The function returns a JSON-serialisable dict. Benchmarks are measurements, never
timed tests: they print JSON and the tests only check that they run.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

BenchFunction = Callable[[bool], dict]


@dataclass(frozen=True)
class Benchmark:
    name: str
    description: str
    run: BenchFunction


_REGISTRY: dict[str, Benchmark] = {}


def register(name: str, description: str) -> Callable[[BenchFunction], BenchFunction]:
    """Decorator: make ``fn(quick) -> dict`` available as ``bench NAME``."""

    def add(fn: BenchFunction) -> BenchFunction:
        if name in _REGISTRY and _REGISTRY[name].run is not fn:
            raise ValueError(f"benchmark {name!r} is registered twice")
        _REGISTRY[name] = Benchmark(name, description, fn)
        return fn

    return add


def discover() -> dict[str, Benchmark]:
    """Import every ``benchmarks`` module of the package, then return the registry."""
    import mlprivacy_lab

    for info in pkgutil.walk_packages(mlprivacy_lab.__path__, prefix="mlprivacy_lab."):
        if info.name.rsplit(".", 1)[-1] == "benchmarks":
            importlib.import_module(info.name)
    return dict(sorted(_REGISTRY.items()))


def get(name: str) -> Benchmark:
    benchmarks = discover()
    if name not in benchmarks:
        raise ValueError(f"unknown benchmark {name!r}; available: {', '.join(benchmarks) or 'none'}")
    return benchmarks[name]
