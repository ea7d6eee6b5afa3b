# mlprivacy-lab: `make lab` opens the book, `make test` checks it. Both install first.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8888
SOURCES   := $(sort $(wildcard notebooks/[0-9]*.py))
NOTEBOOKS := $(SOURCES:.py=.ipynb)
# Course delivery (book/build.py): chapters executed once per MODE, then rendered as the book and the slides.
MODE      ?= quick
MODE_ENV  := $(if $(filter full,$(MODE)),MLPRIVACY_LAB_QUICK=0,MLPRIVACY_LAB_QUICK=1)
EXECUTED_NOTEBOOKS := $(patsubst notebooks/%.py,build/executed/$(MODE)/%.ipynb,$(SOURCES))
STUDENT_DIR ?= build/student
NODE_STAMP  := book/node_modules/.package-lock.json
# The project's Jupyter config (jupyter/): .py twins hidden in the file browser, no news pop-up.
LAB_ENV     := JUPYTER_CONFIG_PATH=$(CURDIR)/jupyter

.PHONY: install notebooks lab test unit nbtest browser check-pairs bench lock clean student book slides

install: $(STAMP)

# Reinstall only when the pins or the project metadata change.
$(STAMP): constraints.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	touch $@

# Build each .ipynb from its jupytext source (keeping outputs); edits saved in JupyterLab
# write both files through jupytext's contents manager (notebooks/jupytext.toml pairs them).
notebooks: $(NOTEBOOKS) check-pairs

notebooks/%.ipynb: notebooks/%.py $(STAMP)
	$(BIN)/jupytext --quiet --sync $<
	touch $@

check-pairs:
	@status=0; \
	for nb in notebooks/*.ipynb; do [ -e "$$nb" ] || continue; \
	  [ -f "$${nb%.ipynb}.py" ] || { echo "error: $$nb has no jupytext source $${nb%.ipynb}.py (delete it or restore the source)"; status=1; }; done; \
	for src in $(SOURCES); do [ -f "$${src%.py}.ipynb" ] || { echo "error: $$src has no built notebook"; status=1; }; done; \
	exit $$status

# EXECUTED=1: open the chapters with their outputs (figures shown), from one quick-mode run each.
lab: notebooks $(if $(EXECUTED),$(EXECUTED_NOTEBOOKS))
	$(if $(EXECUTED),$(BIN)/python book/build.py outputs $(EXECUTED_NOTEBOOKS))
	$(LAB_ENV) $(BIN)/jupyter lab --ServerApp.root_dir=notebooks --port=$(PORT) $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

test: unit nbtest browser

unit: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m pytest tests -q --ignore=tests/test_browser.py

nbtest: notebooks
	MLPRIVACY_LAB_QUICK=1 $(BIN)/python -m pytest --nbval-lax -q -p no:cacheprovider $(NOTEBOOKS)

# Headless Chromium drives JupyterLab (Run All in every chapter, RISE) and the static book; skips without
# Chromium (.ci/run installs it). Run after nbval: it executes each chapter once more, in the browser.
browser: notebooks $(NODE_STAMP)
	MLPRIVACY_LAB_QUICK=1 $(BIN)/python -m pytest tests/test_browser.py -q -rs

# Hand-outs: every chapter without its cells tagged `solution`.
student: $(STAMP)
	$(BIN)/python book/build.py student $(STUDENT_DIR) $(SOURCES)

build/executed/$(MODE)/%.ipynb: notebooks/%.py $(STAMP)
	$(MODE_ENV) $(BIN)/python book/build.py execute $(@D) $<

# The static book (build/book/index.html) and the reveal.js decks (build/slides/), from the same executed
# notebooks; MODE=full for the chapters' real sizes. Scripts come from book/node_modules, never a CDN.
book: $(EXECUTED_NOTEBOOKS) $(NODE_STAMP)
	$(BIN)/python book/build.py book build/book $(EXECUTED_NOTEBOOKS)

slides: $(EXECUTED_NOTEBOOKS) $(NODE_STAMP)
	$(BIN)/python book/build.py slides build/slides $(EXECUTED_NOTEBOOKS)

$(NODE_STAMP): book/package.json book/package-lock.json
	@command -v npm >/dev/null || { echo "error: npm is missing (Debian: apt-get install -y npm)"; exit 1; }
	cd book && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error

bench: $(STAMP)
	@for name in $$($(BIN)/python -m mlprivacy_lab bench --list | cut -d' ' -f1); do \
	  $(BIN)/python -m mlprivacy_lab bench $$name --json || exit 1; done

# Re-resolve the pins from pyproject.toml in a scratch venv and write constraints.txt.
lock:
	rm -rf build/lock-venv && $(PYTHON) -m venv build/lock-venv
	build/lock-venv/bin/python -m pip install -q torch==2.13.0 -e '.[dev]'
	{ echo "# Exact pins for the lab book, used by the Makefile as a pip constraints file (pip install -c)."; \
	  echo "# Regenerate with 'make lock' after changing dependencies in pyproject.toml."; \
	  build/lock-venv/bin/pip freeze --exclude-editable | grep -vi '^mlprivacy' | sed 's/^torch==\(.*\)+cpu/torch==\1/'; } > constraints.txt
	rm -rf build/lock-venv

clean:
	rm -rf $(VENV) notebooks/*.ipynb build .pytest_cache book/node_modules
