#!/usr/bin/env bash
# Install Klen Desktop from this unpacked tarball.
#   ./install.sh            as a normal user: into ~/.local;  as root: into /usr/local
#   ./install.sh --user     into ~/.local (no root needed)
#   ./install.sh --system   into /usr/local (run as root)
#   ./install.sh --prefix DIR
# Puts the app in PREFIX/lib/klen-desktop, a `klen-desktop` command in PREFIX/bin, and registers the menu entry,
# the icons, the AppStream metadata and the man page under PREFIX/share. A previous install in the same prefix is replaced.
# Remove it again with PREFIX/lib/klen-desktop/uninstall.sh (or ./uninstall.sh with the same option).
set -euo pipefail
APP=klen-desktop
HERE=$(cd "$(dirname "$0")" && pwd)

usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; }
if [ "$(id -u)" -eq 0 ]; then prefix=/usr/local; else prefix="$HOME/.local"; fi
while [ $# -gt 0 ]; do
  case $1 in
    --user) prefix="$HOME/.local" ;;
    --system) prefix=/usr/local ;;
    --prefix) [ $# -ge 2 ] || { echo "--prefix needs a folder" >&2; exit 2; }; prefix=$2; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ -x "$HERE/app/$APP" ] || { echo "$HERE/app/$APP is missing: run install.sh from the unpacked tarball" >&2; exit 1; }
mkdir -p "$prefix" || { echo "cannot create $prefix: for a system install run as root" >&2; exit 1; }
prefix=$(cd "$prefix" && pwd)
[ -w "$prefix" ] || { echo "$prefix is not writable: for a system install run as root, or use --user" >&2; exit 1; }

libdir="$prefix/lib/$APP"
if [ -x "$libdir/uninstall.sh" ]; then
  echo "replacing the Klen Desktop already installed in $prefix"
  "$libdir/uninstall.sh" --quiet
fi

manifest=$(mktemp)
trap 'rm -f "$manifest"' EXIT
place() {  # place SOURCE TARGET MODE: install one file and note it for uninstall.sh
  install -D -m "$3" "$1" "$2"
  echo "$2" >> "$manifest"
}

mkdir -p "$prefix/lib"
cp -a "$HERE/app" "$libdir"
install -m 755 "$HERE/uninstall.sh" "$libdir/uninstall.sh"
mkdir -p "$prefix/bin"
ln -sfn "$libdir/$APP" "$prefix/bin/$APP"
echo "$prefix/bin/$APP" >> "$manifest"

# The menu entry runs the absolute path: ~/.local/bin is not on every desktop session's PATH.
desktop=$(mktemp)
sed -e "s|^Exec=.*|Exec=$prefix/bin/$APP|" -e "s|^TryExec=.*|TryExec=$prefix/bin/$APP|" \
  "$HERE/share/applications/$APP.desktop" > "$desktop"
place "$desktop" "$prefix/share/applications/$APP.desktop" 644
rm -f "$desktop"
place "$HERE/share/metainfo/ai.klen.desktop.metainfo.xml" "$prefix/share/metainfo/ai.klen.desktop.metainfo.xml" 644
# man-db finds PREFIX/share/man by itself when PREFIX/bin is on the PATH (~/.local/bin included).
place "$HERE/share/man/man1/$APP.1.gz" "$prefix/share/man/man1/$APP.1.gz" 644
while IFS= read -r -d '' icon; do
  place "$icon" "$prefix/share/icons/${icon#"$HERE/share/icons/"}" 644
done < <(find "$HERE/share/icons" -type f -print0)
install -m 644 "$manifest" "$libdir/install-manifest.txt"

# Menus pick the entry up by themselves (update-desktop-database only caches MIME types, and the app registers
# none). An icon theme cache, where one exists, must be refreshed or it hides the new icons.
if [ -f "$prefix/share/icons/hicolor/icon-theme.cache" ] && command -v gtk-update-icon-cache > /dev/null; then
  gtk-update-icon-cache -q -t -f "$prefix/share/icons/hicolor" || true
fi
echo "Klen Desktop installed in $prefix: start it from the applications menu or with $prefix/bin/$APP"
echo "to remove it: $libdir/uninstall.sh"
