"""Course delivery (book/build.py, driven by the Makefile): student hand-outs without solutions, the static
book and the reveal.js decks, all loading their scripts and styles from the site itself."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import jupytext
import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
CHAPTER_00 = ROOT / "notebooks" / "00_ml_pipeline.py"
BUILD = [sys.executable, str(ROOT / "book" / "build.py")]


def tagged(nb, tag: str) -> list:
    return [cell for cell in nb.cells if tag in cell.get("metadata", {}).get("tags", [])]


class References(HTMLParser):
    """Every URL a page loads by itself: script src, link href, img src."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        url = {"script": attrs.get("src"), "link": attrs.get("href"), "img": attrs.get("src")}.get(tag)
        if url:
            self.urls.append(url)


def assert_offline(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    parser = References()
    parser.feed(text)
    for url in parser.urls:
        assert not re.match(r"(https?:)?//", url), f"{page.name} loads {url} from the network"
        if not url.startswith("data:"):
            assert (page.parent / url).is_file(), f"{page.name} loads {url}, which is not in the site"
    # URLs built in scripts (the widget renderer) must be local too
    for url in re.findall(r"widgetRendererSrc = '([^']*)'", text):
        assert not url.startswith(("http", "//")) and (page.parent / url).is_file(), url


def test_make_student_removes_every_solution_and_keeps_the_exercises(tmp_path):
    subprocess.run(["make", "-s", "student", f"STUDENT_DIR={tmp_path}"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    removed = 0
    for src in SOURCES:
        source = jupytext.read(src)
        handout = nbformat.read(tmp_path / f"{src.stem}.ipynb", as_version=4)
        nbformat.validate(handout)
        assert tagged(handout, "solution") == [], f"{src.stem}: a solution cell is left in the hand-out"
        assert [c.source for c in tagged(handout, "exercise")] == [c.source for c in tagged(source, "exercise")]
        assert len(handout.cells) == len(source.cells) - len(tagged(source, "solution"))
        assert "jupytext" not in handout.metadata, "a hand-out is a plain notebook, not a jupytext pair"
        removed += len(tagged(source, "solution"))
    assert removed > 0, "no chapter has a solution cell: the test checked nothing"


@pytest.fixture(scope="module")
def chapter_00_executed(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("executed")
    subprocess.run([*BUILD, "execute", str(out), str(CHAPTER_00)], check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, "MLPRIVACY_LAB_QUICK": "1"})
    return out / "00_ml_pipeline.ipynb"


def test_book_pages_show_results_and_load_nothing_from_the_network(chapter_00_executed, tmp_path):
    subprocess.run([*BUILD, "book", str(tmp_path), str(chapter_00_executed)], check=True,
                   stdout=subprocess.DEVNULL)
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    first_cell = jupytext.read(CHAPTER_00).cells[0].source
    objectives = re.findall(r"^- (.+)$", first_cell.partition("**Learning objectives.**")[2], re.M)
    assert len(objectives) >= 2
    assert index.count("<li>") == len(objectives)
    assert 'href="00_ml_pipeline.html"' in index and "Machine learning pipeline" in index
    assert re.search(r'class="time">\d+ s<', index), "the chapter's run time is missing"
    page = (tmp_path / "00_ml_pipeline.html").read_text(encoding="utf-8")
    assert page.count('src="data:image/png;base64,') >= 2, "figures are missing"
    assert "QUICK mode" in page, "printed results are missing"
    assert "application/vnd.jupyter.widget-state+json" in page, "widget state is missing"
    solutions = tagged(nbformat.read(chapter_00_executed, as_version=4), "solution")
    assert solutions and all(cell.source.splitlines()[-1] not in page for cell in solutions)
    assert "_static/mathjax/tex-chtml-full.js" in page and "_static/require.js" in page
    for built in (tmp_path / "index.html", tmp_path / "00_ml_pipeline.html"):
        assert_offline(built)


def test_slides_follow_the_slideshow_metadata_and_hide_solutions(chapter_00_executed, tmp_path):
    subprocess.run([*BUILD, "slides", str(tmp_path), str(chapter_00_executed)], check=True,
                   stdout=subprocess.DEVNULL)
    deck = tmp_path / "00_ml_pipeline.slides.html"
    text = deck.read_text(encoding="utf-8")
    nb = nbformat.read(chapter_00_executed, as_version=4)
    starts = [c for c in nb.cells if c.metadata.get("slideshow", {}).get("slide_type") in ("slide", "subslide")]
    # reveal.js: one <section> per slide and one around each group of subslides
    assert text.count("<section") >= len(starts) > 5
    assert "_static/reveal.js/dist/reveal.js" in text
    assert all(cell.source.splitlines()[-1] not in text for cell in tagged(nb, "solution"))
    assert_offline(deck)
