#!/usr/bin/env bash
# Remove a Klen Desktop installed by install.sh.
#   PREFIX/lib/klen-desktop/uninstall.sh       the installed copy knows its prefix
#   ./uninstall.sh [--user | --system | --prefix DIR]   from the unpacked tarball (same defaults as install.sh)
# Removes exactly the files install.sh listed in its manifest, the app folder, and the user's autostart entry
# when it starts this install. Your calendar cache and settings stay (delete ~/.local/share/klen-desktop and
# ~/.config/klen-desktop to remove them too); the API key stays in the system keyring.
set -euo pipefail
APP=klen-desktop
HERE=$(cd "$(dirname "$0")" && pwd)
quiet=0
prefix=""
if [ -f "$HERE/install-manifest.txt" ]; then prefix=$(cd "$HERE/../.." && pwd); fi
while [ $# -gt 0 ]; do
  case $1 in
    --user) prefix="$HOME/.local" ;;
    --system) prefix=/usr/local ;;
    --prefix) [ $# -ge 2 ] || { echo "--prefix needs a folder" >&2; exit 2; }; prefix=$2; shift ;;
    --quiet) quiet=1 ;;
    -h | --help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [ -z "$prefix" ]; then
  if [ "$(id -u)" -eq 0 ]; then prefix=/usr/local; else prefix="$HOME/.local"; fi
fi
libdir="$prefix/lib/$APP"
manifest="$libdir/install-manifest.txt"
[ -f "$manifest" ] || { echo "no Klen Desktop installed in $prefix (no $manifest)" >&2; exit 1; }

while IFS= read -r path; do
  case $path in
    "$prefix"/*) rm -f -- "$path" ;;
    *) echo "skipping $path: not under $prefix" >&2 ;;
  esac
  # Drop the folders the install created and left empty (icon size folders), never the prefix's own ones.
  dir=$(dirname -- "$path")
  while [ "$dir" != "$prefix" ] && [ "${dir#"$prefix"/share/icons/hicolor/}" != "$dir" ] && rmdir -- "$dir" 2> /dev/null; do
    dir=$(dirname -- "$dir")
  done
done < "$manifest"
rm -rf -- "$libdir"

autostart="${XDG_CONFIG_HOME:-$HOME/.config}/autostart/$APP.desktop"
if [ -f "$autostart" ] && grep -q "^Exec=$prefix/" "$autostart"; then
  rm -f -- "$autostart"
fi

if [ -f "$prefix/share/icons/hicolor/icon-theme.cache" ] && command -v gtk-update-icon-cache > /dev/null; then
  gtk-update-icon-cache -q -t -f "$prefix/share/icons/hicolor" || true
fi
[ "$quiet" -eq 1 ] || echo "Klen Desktop removed from $prefix"
