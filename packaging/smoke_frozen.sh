#!/usr/bin/env bash
# Smoke-test a frozen (or installed) Klen Desktop binary: `--version`, then `--smoke` offscreen with the demo
# calendar, then, when a desktop session is there (DISPLAY and DBUS_SESSION_BUS_ADDRESS set, as in `make test`),
# `--smoke` on xcb without --demo: the app asks the Secret Service for a key, finds none, starts demo mode and
# must see the system tray (tray=True), send a notification the session's notification server takes
# (notify=sent) and round-trip a throw-away secret through the Secret Service (keyring=ok). `--smoke` is the
# normal start (single instance included) plus every window opened once and an ICS file saved (windows=ok ics=ok).
# Usage: bash packaging/smoke_frozen.sh [BINARY]      (default: dist/klen-desktop/klen-desktop)
# Exit 0 when every check passed; prints one `ok:` or `FAIL:` line per check.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-dist/klen-desktop/klen-desktop}
[ -x "$BIN" ] || { echo "FAIL: $BIN is not an executable (build it with: make package)" >&2; exit 1; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failed=0

field() {  # field NAME FILE: the value of NAME=... on the SMOKE line
  sed -n 's/^SMOKE .*\b'"$1"'=\([^ ]*\).*/\1/p' "$2" | head -n 1
}

smoke() {  # smoke LABEL PLATFORM WANT_TRAY WANT_SESSION [ARGS...]: one --smoke run with a fresh data folder
  # WANT_SESSION non-empty: the desktop session's services must work too (notify=sent keyring=ok).
  local label=$1 platform=$2 want_tray=$3 want_session=$4
  shift 4
  local out="$scratch/$label.out" err="$scratch/$label.err" rc=0 t0 t1
  t0=$(date +%s%N)
  mkdir -m 700 "$scratch/$label-run"
  env QT_QPA_PLATFORM="$platform" XDG_DATA_HOME="$scratch/$label-data" XDG_CONFIG_HOME="$scratch/$label-config" \
    XDG_RUNTIME_DIR="$scratch/$label-run" timeout 90 "$BIN" --smoke "$@" > "$out" 2> "$err" || rc=$?
  t1=$(date +%s%N)
  local ms=$(( (t1 - t0) / 1000000 ))
  local events mode error tray notify keyring windows ics
  events=$(field events "$out"); mode=$(field mode "$out"); error=$(field error "$out"); tray=$(field tray "$out")
  notify=$(field notify "$out"); keyring=$(field keyring "$out"); windows=$(field windows "$out"); ics=$(field ics "$out")
  if [ "$rc" -eq 0 ] && [ "$mode" = demo ] && [ "$error" = none ] && [ "${events:-0}" -gt 0 ] \
    && [ "$windows" = ok ] && [ "$ics" = ok ] \
    && [ -n "$notify" ] && [ -n "$keyring" ] \
    && { [ -z "$want_tray" ] || [ "$tray" = "$want_tray" ]; } \
    && { [ -z "$want_session" ] || { [ "$notify" = sent ] && [ "$keyring" = ok ]; }; }; then
    echo "ok: $label: $(grep '^SMOKE ' "$out") (${ms} ms)"
  else
    echo "FAIL: $label: exit $rc, stdout: $(cat "$out")" >&2
    sed 's/^/  stderr: /' "$err" | tail -n 20 >&2
    failed=1
  fi
}

version=$("$BIN" --version)
case $version in
  "Klen Desktop "*) echo "ok: --version: $version" ;;
  *) echo "FAIL: --version printed: $version" >&2; failed=1 ;;
esac

smoke offscreen offscreen "" "" --demo
if [ -n "${DISPLAY:-}" ] && [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
  smoke xcb-session xcb True session
else
  echo "skipped: xcb check (no desktop session: DISPLAY or DBUS_SESSION_BUS_ADDRESS unset)"
fi
exit "$failed"
