# mlprivacy-lab: `make lab` opens the book, `make test` checks it. Both install first.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8888
SOURCES   := $(sort $(wildcard notebooks/[0-9]*.py))
NOTEBOOKS := $(SOURCES:.py=.ipynb)

.PHONY: install notebooks lab test unit nbtest check-pairs bench lock clean

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

lab: notebooks
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks --port=$(PORT) $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

test: unit nbtest

unit: $(STAMP)
	$(BIN)/python -m pytest tests -q

nbtest: notebooks
	MLPRIVACY_LAB_QUICK=1 $(BIN)/python -m pytest --nbval-lax -q -p no:cacheprovider $(NOTEBOOKS)

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
	rm -rf $(VENV) notebooks/*.ipynb build .pytest_cache
