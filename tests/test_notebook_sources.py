"""Conventions every chapter source keeps (see DEVELOPERS.md)."""

from pathlib import Path

import jupytext
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
SOURCES = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))


def test_there_are_chapters():
    assert SOURCES, "no jupytext chapter sources in notebooks/"


def test_chapter_numbers_are_unique():
    numbers = [s.name[:2] for s in SOURCES]
    assert len(numbers) == len(set(numbers)), numbers


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_chapter_conventions(source):
    nb = jupytext.read(source)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# Chapter")
    slide_types = [c.metadata.get("slideshow", {}).get("slide_type") for c in nb.cells]
    assert slide_types[0] == "slide" and slide_types.count("slide") >= 3, "RISE slides: mark slide cells"
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "mode_banner()" in code, "print which mode ran"
    assert "assert " in code, "a chapter checks what it claims"
    assert "def " not in code.replace("def show", "").replace("def update", ""), \
        "algorithms live in mlprivacy_lab, not in notebooks (only widget callbacks show_*/update_*)"
