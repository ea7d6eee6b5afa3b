"""The registry behind ``python -m mlprivacy_lab bench NAME --json``.

Every benchmark is one module of the package ``mlprivacy_lab.benchmarks`` (for example
``mlprivacy_lab/benchmarks/paillier.py``) that registers itself::

    @register("paillier", "encrypt and decrypt one data owner's share, ours vs phe")
    def paillier_bench(quick: bool) -> dict: ...

The function returns a JSON-serialisable dict. Benchmarks are leaves: they compose library functions and
measure; no library module, notebook or test imports one (tests reach them through this registry or the CLI).
Benchmarks are measurements, never timed tests.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

BENCHMARKS_PACKAGE = "mlprivacy_lab.benchmarks"

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
    """Import every module of ``mlprivacy_lab.benchmarks`` by name, then return the registry."""
    package = importlib.import_module(BENCHMARKS_PACKAGE)
    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{BENCHMARKS_PACKAGE}.{info.name}")
    return dict(sorted(_REGISTRY.items()))


def get(name: str) -> Benchmark:
    """The benchmark registered as ``name``; a clear error listing the available ones otherwise."""
    benchmarks = discover()
    if name not in benchmarks:
        raise ValueError(f"unknown benchmark {name!r}; available: {', '.join(benchmarks) or 'none'}")
    return benchmarks[name]
