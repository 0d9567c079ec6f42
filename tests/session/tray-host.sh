#!/usr/bin/env bash
# Put one tray host in the running test session, replacing the one there: the leg of the tray matrix to test.
#   watcher  the self-written StatusNotifierWatcher (sni_watcher.py): a bus name and nothing drawn. The main run
#            uses it, as no real host can answer its D-Bus-level tests as quickly.
#   xfce     xfce4-panel with its Status Tray plugin: a real StatusNotifierItem host and XEmbed tray.
#   trayer   trayer: an XEmbed tray only, no watcher on the bus (Qt takes its XEmbed path).
#   none     no tray at all (the app's no-tray mode).
# Usage (with the session's env sourced): bash tests/session/tray-host.sh xfce|trayer|none|watcher
# Its processes are listed in $SESSION_DIR/tray-pids (session-down.sh stops them too); the host's name is
# written to $SESSION_DIR/tray-host for the tests to read.
set -euo pipefail
: "${SESSION_DIR:?source the session env first}"
host=${1:?which tray host: xfce, trayer, none or watcher}
PY=${PY:-python3}
HERE=$(cd "$(dirname "$0")" && pwd)
L="$SESSION_DIR/logs"
pids="$SESSION_DIR/tray-pids"

gone() { ! gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
  --method org.freedesktop.DBus.NameHasOwner "$1" | grep -q true; }
# The process owning a bus name: xfconfd is started by bus activation, so only the bus knows its PID.
owner_pid() { gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
  --method org.freedesktop.DBus.GetConnectionUnixProcessID "$1" 2> /dev/null | sed -n 's/.*uint32 \([0-9]*\).*/\1/p'; }

# 1. stop the host there now, and wait until its names left the bus and its windows the screen
if [ -f "$pids" ]; then
  while read -r pid; do if [ -n "$pid" ]; then kill "$pid" 2> /dev/null || true; fi; done < "$pids"
  while read -r pid; do
    for _ in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
  done < "$pids"
  rm -f "$pids"
fi
for _ in $(seq 50); do gone org.kde.StatusNotifierWatcher && break; sleep 0.1; done
gone org.kde.StatusNotifierWatcher || { echo "a StatusNotifierWatcher is still on the bus" >&2; exit 1; }
: > "$pids"

case "$host" in
  watcher)
    "$PY" "$HERE/sni_watcher.py" > "$L/sni-watcher.log" 2>&1 &
    echo $! >> "$pids"
    gdbus wait --session --timeout 10 org.kde.StatusNotifierWatcher
    ;;
  xfce)
    # One panel along the top edge with only the Status Tray plugin; xfconfd (bus-activated) reads this file.
    conf="$XDG_CONFIG_HOME/xfce4/xfconf/xfce-perchannel-xml"
    mkdir -p "$conf"
    cp "$HERE/xfce4-panel.xml" "$conf/xfce4-panel.xml"
    xfce4-panel --disable-wm-check > "$L/xfce4-panel.log" 2>&1 &
    echo $! >> "$pids"
    gdbus wait --session --timeout 10 org.kde.StatusNotifierWatcher
    owner_pid org.xfce.Xfconf >> "$pids"
    ;;
  trayer)
    # Flat light background (--tint, no transparency) so an icon's pixels are told apart from the panel's.
    trayer --edge top --align left --widthtype pixel --width 240 --height 32 --SetDockType true \
      --transparent false --tint 0xf0f0f0 > "$L/trayer.log" 2>&1 &
    echo $! >> "$pids"
    # It takes the tray selection before it maps its window.
    timeout 10 xdotool search --sync --onlyvisible --class trayer > /dev/null
    ;;
  none) ;;
  *)
    echo "unknown tray host: $host (xfce, trayer, none or watcher)" >&2
    exit 2
    ;;
esac
echo "$host" > "$SESSION_DIR/tray-host"
echo "tray host: $host"
