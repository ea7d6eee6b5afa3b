"""Course delivery from the jupytext chapter sources (notebooks/NN_name.py), offline.

    python book/build.py student  OUT SRC...            hand-outs: every cell tagged `solution` removed
    python book/build.py execute  OUT SRC...            run each chapter once (mode from MLPRIVACY_LAB_QUICK)
    python book/build.py book     OUT EXECUTED...       static HTML site: index.html + one page per chapter
    python book/build.py slides   OUT NOTEBOOK...       reveal.js decks (NN_name.slides.html)
    python book/build.py outputs  EXECUTED...           put executed outputs into notebooks/NN_name.ipynb

The Makefile calls these (make student/book/slides, make lab EXECUTED=1). Every script and style sheet of
the site comes from book/node_modules (npm ci on book/package-lock.json), copied under OUT/_static: nothing
is loaded from the network.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

import jupytext
import mistune
import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter, SlidesExporter
from nbconvert.preprocessors import TagRemovePreprocessor

BOOK = Path(__file__).resolve().parent
ROOT = BOOK.parent
NODE_MODULES = BOOK / "node_modules"
STATIC = "_static"
SOLUTION_TAG = "solution"
# site path under _static -> path under book/node_modules (a file, or a folder copied whole)
ASSETS = {
    "require.js": "requirejs/require.js",
    "jquery.min.js": "jquery/dist/jquery.min.js",
    "mathjax/tex-chtml-full.js": "mathjax/es5/tex-chtml-full.js",
    "mathjax/output": "mathjax/es5/output",
    "html-manager/embed-amd.js": "@jupyter-widgets/html-manager/dist/embed-amd.js",
    "reveal.js/dist": "reveal.js/dist",
    "reveal.js/plugin/notes": "reveal.js/plugin/notes",
}
# the nbconvert traits that default to a CDN, pointed at the copies above
ASSET_URLS = {
    "require_js_url": f"{STATIC}/require.js",
    "jquery_url": f"{STATIC}/jquery.min.js",
    "mathjax_url": f"{STATIC}/mathjax/tex-chtml-full.js",
    "widget_renderer_url": f"{STATIC}/html-manager/embed-amd.js",
}
RUN_METADATA = "mlprivacy_lab"  # notebook metadata key holding {"mode": ..., "run_time_s": ...}


def chapter_number(path: Path) -> str:
    match = re.match(r"(\d\d)_", path.name)
    if not match:
        raise ValueError(f"{path}: a chapter is named NN_name (two digits, an underscore, a name)")
    return match.group(1)


def read_chapter(path: Path) -> nbformat.NotebookNode:
    """A chapter as a notebook, from its jupytext .py source or an .ipynb."""
    if path.suffix == ".py":
        return jupytext.read(path)
    return nbformat.read(path, as_version=4)


def without_solutions(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    nb.cells = [cell for cell in nb.cells if SOLUTION_TAG not in cell.get("metadata", {}).get("tags", [])]
    return nb


def student(out: Path, sources: list[Path]) -> None:
    """Plain notebooks to hand out: solutions removed, no jupytext pairing (a student's save writes one file)."""
    out.mkdir(parents=True, exist_ok=True)
    for src in sources:
        nb = without_solutions(read_chapter(src))
        nb.metadata.pop("jupytext", None)
        target = out / f"{src.stem}.ipynb"
        nbformat.write(nb, target)
        print(f"{target}: {len(nb.cells)} cells, solutions removed")


def execute(out: Path, sources: list[Path], timeout_s: int) -> None:
    """Run each chapter once in a fresh kernel (cwd notebooks/), storing widget state and the run time."""
    out.mkdir(parents=True, exist_ok=True)
    mode = "quick" if os.environ.get("MLPRIVACY_LAB_QUICK") == "1" else "full"
    for src in sources:
        nb = read_chapter(src)
        start = time.perf_counter()
        NotebookClient(nb, timeout=timeout_s, kernel_name="python3", store_widget_state=True, record_timing=False,
                       resources={"metadata": {"path": str(src.parent)}}).execute()
        seconds = time.perf_counter() - start
        nb.metadata[RUN_METADATA] = {"mode": mode, "run_time_s": round(seconds, 1)}
        target = out / f"{src.stem}.ipynb"
        nbformat.write(nb, target)
        print(f"{target}: executed in {seconds:.1f} s ({mode} mode)")


def copy_assets(site: Path) -> None:
    if not NODE_MODULES.is_dir():
        sys.exit(f"error: {NODE_MODULES} is missing: run 'cd book && npm ci' (or 'make book', which does it)")
    for target, source in ASSETS.items():
        src, dst = NODE_MODULES / source, site / STATIC / target
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.map"))
        else:
            shutil.copy2(src, dst)


def offline(exporter_class: type[HTMLExporter], template: str) -> HTMLExporter:
    exporter = exporter_class(template_name=template, extra_template_basedirs=[str(BOOK / "templates")],
                              extra_template_paths=[str(BOOK / "templates")])
    for trait, url in ASSET_URLS.items():
        setattr(exporter, trait, url)
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={SOLUTION_TAG}), enabled=True)
    return exporter


def chapter_summary(nb: nbformat.NotebookNode) -> dict[str, object]:
    """Title, lecture section and learning objectives from the chapter's first cell."""
    first = nb.cells[0].source if nb.cells else ""
    title = re.search(r"^# (.+)$", first, re.M)
    lecture = re.search(r'\*Lecture: "(.+?)"', first, re.S)
    objectives: list[str] = []
    _, found, rest = first.partition("**Learning objectives.**")
    if found:
        objectives = [m.group(1) for m in re.finditer(r"^- (.+)$", rest, re.M)]
    return {"title": title.group(1).strip() if title else "(untitled)",
            "lecture": " ".join(lecture.group(1).split()) if lecture else "",
            "objectives": objectives,
            "run": nb.metadata.get(RUN_METADATA, {})}


INDEX = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Machine Learning and Privacy — the lab book</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 72em; margin: 2em auto; padding: 0 1em; line-height: 1.45; }}
table {{ border-collapse: collapse; }} th, td {{ border-bottom: 1px solid #ccc; padding: .5em; vertical-align: top;
text-align: left; }} td ul {{ margin: 0; padding-left: 1.2em; }} .time {{ white-space: nowrap; }}
</style></head><body>
<h1>Machine Learning and Privacy — the lab book</h1>
<p>Every chapter below was executed to build this site ({mode} mode); the pages show its text, code, printed
results and figures and need no kernel and no network. To change and run the code, open the chapter in
JupyterLab (<code>make lab</code>).</p>
<table><thead><tr><th>#</th><th>chapter</th><th>lecture section</th><th>learning objectives</th>
<th>run time</th></tr></thead><tbody>
{rows}
</tbody></table></body></html>
"""


def book(out: Path, executed: list[Path]) -> None:
    """One HTML page per executed chapter (solutions removed) and an index with the chapter table."""
    out.mkdir(parents=True, exist_ok=True)
    copy_assets(out)
    exporter = offline(HTMLExporter, "offline_lab")
    rows, modes = [], set()
    for path in executed:
        nb = read_chapter(path)
        summary = chapter_summary(nb)
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": summary["title"]}})
        (out / f"{path.stem}.html").write_text(body, encoding="utf-8")
        run = summary["run"]
        modes.add(run.get("mode", "unexecuted"))
        objectives = "".join(f"<li>{mistune.html(o).strip().removeprefix('<p>').removesuffix('</p>')}</li>"
                             for o in summary["objectives"])
        seconds = f"{run['run_time_s']:.0f} s" if "run_time_s" in run else "—"
        rows.append(f'<tr><td>{chapter_number(path)}</td><td><a href="{path.stem}.html">'
                    f'{html.escape(summary["title"])}</a></td><td>{html.escape(summary["lecture"])}</td>'
                    f'<td><ul>{objectives}</ul></td><td class="time">{seconds}</td></tr>')
        print(f"{out / path.stem}.html")
    (out / "index.html").write_text(INDEX.format(rows="\n".join(rows), mode=" / ".join(sorted(modes))),
                                    encoding="utf-8")
    print(f"{out / 'index.html'}: {len(rows)} chapters")


def slides(out: Path, notebooks: list[Path]) -> None:
    """reveal.js decks honouring the cells' slideshow metadata; `notes` cells become speaker notes (press S)."""
    out.mkdir(parents=True, exist_ok=True)
    copy_assets(out)
    exporter = offline(SlidesExporter, "offline_reveal")
    exporter.reveal_url_prefix = f"{STATIC}/reveal.js"
    for path in notebooks:
        body, _ = exporter.from_notebook_node(read_chapter(path), resources={"metadata": {"name": path.stem}})
        target = out / f"{path.stem}.slides.html"
        target.write_text(body, encoding="utf-8")
        print(target)


def outputs(executed: list[Path], notebooks: Path) -> None:
    """Put executed outputs into the lab's notebooks/NN_name.ipynb, keeping its jupytext pair consistent."""
    for path in executed:
        target = notebooks / path.name
        source = target.with_suffix(".py")
        if [c.source for c in read_chapter(source).cells] != [c.source for c in read_chapter(path).cells]:
            sys.exit(f"error: {path} is not a run of the current {source}; rebuild it (make lab EXECUTED=1 does)")
        nb = read_chapter(path)
        for cell in nb.cells:
            cell.metadata.pop("execution", None)  # nbclient's timings: not part of the pair
        nbformat.write(nb, target)
        # older than its source, so that jupytext takes the inputs from the .py and the outputs from here
        older = source.stat().st_mtime - 2
        os.utime(target, (older, older))
        print(f"{target}: outputs from {path}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("student", "execute", "book", "slides"):
        command = sub.add_parser(name)
        command.add_argument("out", type=Path)
        command.add_argument("paths", type=Path, nargs="+")
        if name == "execute":
            command.add_argument("--timeout", type=int, default=1800, help="seconds per cell")
    command = sub.add_parser("outputs")
    command.add_argument("paths", type=Path, nargs="+")
    command.add_argument("--notebooks", type=Path, default=ROOT / "notebooks", help="the lab's folder")
    args = parser.parse_args(argv)
    if args.command == "outputs":
        outputs(args.paths, args.notebooks)
    elif args.command == "execute":
        execute(args.out, args.paths, args.timeout)
    else:
        {"student": student, "book": book, "slides": slides}[args.command](args.out, args.paths)


if __name__ == "__main__":
    main()
