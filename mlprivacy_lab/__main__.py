"""Command line: ``python -m mlprivacy_lab bench NAME [--json] [--quick]`` and ``bench --list``."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time

from . import bench_registry
from .config import QUICK_ENV, is_quick


def _bench(args: argparse.Namespace) -> int:
    if args.list or not args.name:
        for bench in bench_registry.discover().values():
            print(f"{bench.name:12s} {bench.description}")
        return 0
    try:
        bench = bench_registry.get(args.name)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.quick:
        os.environ[QUICK_ENV] = "1"
    quick = is_quick()
    start = time.perf_counter()
    with contextlib.redirect_stdout(sys.stderr):  # progress and logs go to stderr; stdout is the JSON
        result = bench.run(quick)
    result = {"benchmark": bench.name, "quick": quick, **result,
              "wall_s": round(time.perf_counter() - start, 3)}
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:28s} {json.dumps(value)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlprivacy_lab", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    bench = sub.add_parser("bench", help="run a benchmark that reproduces a lecture table or a comparison")
    bench.add_argument("name", nargs="?", help="benchmark name (see --list)")
    bench.add_argument("--list", action="store_true", help="list the registered benchmarks")
    bench.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    bench.add_argument("--quick", action="store_true", help=f"small sizes, as {QUICK_ENV}=1")
    bench.set_defaults(handler=_bench)
    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
