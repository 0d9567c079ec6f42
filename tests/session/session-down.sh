#!/usr/bin/env bash
# Stop what session-up.sh started, by PID, newest first; SIGKILL what is still there after a grace period.
: "${SESSION_DIR:?}"
# The tray host's processes (tray-host.sh) first, while the bus they leave is still there.
if [ -f "$SESSION_DIR/tray-pids" ]; then
  while read -r pid; do if [ -n "$pid" ]; then kill "$pid" 2> /dev/null || true; fi; done < "$SESSION_DIR/tray-pids"
  rm -f "$SESSION_DIR/tray-pids"
fi
[ -f "$SESSION_DIR/pids" ] || exit 0
tac "$SESSION_DIR/pids" | while read -r pid; do
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
done
for _ in $(seq 20); do
  alive=0
  while read -r pid; do [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && alive=1; done < "$SESSION_DIR/pids"
  [ "$alive" -eq 0 ] && break
  sleep 0.1
done
while read -r pid; do
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
done < "$SESSION_DIR/pids"
rm -f "$SESSION_DIR/pids"
