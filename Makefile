# Ancile: `make run` serves the demo, `make test` runs the whole suite.
# Both install what they need first; PostgreSQL and Redis are embedded unless
# DATABASE_URL / REDIS_URL point at your own servers.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
REQUIREMENTS := $(wildcard requirements/*.txt)

.PHONY: run test manage install browser clean bench-booking bench-risk install-gpu

$(STAMP): $(REQUIREMENTS)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "ancile: installing Python packages into $(VENV) …"
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	@touch $(STAMP)

install: $(STAMP)

# The browser tests drive Debian's Chromium (no browser downloads).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "ancile: installing Debian's chromium for the browser tests …"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y -q chromium >/dev/null 2>&1 || \
	  { $$SUDO apt-get update -q >/dev/null && $$SUDO apt-get install -y -q chromium >/dev/null; }; }

run: install
	@$(PY) -m ancile.stack run

test: install browser
	@$(PY) -m ancile.stack test $(ARGS)

manage: install
	@$(PY) -m ancile.stack manage $(ARGS)

bench-booking: install
	@$(PY) -m ancile.stack bench booking

# APT-1 scoring speed: ONNX vs XGBoost, single row and batch (GPU too, when present).
bench-risk: install
	@$(PY) -m ancile.stack bench risk

# On a machine with an NVIDIA GPU: CUDA builds of onnxruntime and XGBoost in place of the
# CPU ones (same import names, so the CPU ones go first). Repeat after `make install`.
install-gpu: install
	@$(PY) -m pip uninstall --quiet -y onnxruntime xgboost-cpu
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/gpu.txt

clean:
	rm -rf $(VENV) var
