#!/usr/bin/env bash
# Screenshots of every window for a person to look at: light and dark, at 100 % and at 200 % scale (a 1280 x 800
# laptop at 200 % is 640 x 400 logical pixels), in a throw-away desktop session. Usage: screenshots.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
OUT=$(realpath -m "${1:-/tmp/klen-screenshots}")

export SESSION_DIR
SESSION_DIR=$(mktemp -d /tmp/klen-shots-session.XXXXXX)
export PY="$ROOT/.venv/bin/python"
# shellcheck disable=SC2317  # called by the trap
cleanup() { bash "$ROOT/tests/session/session-down.sh"; rm -rf "$SESSION_DIR"; }
trap cleanup EXIT INT TERM
bash tests/session/session-up.sh
# shellcheck disable=SC1091
. "$SESSION_DIR/env"

# The screenshot tests (-k screenshot) at each scale; test_scale_fit adds each window as it opens (-100, -200).
KLEN_SCREENSHOTS="$OUT/100" "$PY" -m pytest -q -p no:randomly --basetemp="$SESSION_DIR/pytest" tests/ui -k screenshot
KLEN_SCREENSHOTS="$OUT/200" QT_SCALE_FACTOR=2 "$PY" -m pytest -q -p no:randomly --basetemp="$SESSION_DIR/pytest" \
  tests/ui -k screenshot
KLEN_SCREENSHOTS="$OUT/200" "$PY" -m pytest -q -p no:randomly --basetemp="$SESSION_DIR/pytest" tests/ui/test_scale_fit.py
echo "screenshots in $OUT/100 and $OUT/200"
