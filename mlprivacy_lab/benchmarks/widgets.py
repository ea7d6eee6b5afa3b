"""Benchmark ``widgets``: every chapter's widget callbacks timed at their controls' extreme values."""

from __future__ import annotations

import json
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

from ..bench_registry import register

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
MARKER = "WIDGET-TIMINGS:"


def chapter_widget_timings(source: Path, timeout_s: int = 1200) -> dict:
    """Run one chapter headless with its ``interact`` calls recorded, then time each callback."""
    nb = jupytext.read(source)
    nb.cells.insert(0, nbformat.v4.new_code_cell(
        "from mlprivacy_lab.widget_timing import record_interactions\nrecord_interactions()"))
    nb.cells.append(nbformat.v4.new_code_cell(
        "import json\nfrom mlprivacy_lab.widget_timing import time_interactions\n"
        f"print({MARKER!r} + json.dumps(time_interactions()))"))
    start = time.perf_counter()
    NotebookClient(nb, timeout=timeout_s, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
                   ).execute()
    run_s = time.perf_counter() - start
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream")
    widgets = json.loads(text.split(MARKER, 1)[1])
    return {"run_s": round(run_s, 1), "widgets": widgets,
            "slowest_s": max((w["slowest_s"] for w in widgets), default=None)}


@register("widgets", "every chapter's widget callbacks, each timed at its controls' extreme values "
                     "(and each chapter's run time), in the mode the benchmark runs in")
def widgets_bench(quick: bool) -> dict:
    chapters = {}
    for source in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py")):
        print(f"running {source.name}", flush=True)
        chapters[source.stem] = chapter_widget_timings(source)
    return {"chapters": chapters, "target_s": 1.0,
            "over_target": sorted(name for name, c in chapters.items() if (c["slowest_s"] or 0) > 1.0)}
