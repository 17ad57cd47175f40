# matrixone.backup — developer entry points. Needs only Python 3.11 and make.
#   make demo   virtualenv + collection + embedded test server + playbooks/demo.yml
#   make test   the whole gate (sanity, units, server, integration x versions, lint, docs, changelog, build)

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_VERSION ?= 4.2.0

.PHONY: help venv test demo docs bench clean

help:
	@echo "make demo | make test | make clean"

$(STAMP): requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

test: $(STAMP)
	$(BIN)/python tests/utils/gate.py $(STAGES)

demo: $(STAMP)
	$(BIN)/python tests/utils/demo.py --version $(DEMO_VERSION)

docs: $(STAMP)
	$(BIN)/python tests/utils/gate.py docs

bench: $(STAMP)
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements-bench.txt
	$(BIN)/python tests/bench/bench.py
	$(BIN)/python tests/bench/restore_delta.py

clean:
	rm -rf $(VENV) .venv-next .build tests/output
