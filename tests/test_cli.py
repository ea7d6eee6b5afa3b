import json
import subprocess
import sys

import pytest

from mlprivacy_lab import bench_registry
from mlprivacy_lab.__main__ import main


def test_list_shows_registered_benchmarks(capsys):
    assert main(["bench", "--list"]) == 0
    assert "pipeline" in capsys.readouterr().out


def test_unknown_benchmark_is_a_clear_error(capsys):
    assert main(["bench", "no-such-bench", "--json"]) == 2
    assert "unknown benchmark 'no-such-bench'" in capsys.readouterr().err


def test_registering_a_name_twice_fails():
    bench_registry.discover()
    with pytest.raises(ValueError, match="registered twice"):
        bench_registry.register("pipeline", "again")(lambda quick: {})


def test_bench_prints_one_json_object_on_stdout():
    proc = subprocess.run([sys.executable, "-m", "mlprivacy_lab", "bench", "pipeline", "--json", "--quick"],
                          capture_output=True, text=True, check=True)
    result = json.loads(proc.stdout)
    assert result["benchmark"] == "pipeline" and result["quick"] is True
    assert result["test_acc"] > 0.8
