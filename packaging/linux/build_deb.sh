#!/usr/bin/env bash
# Build the .deb of Klen Desktop from the one-folder build (what packaging/build_linux.sh calls).
#   bash packaging/linux/build_deb.sh BUNDLE SHARE WORK DIST
# BUNDLE: the PyInstaller folder; SHARE: the staged share/ files (menu entry, metainfo, icons, the man page from
# packaging/make_manpage.py); WORK: a scratch
# folder (emptied); DIST: where klen-desktop_<version>-<revision>_<arch>.deb goes. PYTHON= the venv's python.
# The package passes lintian (tests/packaging/test_debian_checks.py): /usr/lib/klen-desktop rather than /opt (Debian
# packages do not install into /opt), a Debian changelog, a DEP-5 copyright file, a man page generated from the
# command line parser, md5sums, root ownership, and an overrides file for what the bundled runtime cannot change.
set -euo pipefail
[ $# -eq 4 ] || { sed -n '3,5p' "$0" >&2; exit 2; }
BUNDLE=$1 SHARE=$2 WORK=$3 DIST=$4
HERE=$(cd "$(dirname "$0")" && pwd)
PACKAGING=$(dirname "$HERE")
PYTHON=${PYTHON:-$(dirname "$PACKAGING")/.venv/bin/python}
APP=klen-desktop
# The package's own revision: raise it for a new .deb of the same app version.
REVISION=1
VERSION=$("$PYTHON" -c 'from importlib.metadata import version; print(version("klen-desktop"))')-$REVISION
ARCH=$(dpkg --print-architecture)
umask 022

root="$WORK/deb"
rm -rf "$root"
mkdir -p "$DIST"
lib="$root/usr/lib/$APP"
doc="$root/usr/share/doc/$APP"
mkdir -p "$root/DEBIAN" "$root/usr/bin" "$root/usr/lib" "$doc" "$root/usr/share/lintian/overrides"
cp -a "$BUNDLE" "$lib"
# Shared libraries are loaded, not run: no execute bit (PyInstaller keeps the one the wheels had).
find "$lib" -type f \( -name '*.so' -o -name '*.so.*' \) -exec chmod 644 {} +
# What Debian's dh_strip also drops: the compilers' version strings in .comment, of no use at run time. objcopy
# keeps every other section, the launcher's "pydata" (its archive of the app's Python code) included.
while IFS= read -r -d '' elf; do
  if readelf -S -W "$elf" 2> /dev/null | grep -q ' \.comment '; then objcopy --remove-section=.comment "$elf"; fi
done < <(find "$lib" -type f \( -name '*.so' -o -name '*.so.*' -o -path "$lib/$APP" \) -print0)
ln -s "../lib/$APP/$APP" "$root/usr/bin/$APP"
cp -r "$SHARE/." "$root/usr/share/"

install -m 644 "$HERE/debian/copyright" "$doc/copyright"
"$PYTHON" "$PACKAGING/debian_changelog.py" "$REVISION" "$doc/changelog.Debian"
# -n: no name or time stamp in the gzip header, so the same input gives the same file.
gzip -9n "$doc/changelog.Debian"
[ -f "$root/usr/share/man/man1/$APP.1.gz" ] || { echo "$SHARE has no man/man1/$APP.1.gz" >&2; exit 1; }
install -m 644 "$HERE/debian/$APP.lintian-overrides" "$root/usr/share/lintian/overrides/$APP"
# Whatever the checkout's modes were: directories 755, files 644 unless executable (then 755).
find "$root" -type d -exec chmod 755 {} +
find "$root" -type f -perm /111 -exec chmod 755 {} +
find "$root" -type f ! -perm /111 -exec chmod 644 {} +

installed_kb=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
# Depends: the system libraries the bundle links to but does not carry (PyInstaller leaves out libc and the
# GL/EGL/Wayland/xcb client libraries on purpose: they must match the host's drivers and server; GLib and Kerberos
# are the host's too, see packaging/platform_spec.py). GTK3 is only for following the desktop theme.
cat > "$root/DEBIAN/control" <<CONTROL
Package: $APP
Version: $VERSION
Architecture: $ARCH
Maintainer: Klen Desktop developers <desktop@klen.ai>
Installed-Size: $installed_kb
Section: utils
Priority: optional
Depends: libc6, libegl1, libgl1, libxcb1, libwayland-client0, libwayland-cursor0, libwayland-egl1, libglib2.0-0t64 | libglib2.0-0, libgssapi-krb5-2
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
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) \
  > "$root/DEBIAN/md5sums"
chmod 644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"
# No maintainer scripts: the desktop database, icon cache and man-db refresh themselves through dpkg triggers.
deb="$DIST/${APP}_${VERSION}_${ARCH}.deb"
rm -f "$DIST/${APP}"_*.deb
# gzip, not xz: 23 s instead of 104 s of CPU here (59 MB instead of 44 MB), and every dpkg reads it.
dpkg-deb --root-owner-group -Zgzip --build "$root" "$deb" > /dev/null
echo "built $deb ($(du -h "$deb" | cut -f1))"
