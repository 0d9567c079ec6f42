#!/usr/bin/env bash
# Build the Linux artefacts of Klen Desktop (what `make package` runs):
#   dist/klen-desktop/                                the one-folder PyInstaller build
#   dist/klen-desktop_<version>-<revision>_<arch>.deb  installs to /usr/lib/klen-desktop, /usr/bin, /usr/share
#                                                     (packaging/linux/build_deb.sh; lintian-clean)
#   dist/klen-desktop-<version>-linux-<machine>.tar.gz  with install.sh / uninstall.sh (user or system prefix)
# Usage: bash packaging/build_linux.sh   (.venv/bin/python; PYTHON=, DIST= and BUILD= override the folders)
# Needs: the dev extra installed (PyInstaller, Pillow), patchelf and readelf (binutils), dpkg-deb for the .deb
# (skipped with a note without it).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
DIST=${DIST:-$ROOT/dist}
# Intermediate files: a DIST of its own (a test's temp folder) gets its own build folder beside it, so a test
# build never shares PyInstaller's work folder with a `make package` running at the same time.
if [ -z "${BUILD:-}" ]; then
  if [ "$DIST" = "$ROOT/dist" ]; then BUILD=$ROOT/build; else BUILD=$DIST.build; fi
fi
WORK=$BUILD/package
APP=klen-desktop

VERSION=$("$PYTHON" -c 'from importlib.metadata import version; print(version("klen-desktop"))')
MACHINE=$(uname -m)
started=$(date +%s)

echo "== icons"
"$PYTHON" packaging/build_icons.py "$BUILD/icons"

echo "== message catalogs"
"$PYTHON" packaging/translations.py compile

echo "== PyInstaller one-folder build of $APP $VERSION"
rm -rf "${DIST:?}/$APP"
"$PYTHON" -m PyInstaller --noconfirm --log-level WARN --distpath "$DIST" --workpath "$BUILD/pyinstaller" \
  packaging/klen-desktop.spec
bundle="$DIST/$APP"
[ -x "$bundle/$APP" ] || { echo "PyInstaller produced no $bundle/$APP" >&2; exit 1; }
# libpython and Python's extension modules come with the RUNPATH of the Python they were built for, a folder of
# this machine: remove every search path that leaves the bundle.
command -v patchelf > /dev/null || { echo "patchelf is needed (apt-get install patchelf)" >&2; exit 1; }
"$PYTHON" packaging/bundle_runpaths.py fix "$bundle"
# The notification icon when the app's icon is not installed in the icon theme (the bundle run from its folder).
install -m 644 "$BUILD/icons/hicolor/128x128/apps/$APP.png" "$bundle/_internal/resources/icons/$APP.png"
echo "bundle: $(du -sb "$bundle" | cut -f1) bytes, $(find "$bundle" -type f | wc -l) files"

# The desktop integration files and the man page, laid out as under a prefix's share/ folder (for the .deb and the
# tarball).
rm -rf "$WORK"
share="$WORK/share"
install -D -m 644 resources/linux/$APP.desktop "$share/applications/$APP.desktop"
install -D -m 644 resources/linux/ai.klen.desktop.metainfo.xml "$share/metainfo/ai.klen.desktop.metainfo.xml"
mkdir -p "$share/icons" "$share/man/man1" "$DIST"
cp -r "$BUILD/icons/hicolor" "$share/icons/"
# The man page, from the same parser as --help; -n: no name or time stamp in the gzip header (same input, same file).
"$PYTHON" packaging/make_manpage.py "$share/man/man1/$APP.1"
gzip -9n "$share/man/man1/$APP.1"

if command -v dpkg-deb > /dev/null; then
  echo "== .deb"
  PYTHON=$PYTHON bash packaging/linux/build_deb.sh "$bundle" "$share" "$WORK" "$DIST"
else
  echo "dpkg-deb not found: no .deb built (apt-get install dpkg-dev on Debian/Ubuntu)" >&2
fi

echo "== tarball"
name="$APP-$VERSION-linux-$MACHINE"
tree="$WORK/tar/$name"
mkdir -p "$tree"
cp -a "$bundle" "$tree/app"
cp -r "$share" "$tree/share"
install -m 755 packaging/linux/install.sh packaging/linux/uninstall.sh "$tree/"
install -m 644 LICENSE "$tree/LICENSE"
tarball="$DIST/$name.tar.gz"
tar -C "$WORK/tar" --owner=0 --group=0 --numeric-owner -czf "$tarball" "$name"
echo "built $tarball ($(du -h "$tarball" | cut -f1))"
echo "== done in $(( $(date +%s) - started )) s"
