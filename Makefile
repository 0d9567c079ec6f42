# Klen Desktop. The two commands that matter: `make run` (the app) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READ_ONLY_STDLIB_PYCACHE := import os, sysconfig; print("" if os.access(sysconfig.get_paths()["stdlib"], os.W_OK) else "$(abspath $(VENV))/pycache")

.PHONY: run test ci lint bench soak fuzz emulator package screenshots translations venv venv-dev clean

## Start the app (demo mode against the built-in emulator when no API key is stored).
run: venv
	@bash tests/session/system-deps.sh run
	@$(BIN)/python packaging/translations.py compile > /dev/null
	@# -OO: APP_PYTHON_OPTIONS in klen_desktop/autostart.py. A system Python's own library is read-only to a user:
	@# its optimized bytecode is then kept in the venv rather than compiled again at every start.
	@echo '$(BIN)/python -OO -m klen_desktop $(ARGS)'
	@PYTHONPYCACHEPREFIX=$$($(BIN)/python -c '$(READ_ONLY_STDLIB_PYCACHE)') $(BIN)/python -OO -m klen_desktop $(ARGS)

## The whole test suite in a throw-away desktop session (installs Debian packages when root).
test:
	bash tests/session/run-tests.sh $(ARGS)

ci: test

## ruff, formatting, mypy --strict and the layer contracts, without the desktop session.
lint: venv-dev
	$(BIN)/ruff check klen_desktop tests packaging
	$(BIN)/ruff format --check klen_desktop tests packaging
	$(BIN)/mypy --strict klen_desktop packaging/platform_spec.py packaging/build_icons.py packaging/measure_startup.py packaging/bundle_runpaths.py packaging/make_manpage.py packaging/debian_changelog.py packaging/translations.py
	$(BIN)/lint-imports --no-cache

## Benchmarks (scripts, not tests); figures are recorded in the README.
bench: venv-dev
	@for b in tests/benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

## The fault soak at full strength (200 edits, 200 server changes, latency up to 2 s; 10-15 minutes).
soak: venv-dev
	$(BIN)/python tests/benchmarks/bench_soak.py $(ARGS)

## Long fuzz run: the CI fuzz properties with KLEN_FUZZ_EXAMPLES=20000 (or ARGS=N) examples each.
fuzz: venv-dev
	bash tests/fuzz/run_fuzz.sh $(ARGS)

## Screenshots of every window, light and dark, at 100 % and 200 % scale, into DIR (default /tmp/klen-screenshots).
screenshots: venv-dev
	bash tests/session/screenshots.sh $(DIR)

## The Klen API emulator on 127.0.0.1:8765 with the demo calendar, for curl and manual testing.
emulator: venv
	$(BIN)/python -m klen_desktop.emulator --port 8765 --seed demo $(ARGS)

## Every language's catalog brought up to date with the code (new messages added empty), then compiled (.mo).
translations: venv
	$(BIN)/python packaging/translations.py update
	$(BIN)/python packaging/translations.py compile

## Linux artefacts in dist/: the one-folder build, a .deb and a tarball with install.sh (packaging/build_linux.sh).
package: venv-dev
	bash packaging/build_linux.sh

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@ $(VENV)/.installed-run

venv: $(VENV)/.installed-run
venv-dev: $(VENV)/.installed-dev

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache
