#!/usr/bin/env bash
# Build the Linux artefacts of Klen Desktop (what `make package` runs):
#   dist/klen-desktop/                                the one-folder PyInstaller build
#   dist/klen-desktop_<version>_<arch>.deb            installs to /opt/klen-desktop, /usr/bin, /usr/share
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
if command -v dpkg > /dev/null; then DEB_ARCH=$(dpkg --print-architecture); else DEB_ARCH=$MACHINE; fi
started=$(date +%s)

echo "== icons"
"$PYTHON" packaging/build_icons.py "$BUILD/icons"

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

# The desktop integration files, laid out as under a prefix's share/ folder.
stage_share() {  # stage_share DIR
  local share=$1
  install -D -m 644 resources/linux/$APP.desktop "$share/applications/$APP.desktop"
  install -D -m 644 resources/linux/ai.klen.Desktop.metainfo.xml "$share/metainfo/ai.klen.Desktop.metainfo.xml"
  mkdir -p "$share/icons"
  cp -r "$BUILD/icons/hicolor" "$share/icons/"
}

rm -rf "$WORK"
mkdir -p "$WORK" "$DIST"

if command -v dpkg-deb > /dev/null; then
  echo "== .deb"
  root="$WORK/deb"
  mkdir -p "$root/opt" "$root/usr/bin" "$root/DEBIAN" "$root/usr/share/doc/$APP"
  cp -a "$bundle" "$root/opt/$APP"
  ln -s "/opt/$APP/$APP" "$root/usr/bin/$APP"
  stage_share "$root/usr/share"
  install -m 644 LICENSE "$root/usr/share/doc/$APP/copyright"
  installed_kb=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
  # Depends: the system libraries the bundle links to but does not carry (PyInstaller leaves out libc and
  # the GL/EGL/Wayland/xcb client libraries on purpose: they must match the host's drivers and server; GLib and
  # Kerberos are the host's too, see packaging/platform_spec.py). GTK3 is only for following the desktop theme.
  cat > "$root/DEBIAN/control" <<CONTROL
Package: $APP
Version: $VERSION
Architecture: $DEB_ARCH
Maintainer: Klen Desktop developers <desktop@klen.ai>
Installed-Size: $installed_kb
Section: utils
Priority: optional
Depends: libc6, libegl1, libgl1, libxcb1, libwayland-client0, libwayland-cursor0, libwayland-egl1,
 libglib2.0-0t64 | libglib2.0-0, libgssapi-krb5-2
Recommends: fonts-dejavu-core | fonts-freefont-ttf, libgtk-3-0t64 | libgtk-3-0
Suggests: gnome-keyring
Homepage: https://docs.klen.ai
Description: Klen AI Calendar in the system tray
 Klen Desktop keeps your Klen AI Calendar one click away: the agenda from the
 tray icon, reminders and notifications when an AI agent books, moves or
 cancels an appointment, and quick edits that work offline. The API key is
 kept in the system keyring. A demo mode with a sample calendar needs no
 account.
CONTROL
  # No maintainer scripts: the desktop database and icon cache packages refresh themselves through dpkg
  # triggers on /usr/share/applications and /usr/share/icons/hicolor.
  deb="$DIST/${APP}_${VERSION}_${DEB_ARCH}.deb"
  # gzip, not xz: 23 s instead of 104 s of CPU here (59 MB instead of 44 MB), and every dpkg reads it.
  dpkg-deb --root-owner-group -Zgzip --build "$root" "$deb" > /dev/null
  echo "built $deb ($(du -h "$deb" | cut -f1))"
else
  echo "dpkg-deb not found: no .deb built (apt-get install dpkg-dev on Debian/Ubuntu)" >&2
fi

echo "== tarball"
name="$APP-$VERSION-linux-$MACHINE"
tree="$WORK/tar/$name"
mkdir -p "$tree"
cp -a "$bundle" "$tree/app"
stage_share "$tree/share"
install -m 755 packaging/linux/install.sh packaging/linux/uninstall.sh "$tree/"
install -m 644 LICENSE "$tree/LICENSE"
tarball="$DIST/$name.tar.gz"
tar -C "$WORK/tar" --owner=0 --group=0 --numeric-owner -czf "$tarball" "$name"
echo "built $tarball ($(du -h "$tarball" | cut -f1))"
echo "== done in $(( $(date +%s) - started )) s"
