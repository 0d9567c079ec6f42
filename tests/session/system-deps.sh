#!/usr/bin/env bash
# Debian packages the app (`run`) or the test session (`test`) needs. As root: installs what is missing.
# Otherwise: says what is missing and how to install it, and goes on (the app may still run offscreen).
set -euo pipefail
what=${1:-run}
# Qt's xcb platform plugin needs these beyond what a Debian desktop has; the rest of Qt's libraries are common.
run_pkgs="libegl1 libgl1 libfontconfig1 libfreetype6 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0 libx11-xcb1
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0
  libxcb-xfixes0 libxcb-xkb1 libxcb-sync1 libxcb-shm0 libxcb-glx0 libxcb-util1 fonts-dejavu-core python3-venv"
# at-spi2-core: the accessibility bus that tests/ui/test_accessible_names.py walks as a screen reader does.
# xfce4-notifyd, notification-daemon: the other notification servers of tests/notify/test_notify_servers.py.
# xfce4-panel, xfconf, trayer: the real tray hosts of the legs in tests/session/run-tests.sh.
# weston: the headless Wayland compositor of tests/e2e/test_wayland.py (it brings the libwayland-* Qt's plugin loads).
test_pkgs="xvfb xauth x11-utils dbus dbus-bin libglib2.0-bin dunst gnome-keyring libsecret-tools xdotool
  imagemagick procps desktop-file-utils appstream shellcheck binutils patchelf libgtk-3-0 lintian groff-base man-db
  at-spi2-core xfce4-notifyd notification-daemon weston xfce4-panel xfconf trayer locales"
pkgs=$run_pkgs
[ "$what" = test ] && pkgs="$run_pkgs $test_pkgs"

# The locales whose date shapes tests/i18n reads (day first or month first, 12 or 24 hours), generated as root.
test_locales="de_DE.UTF-8 en_US.UTF-8"
generate_locales() {
  [ "$what" = test ] && [ "$(id -u)" -eq 0 ] && command -v locale-gen > /dev/null || return 0
  local wanted=()
  for l in $test_locales; do
    locale -a 2> /dev/null | grep -qix "${l/UTF-8/utf8}" || wanted+=("$l")
  done
  [ "${#wanted[@]}" -eq 0 ] && return 0
  for l in "${wanted[@]}"; do
    grep -q "^$l UTF-8" /etc/locale.gen 2> /dev/null || echo "$l UTF-8" >> /etc/locale.gen
  done
  locale-gen > /dev/null
}

command -v dpkg-query > /dev/null || { echo "not a Debian-like system: install the equivalents of: $pkgs" >&2; exit 0; }
missing=()
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && { generate_locales; exit 0; }
if [ "$(id -u)" -eq 0 ]; then
  echo "== installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
  generate_locales
else
  echo "missing Debian packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install ${missing[*]}" >&2
  [ "$what" = test ] && { echo "the test session cannot start without them" >&2; exit 1; }
fi
exit 0
