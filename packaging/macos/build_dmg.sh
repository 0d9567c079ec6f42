#!/usr/bin/env bash
# Build "Klen Desktop.app" (menu bar only: LSUIElement) and pack it into a DMG. Runs on macOS only.
# Usage, from anywhere, with the dev extra installed in .venv (python3 -m venv .venv && .venv/bin/pip install -e '.[dev]'):
#   bash packaging/macos/build_dmg.sh
#   CODESIGN_IDENTITY="Developer ID Application: ..." bash packaging/macos/build_dmg.sh   (signed, hardened runtime)
# Output: dist/klen-desktop-<version>-macos-<arch>.dmg with the app and an Applications link to drag it onto.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(uname -s)" = Darwin ] || { echo "build_dmg.sh builds the macOS app and runs on macOS only" >&2; exit 1; }
PYTHON=${PYTHON:-.venv/bin/python}
APP_NAME="Klen Desktop"
BINARY=klen-desktop
VERSION=$("$PYTHON" -c 'from importlib.metadata import version; print(version("klen-desktop"))')
app="dist/$APP_NAME.app"

echo "== icons and the .app bundle"
"$PYTHON" packaging/build_icons.py build/icons
rm -rf "$app" "dist/$BINARY"
"$PYTHON" -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
  packaging/klen-desktop.spec
[ -x "$app/Contents/MacOS/$BINARY" ] || { echo "PyInstaller produced no $app/Contents/MacOS/$BINARY" >&2; exit 1; }
# A menu-bar app must not show in the Dock: the spec sets LSUIElement; fail loudly if it went missing.
/usr/libexec/PlistBuddy -c "Print :LSUIElement" "$app/Contents/Info.plist" | grep -qx true \
  || { echo "LSUIElement is not true in $app/Contents/Info.plist" >&2; exit 1; }

if [ -n "${CODESIGN_IDENTITY:-}" ]; then
  echo "== signing with $CODESIGN_IDENTITY"
  codesign --force --deep --options runtime --timestamp --sign "$CODESIGN_IDENTITY" "$app"
  codesign --verify --deep --strict "$app"
fi

echo "== smoke test of the bundle"
QT_QPA_PLATFORM=offscreen XDG_DATA_HOME=$(mktemp -d) "$app/Contents/MacOS/$BINARY" --smoke --demo

echo "== DMG"
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
cp -R "$app" "$staging/"
ln -s /Applications "$staging/Applications"
dmg="dist/$BINARY-$VERSION-macos-$(uname -m).dmg"
rm -f "$dmg"
hdiutil create -volname "$APP_NAME $VERSION" -srcfolder "$staging" -fs HFS+ -format UDZO -ov "$dmg"
echo "built $dmg"
