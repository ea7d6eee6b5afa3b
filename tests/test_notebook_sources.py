"""Conventions every chapter source keeps (see "Adding a chapter" in README.md)."""

import re
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SOURCES = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))
EVERYWHERE = {"config", "data", "plots", "errors", "exercises"}  # the README says every chapter may use these
STUDENT_CELLS = {"exercise", "solution"}  # where a student writes code, a small function included


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
    story = "\n".join(c.source for c in nb.cells
                      if c.cell_type == "code" and not STUDENT_CELLS & set(c.metadata.get("tags", [])))
    assert "mode_banner()" in code, "print which mode ran"
    assert "assert " in code, "a chapter checks what it claims"
    assert not [c for c in nb.cells if "raises-exception" in c.metadata.get("tags", [])], \
        "Run All stops at a failing cell: show an expected error with mlprivacy_lab.errors.expect_error instead"
    assert "def " not in story.replace("def show", "").replace("def update", ""), \
        "algorithms live in mlprivacy_lab, not in notebooks (only widget callbacks show_*/update_*)"


def _readme_map() -> dict[str, str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Where each chapter lives", 1)[1].split("\n## ", 1)[0]
    return {m.group(1): m.group(2) for m in re.finditer(r"^\| (\d\d) \|(.*)$", section, re.M)}


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_readme_maps_the_chapter_to_every_package_module_it_imports(source):
    row = _readme_map().get(source.name[:2])
    assert row is not None, f"README.md: add chapter {source.name[:2]} to 'Where each chapter lives'"
    imported = set(re.findall(r"^(?:from|import) mlprivacy_lab\.([a-z_.]+)", source.read_text(encoding="utf-8"),
                              re.M))
    named = [m for m in imported if m.split(".")[0] not in EVERYWHERE]
    missing = sorted(m for m in named if f"`{m.split('.')[-1]}`" not in row and not re.search(f"`{m}[`.]", row))
    assert not missing, f"README.md's row for chapter {source.name[:2]} does not name {missing}"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_chapter_opens_with_objectives_and_ends_with_take_aways_and_checked_exercises(source):
    from mlprivacy_lab.exercises import EXERCISES

    nb = jupytext.read(source)
    title = nb.cells[0].source
    assert "**Learning objectives.**" in title, "open the chapter with its learning objectives"
    objectives = title.split("**Learning objectives.**", 1)[1]
    assert 3 <= len(re.findall(r"^- ", objectives, re.M)) <= 4, "3-4 objectives a student can tick off"
    headings = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "markdown" and c.source]
    assert "## Take-aways" in headings and "## Exercises" in headings
    assert headings.index("## Take-aways") < headings.index("## Exercises"), "take-aways, then exercises"
    solutions = [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]
    for cell in solutions:
        assert cell.metadata.get("slideshow", {}).get("slide_type") == "skip", "hide solutions in the slides"
        assert cell.metadata.get("jupyter", {}).get("source_hidden"), "collapse solutions in JupyterLab"
    checked = " ".join(c.source for c in solutions)
    names = [e.name for e in EXERCISES[source.name[:2]]]
    missing = [n for n in names if f"ex.{n}.check(answer).require()" not in checked]
    assert not missing, f"every registered exercise needs a solution cell that requires its check: {missing}"
    asked = " ".join(c.source for c in nb.cells if "exercise" in c.metadata.get("tags", []))
    assert all(f"ex.{n}.check(answer)" in asked for n in names), "each exercise gets a cell the student edits"
