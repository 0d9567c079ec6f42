#!/usr/bin/env bash
# Start a throw-away desktop session for the tests: Xvfb, a session D-Bus, an unlocked gnome-keyring, dunst and a
# tray host (TRAY_HOST=watcher, the default, or xfce, trayer, none: see tray-host.sh). Writes $SESSION_DIR/env (source it) and $SESSION_DIR/pids (for session-down.sh).
# Usage: SESSION_DIR=$(mktemp -d) PY=.venv/bin/python bash tests/session/session-up.sh && . "$SESSION_DIR/env"
set -euo pipefail
: "${SESSION_DIR:?set SESSION_DIR to an empty directory}"
PY=${PY:-python3}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$SESSION_DIR"/{home,run,data,config,cache,logs}
chmod 700 "$SESSION_DIR/run"
export HOME="$SESSION_DIR/home" XDG_RUNTIME_DIR="$SESSION_DIR/run" XDG_DATA_HOME="$SESSION_DIR/data" \
       XDG_CONFIG_HOME="$SESSION_DIR/config" XDG_CACHE_HOME="$SESSION_DIR/cache" NO_AT_BRIDGE=1
pids="$SESSION_DIR/pids"; : > "$pids"
L="$SESSION_DIR/logs"

# 1. X server, on the first free display number (a developer may already run one on :99)
DISP=${DISP:-}
if [ -z "$DISP" ]; then
  for n in $(seq 99 140); do
    [ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ] || { DISP=":$n"; break; }
  done
fi
Xvfb "$DISP" -screen 0 1280x800x24 -nolisten tcp -noreset > "$L/xvfb.log" 2>&1 &
echo $! >> "$pids"
for _ in $(seq 200); do xdpyinfo -display "$DISP" > /dev/null 2>&1 && break; sleep 0.05; done
xdpyinfo -display "$DISP" > /dev/null          # fail loudly if Xvfb did not come up
export DISPLAY="$DISP"

# 2. session bus, started after DISPLAY is exported so bus-activated services inherit it
out=$(dbus-daemon --session --fork --nopidfile --address="unix:path=$XDG_RUNTIME_DIR/bus" --print-address=1 --print-pid=1)
DBUS_SESSION_BUS_ADDRESS=$(echo "$out" | sed -n 1p)
export DBUS_SESSION_BUS_ADDRESS
echo "$out" | sed -n 2p >> "$pids"

# 3. gnome-keyring, unlocked before any keyring call (a locked one hangs on a GTK prompt under a display)
echo -n "${KEYRING_PASSWORD:-klen-test-keyring}" | gnome-keyring-daemon --unlock --components=secrets \
  > "$L/gkd.out" 2> "$L/gkd.err"
gdbus wait --session --timeout 10 org.freedesktop.secrets
# It daemonizes itself: its pid is asked of this session's bus (the newest such process could be another
# session's, whose keyring session-down would then kill, leaving that session a locked one started on demand).
gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
  --method org.freedesktop.DBus.GetConnectionUnixProcessID org.freedesktop.secrets \
  | sed -n 's/.*uint32 \([0-9]*\).*/\1/p' >> "$pids"

# 4. dunst; its 'dmenu' is a stand-in that answers with the menu line matching $SESSION_DIR/dunst-pick
mkdir -p "$XDG_CONFIG_HOME/dunst"
cat > "$SESSION_DIR/fake-dmenu" <<EOS
#!/bin/sh
tee "$SESSION_DIR/dunst-menu.txt" | grep -m1 -e "\$(cat "$SESSION_DIR/dunst-pick" 2>/dev/null || echo .)"
EOS
chmod +x "$SESSION_DIR/fake-dmenu"
# Notifications stay until closed (timeout 0), so tests can find them; with the age shown on each after a minute,
# dunst redrew every one every second, up to half a core of this 2-core machine by the end of a run: no age.
cat > "$XDG_CONFIG_HOME/dunst/dunstrc" <<EOS
[global]
    font = DejaVu Sans 10
    dmenu = $SESSION_DIR/fake-dmenu
    mouse_left_click = do_action, close_current
    show_age_threshold = -1
[urgency_low]
    timeout = 0
[urgency_normal]
    timeout = 0
[urgency_critical]
    timeout = 0
EOS
dunst -config "$XDG_CONFIG_HOME/dunst/dunstrc" > "$L/dunst.log" 2>&1 &
echo $! >> "$pids"
gdbus wait --session --timeout 10 org.freedesktop.Notifications

cat > "$SESSION_DIR/env" <<EOS
export HOME="$HOME" XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR" XDG_DATA_HOME="$XDG_DATA_HOME" XDG_CONFIG_HOME="$XDG_CONFIG_HOME" XDG_CACHE_HOME="$XDG_CACHE_HOME"
export NO_AT_BRIDGE=1 DISPLAY="$DISPLAY" DBUS_SESSION_BUS_ADDRESS="$DBUS_SESSION_BUS_ADDRESS" SESSION_DIR="$SESSION_DIR"
EOS

# 5. the tray host: by default the self-made StatusNotifierWatcher, so QSystemTrayIcon takes the D-Bus (SNI)
# tray path on xcb; TRAY_HOST=xfce|trayer|none puts a real one there instead (tray-host.sh swaps it later).
PY="$PY" bash "$HERE/tray-host.sh" "${TRAY_HOST:-watcher}"
echo "session up: DISPLAY=$DISPLAY pids=$(tr '\n' ' ' < "$pids") tray host: ${TRAY_HOST:-watcher}"
