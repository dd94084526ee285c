# The two set-up commands are `make demo` and `make test`; each creates .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.cdw-installed
WORKDIR ?= demo-out

.PHONY: demo test lint bench bench-full bench-instructions bench-scale clean

# One line per step, so a first run (a couple of minutes of quiet pip) says what it is doing.
$(STAMP): pyproject.toml
	@echo "make: creating the virtual environment $(VENV) (first run only) ..."
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "make: upgrading pip in $(VENV) ..."
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "make: installing cdw-datahub, acryl-datahub, the database drivers and the test tools into $(VENV) (1-3 minutes) ..."
	@$(BIN)/python -m pip install --quiet -e '.[test,mysql,mssql,oracle]'
	@touch $(STAMP)
	@echo "make: $(VENV) is ready"

demo: $(STAMP)
	@echo "make: running $(BIN)/cdw-datahub demo --workdir $(WORKDIR)"
	@$(BIN)/cdw-datahub demo --workdir $(WORKDIR)

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

# instruction counts (valgrind) at 300 and 1,000 tables, wall-clock medians beside them (long)
bench-instructions: $(STAMP)
	$(BIN)/python -m benchmarks.instructions --sizes 300,1000

# 1,000 and 10,000 tables through the embedded path and `bucp export` (long; not in CI)
bench-scale: $(STAMP)
	nice $(BIN)/python -m benchmarks.scale --sizes 1000,10000

clean:
	rm -rf $(WORKDIR) benchmarks/out .pytest_cache .mypy_cache .ruff_cache
