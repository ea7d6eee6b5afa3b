"""The benchmarks: one module each, registered with ``bench_registry.register`` and run from the CLI.

These are leaves: they compose library functions and measure. Nothing in the package, the notebooks or the
tests imports them; ``python -m mlprivacy_lab bench NAME --json`` finds them through ``bench_registry``.
"""
