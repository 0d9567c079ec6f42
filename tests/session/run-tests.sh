#!/usr/bin/env bash
# The whole test suite, as `make test` and CI run it: install what is missing (Debian packages when root), build the
# venv, start a throw-away desktop session, run the linters, the type checker and pytest, and always tear the
# session down. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

bash tests/session/system-deps.sh test
make --no-print-directory venv-dev

export SESSION_DIR
SESSION_DIR=$(mktemp -d /tmp/klen-test-session.XXXXXX)
export PY="$ROOT/.venv/bin/python"
# shellcheck disable=SC2317  # called by the trap
cleanup() { bash "$ROOT/tests/session/session-down.sh"; rm -rf "$SESSION_DIR"; }
trap cleanup EXIT INT TERM

echo "== static checks"
.venv/bin/ruff check klen_desktop tests packaging
.venv/bin/ruff format --check klen_desktop tests packaging
.venv/bin/mypy --strict klen_desktop packaging/platform_spec.py packaging/build_icons.py packaging/measure_startup.py packaging/bundle_runpaths.py packaging/make_manpage.py packaging/debian_changelog.py
shellcheck packaging/*.sh packaging/linux/*.sh packaging/macos/*.sh tests/session/*.sh
.venv/bin/lint-imports --no-cache

echo "== desktop session"
bash tests/session/session-up.sh
# shellcheck disable=SC1091
. "$SESSION_DIR/env"

echo "== pytest"
# The frozen build, its smoke test and the .deb / tarball install are part of the suite (about 2 minutes);
# KLEN_PACKAGING_TESTS=0 skips them for a quicker local run.
export KLEN_PACKAGING_TESTS=${KLEN_PACKAGING_TESTS:-1}
set +e
# The slowest tests are listed at the end: the whole run must stay under CI's 20 minutes.
.venv/bin/python -m pytest --basetemp="$SESSION_DIR/pytest" --durations=25 "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure" >&2
  exit 1
fi
[ "$rc" -eq 0 ] || exit "$rc"

# The tray matrix: the same session with only its tray host replaced, and the tray-host tests on each (a few
# seconds a leg). Skipped when pytest was given a selection of its own.
if [ "$#" -eq 0 ]; then
  for host in xfce trayer none; do
    echo "== tray host: $host"
    bash tests/session/tray-host.sh "$host"
    .venv/bin/python -m pytest --basetemp="$SESSION_DIR/pytest-$host" -q tests/ui/test_tray_hosts.py
  done
fi
