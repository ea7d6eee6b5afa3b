"""The lab book as a person sees it: headless Chromium (Debian's, driven by selenium through the system
chromedriver; nothing is downloaded) opens JupyterLab, runs every chapter with Run All Cells, presents
chapter 4 with RISE, and reads the static book. Screenshots go to build/screenshots/.

Run by `make browser`; skips when Chromium is missing."""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
SCREENSHOTS = ROOT / "build" / "screenshots"
CHAPTERS = [p.stem for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))]
RUN_ALL_TIMEOUT_S = 900  # one chapter, quick mode; ~90 s on two free cores
STARTUP_TIMEOUT_S = 120
RISE_CHAPTER = "04_paillier"
BOOK_CHAPTER = "00_ml_pipeline"

if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
    pytest.skip("Chromium is missing: install it with 'apt-get install -y chromium chromium-driver' "
                "(Debian; .ci/run does it), then run 'make browser'", allow_module_level=True)

from selenium import webdriver  # noqa: E402  (only where Chromium is)
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

SAVED: dict[str, Path] = {}  # chapter -> the .ipynb JupyterLab saved after Run All


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, timeout_s: float, what: str, poll_s: float = 0.5):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(poll_s)
    raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--no-first-run",
                 "--disable-sync", "--window-size=1400,1000",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    os.environ["SE_OFFLINE"] = "true"  # selenium-manager must never fetch a browser or a driver
    browser = webdriver.Chrome(service=webdriver.ChromeService(executable_path=str(CHROMEDRIVER)),
                               options=options)
    browser.set_page_load_timeout(STARTUP_TIMEOUT_S)
    yield browser
    browser.quit()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab as `make lab` starts it (the project's jupyter/ config), for a new user (empty settings),
    on a copy of the chapters so that Run All and saving never touch notebooks/."""
    home = tmp_path_factory.mktemp("lab")
    root = home / "notebooks"
    root.mkdir()
    for chapter in CHAPTERS:
        shutil.copy2(ROOT / "notebooks" / f"{chapter}.py", root)
    shutil.copy2(ROOT / "notebooks" / "jupytext.toml", root)
    # the pairs built as `make notebooks` builds them, here without touching notebooks/
    subprocess.run([sys.executable, "-m", "jupytext", "--quiet", "--sync", *(f"{c}.py" for c in CHAPTERS)],
                   cwd=root, check=True)
    # widget state saved with the notebook, so the static book built from it shows the widgets
    widget_settings = home / "settings" / "@jupyter-widgets" / "jupyterlab-manager"
    widget_settings.mkdir(parents=True)
    (widget_settings / "plugin.jupyterlab-settings").write_text(json.dumps({"saveState": True}))
    # every cell in the page (no virtual scrolling), so that the test sees all prompts and outputs
    notebook_settings = home / "settings" / "@jupyterlab" / "notebook-extension"
    notebook_settings.mkdir(parents=True)
    (notebook_settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_CONFIG_PATH": str(ROOT / "jupyter"), "MLPRIVACY_LAB_QUICK": "1",
           "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"), "JUPYTER_RUNTIME_DIR": str(home / "runtime")}
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
               f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}",
               "--LabApp.expose_app_in_browser=True"]  # window.jupyterapp: the test runs the menu's command
    if os.getuid() == 0:
        command.append("--allow-root")
    log = (home / "lab.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        assert server.poll() is None, f"JupyterLab exited; see {home / 'lab.log'}"
        with contextlib.suppress(requests.ConnectionError):
            return requests.get(f"{url}/api/status", params={"token": token}, timeout=5).ok
        return False

    wait_for(up, STARTUP_TIMEOUT_S, "JupyterLab to start")
    yield {"url": url, "token": token, "root": root, "home": home}
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


def shut_down_kernels(lab) -> None:
    auth = {"token": lab["token"]}
    for session in requests.get(f"{lab['url']}/api/sessions", params=auth, timeout=10).json():
        requests.delete(f"{lab['url']}/api/sessions/{session['id']}", params=auth, timeout=30)


def js(driver, script: str):
    return driver.execute_script(script)


PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"


def open_notebook(driver, lab, chapter: str) -> None:
    driver.get(f"{lab['url']}/lab/tree/{chapter}.ipynb?reset&token={lab['token']}")
    wait_for(lambda: js(driver, f"return document.querySelectorAll('{PANEL} .jp-CodeCell').length"),
             STARTUP_TIMEOUT_S, f"{chapter} to open")
    wait_for(lambda: js(driver, f"""return document.querySelector(
        '{PANEL} .jp-Notebook-ExecutionIndicator[data-status="idle"]') !== null"""),
             STARTUP_TIMEOUT_S, f"the kernel of {chapter} to start")


def prompts(driver) -> list[str]:
    return js(driver, f"""return Array.from(document.querySelectorAll('{PANEL} .jp-CodeCell'))
        .map(cell => (cell.querySelector('.jp-InputArea-prompt') || {{textContent: ''}}).textContent.trim());""")


def test_file_browser_lists_each_chapter_once_and_no_news_pop_up(driver, lab):
    driver.get(f"{lab['url']}/lab?reset&token={lab['token']}")
    names = wait_for(lambda: js(driver, """return Array.from(document.querySelectorAll(
        '.jp-DirListing-item .jp-DirListing-itemText')).map(e => e.textContent.trim());"""),
                     STARTUP_TIMEOUT_S, "the file browser")
    assert sorted(names) == [f"{chapter}.ipynb" for chapter in CHAPTERS], names
    time.sleep(3)  # the news question would come a moment after start
    assert "official Jupyter news" not in driver.page_source
    driver.save_screenshot(str(SCREENSHOTS / "lab_start.png"))


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_run_all_cells_in_jupyterlab(driver, lab, chapter):
    saved = lab["root"] / f"{chapter}.ipynb"
    source = lab["root"] / f"{chapter}.py"
    open_notebook(driver, lab, chapter)
    n_code = sum(cell.cell_type == "code" for cell in nbformat.read(saved, as_version=4).cells)
    wait_for(lambda: len(prompts(driver)) == n_code, 60, f"all {n_code} code cells to render")
    start = time.monotonic()
    notebook = driver.find_element(By.CSS_SELECTOR, f"{PANEL} .jp-Notebook")
    # Run ▸ Run All Cells: the notebook command behind the menu item, on the notebook made the current widget
    started = lambda: any(p != "[ ]:" and p for p in prompts(driver))  # noqa: E731
    for attempt in range(6):  # a notebook that has not yet taken focus is not current: activate it and ask again
        notebook.click()
        js(driver, f"""const app = window.jupyterapp;
            app.shell.activateById(document.querySelector('{PANEL}').id);
            app.commands.execute('notebook:run-all-cells');""")
        with contextlib.suppress(AssertionError):
            wait_for(started, 10, "Run All Cells to start")
            break
    assert started(), f"Run All Cells did not start in {chapter} after {attempt + 1} tries"
    # collapsed (source-hidden) cells show no prompt: the saved notebook below proves they ran too
    wait_for(lambda: all(p not in ("[ ]:", "[*]:") for p in prompts(driver)) and js(driver, f"""return document
             .querySelector('{PANEL} .jp-Notebook-ExecutionIndicator[data-status="idle"]') !== null"""),
             RUN_ALL_TIMEOUT_S, f"Run All Cells in {chapter}", poll_s=2)
    seconds = time.monotonic() - start
    print(f"{chapter}: Run All Cells took {seconds:.0f} s")
    wait_for(lambda: js(driver, f"""return document.querySelector(
        '{PANEL} .jp-Notebook-ExecutionIndicator[data-status="idle"]') !== null"""), 60, "the kernel to idle")
    before = (saved.stat().st_mtime_ns, source.stat().st_mtime_ns)
    notebook.send_keys(Keys.ESCAPE, Keys.CONTROL + "s")
    wait_for(lambda: saved.stat().st_mtime_ns > before[0] and source.stat().st_mtime_ns > before[1], 60,
             "the save to write the .ipynb and its paired .py")
    SAVED[chapter] = saved

    nb = nbformat.read(saved, as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code), "a code cell did not run"
    outputs = [out for cell in code for out in cell.outputs]
    errors = [f"{out.ename}: {out.evalue}" for out in outputs if out.output_type == "error"]
    assert errors == [], errors
    assert not [o for o in outputs if o.output_type == "stream" and "Traceback" in o.text]
    n_images = sum("image/png" in out.get("data", {}) for out in outputs)
    n_widgets = sum("application/vnd.jupyter.widget-view+json" in out.get("data", {}) for out in outputs)
    dom = js(driver, f"""const panel = document.querySelector('{PANEL}');
        const images = Array.from(panel.querySelectorAll('.jp-RenderedImage img'));
        return {{images: images.length, loaded: images.filter(i => i.complete && i.naturalWidth > 0).length,
                widgets: panel.querySelectorAll('.jp-OutputArea-output .jupyter-widgets.widget-container, '
                  + '.jp-OutputArea-output .jupyter-widgets.widget-inline-hbox').length,
                broken: panel.innerText.includes('Error displaying widget'),
                errors: panel.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"] .jp-RenderedText').length}};""")
    assert dom["images"] >= n_images and dom["loaded"] == dom["images"], dom
    assert not dom["broken"], "a widget failed to render"
    if n_widgets:
        assert dom["widgets"] > 0, f"{n_widgets} widget outputs but none rendered: {dom}"
    js(driver, f"const img = document.querySelector('{PANEL} .jp-RenderedImage img'); if (img) img.scrollIntoView();")
    driver.save_screenshot(str(SCREENSHOTS / f"lab_{chapter}.png"))
    shut_down_kernels(lab)


def test_rise_presents_chapter_4_as_its_slides(driver, lab):
    if RISE_CHAPTER not in CHAPTERS:
        pytest.skip(f"no chapter {RISE_CHAPTER}")
    nb = nbformat.read(lab["root"] / f"{RISE_CHAPTER}.ipynb", as_version=4)
    kinds = [cell.metadata.get("slideshow", {}).get("slide_type", "-") for cell in nb.cells]
    expected = sum(kind in ("slide", "subslide") for kind in kinds) + (kinds[0] not in ("slide", "subslide"))
    driver.get(f"{lab['url']}/rise/{RISE_CHAPTER}.ipynb?token={lab['token']}")
    count = """return document.querySelectorAll('.reveal .slides section:not(:has(section))').length"""
    slides = wait_for(lambda: js(driver, count), STARTUP_TIMEOUT_S, "RISE to build the slides")
    time.sleep(2)
    slides = js(driver, count)
    print(f"{RISE_CHAPTER}: RISE shows {slides} slides")
    assert slides == expected > 5
    driver.save_screenshot(str(SCREENSHOTS / f"rise_{RISE_CHAPTER}.png"))
    shut_down_kernels(lab)


@contextlib.contextmanager
def serve(directory: Path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def test_static_book_shows_figures_and_widgets_without_a_kernel(driver, tmp_path):
    """The book page of chapter 0, from the notebook the browser ran (or one run here), read from a local
    web server: its figures load, its widgets render, and every resource comes from the site."""
    executed = SAVED.get(BOOK_CHAPTER)
    build = [sys.executable, str(ROOT / "book" / "build.py")]
    if executed is None:
        subprocess.run([*build, "execute", str(tmp_path / "run"), str(ROOT / "notebooks" / f"{BOOK_CHAPTER}.py")],
                       check=True, env={**os.environ, "MLPRIVACY_LAB_QUICK": "1"})
        executed = tmp_path / "run" / f"{BOOK_CHAPTER}.ipynb"
    subprocess.run([*build, "book", str(tmp_path / "book"), str(executed)], check=True)
    with serve(tmp_path / "book") as site:
        driver.get(f"{site}/index.html")
        links = driver.find_elements(By.CSS_SELECTOR, "table a")
        assert [a.get_attribute("href").rsplit("/", 1)[1] for a in links] == [f"{BOOK_CHAPTER}.html"]
        driver.save_screenshot(str(SCREENSHOTS / "book_index.png"))
        links[0].click()
        wait_for(lambda: js(driver, """const images = Array.from(document.querySelectorAll('.jp-RenderedImage img'));
            return images.length > 0 && images.every(i => i.complete && i.naturalWidth > 0);"""), 60,
                 "the figures to load")
        has_widgets = "application/vnd.jupyter.widget-view+json" in (tmp_path / "book" / f"{BOOK_CHAPTER}.html").read_text()
        if has_widgets:
            wait_for(lambda: js(driver, "return document.querySelectorAll('.jupyter-widgets.widget-container, "
                                        ".jupyter-widgets.widget-inline-hbox').length"), 60, "the widgets to render")
        wait_for(lambda: js(driver, "return window.MathJax && window.MathJax.startup !== undefined"), 30, "MathJax")
        resources = js(driver, "return performance.getEntriesByType('resource').map(e => e.name)")
        assert [r for r in resources if not r.startswith((site, "data:"))] == [], "a resource came from outside"
        js(driver, "const img = document.querySelector('.jp-RenderedImage img'); img.scrollIntoView();")
        driver.save_screenshot(str(SCREENSHOTS / f"book_{BOOK_CHAPTER}.png"))
