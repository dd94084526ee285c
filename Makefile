# The two set-up commands are `make demo` and `make test`; each creates .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.cdw-installed
WORKDIR ?= demo-out

.PHONY: demo test lint bench bench-full clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,mysql,mssql,oracle]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/cdw-datahub demo --workdir $(WORKDIR)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run --size quick

bench-full: $(STAMP)
	$(BIN)/python -m benchmarks.run --size full

clean:
	rm -rf $(WORKDIR) benchmarks/out .pytest_cache .mypy_cache .ruff_cache
