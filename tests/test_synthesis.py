"""Chapter 11's table: read from the cached benchmark JSON, every method measured, clear errors."""

from __future__ import annotations

import json
import math

import pytest

from mlprivacy_lab.synthesis import BENCHMARKS, METHODS, PROTECTION_LEVELS, cached_benchmark, load_results, \
    synthesis_table, table_markdown


def test_every_cached_benchmark_is_the_benchmark_it_is_named_after():
    for name in BENCHMARKS:
        result = cached_benchmark(name)
        assert result.data["benchmark"] == name and result.mode in {"quick", "full"}


def test_table_has_every_method_with_a_measured_overhead():
    rows = synthesis_table(load_results())
    assert [row["method"] for row in rows] == [m.name for m in METHODS]
    for row in rows:
        assert math.isfinite(row["overhead"]) and row["overhead"] >= 1 - 1e-9, row
        assert row["level"] in PROTECTION_LEVELS and row["cost"] and row["protection"]
    cryptographic = [r["overhead"] for r in rows if r["level"] == PROTECTION_LEVELS[-1]]
    cheap = {r["method"]: r["overhead"] for r in rows if r["method"] in ("DP-SGD", "Rounding, top-k, label only")}
    assert len(cheap) == 2 and min(cryptographic) > max(cheap.values()), "the lecture's 'secure but costly'"
    markdown = table_markdown(rows)
    assert markdown.count("\n") == len(rows) + 1


def test_missing_and_mismatched_cache_files_are_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="bench smpc --json"):
        cached_benchmark("smpc", cache=tmp_path)
    (tmp_path / "smpc.json").write_text(json.dumps({"benchmark": "gc"}))
    with pytest.raises(ValueError, match="holds the result of bench 'gc', not 'smpc'"):
        cached_benchmark("smpc", cache=tmp_path)
