# Ancile: `make run` serves the demo, `make test` runs the whole suite.
# Both install what they need first; PostgreSQL and Redis are embedded unless
# DATABASE_URL / REDIS_URL point at your own servers.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
REQUIREMENTS := $(wildcard requirements/*.txt)

.PHONY: run test manage install clean

$(STAMP): $(REQUIREMENTS)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "ancile: installing Python packages into $(VENV) …"
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	@touch $(STAMP)

install: $(STAMP)

run: install
	@$(PY) -m ancile.stack run

test: install
	@$(PY) -m ancile.stack test $(ARGS)

manage: install
	@$(PY) -m ancile.stack manage $(ARGS)

clean:
	rm -rf $(VENV) var
