"""Every per-platform decision of the PyInstaller build, as plain data and pure functions.

``klen-desktop.spec`` only executes what this module decides, so the decisions can be unit-tested on any
system with ``sys.platform`` injected (tests/packaging/test_platform_spec.py). Nothing here imports
PyInstaller or Qt, and nothing runs at import time.

The bundle cut: PyInstaller's PySide6 hook copies every Qt plugin, every translation and the system
libraries those plugins link to. The app needs a handful of them (see ``_PLUGIN_RULES``); the rest are
dropped, and so are the system libraries that only the dropped plugins used (``prune_orphan_libraries``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import PurePosixPath

APP_NAME = "klen-desktop"
DISPLAY_NAME = "Klen Desktop"
BUNDLE_ID = "ai.klen.Desktop"
DISTRIBUTION = "klen-desktop"
#: The languages of klen_desktop/locale (besides English, the source); a new catalog is added here too.
TRANSLATED_LANGUAGES = ("de",)
_CATALOGS = "klen_desktop/locale"

#: (destination in the bundle, source path, PyInstaller type code), as in PyInstaller's TOC lists.
TocEntry = tuple[str, str, str]


class UnsupportedPlatform(ValueError):
    """The build was asked for a platform the app does not ship on; build on Linux, Windows or macOS."""


class Platform(StrEnum):
    LINUX = "linux"
    WINDOWS = "windows"
    MACOS = "macos"


def platform_of(sys_platform: str) -> Platform:
    """Map a ``sys.platform`` value to the platform we build for; raise UnsupportedPlatform otherwise."""
    if sys_platform.startswith("linux"):
        return Platform.LINUX
    if sys_platform in ("win32", "cygwin"):
        return Platform.WINDOWS
    if sys_platform == "darwin":
        return Platform.MACOS
    raise UnsupportedPlatform(
        f"cannot build Klen Desktop for sys.platform={sys_platform!r}: the spec knows Linux, Windows and macOS"
    )


@dataclass(frozen=True)
class PluginRule:
    """Which files of one Qt plugin folder to keep: all of them, or those whose stem starts with a prefix."""

    keep_all: bool = False
    prefixes: tuple[str, ...] = ()

    def keeps(self, stem: str) -> bool:
        return self.keep_all or stem.startswith(self.prefixes)


_KEEP_ALL = PluginRule(keep_all=True)

# Plugin folders the app uses. Any folder not named here (tls, networkinformation, generic input devices,
# eglfs device integrations, sql drivers, ...) is dropped whole.
_PLUGIN_RULES: Mapping[Platform, Mapping[str, PluginRule]] = {
    Platform.LINUX: {
        # X11 and Wayland desktops, plus offscreen for --smoke in CI.
        "platforms": PluginRule(prefixes=("qxcb", "qwayland", "qoffscreen")),
        # The same theme plugins the unfrozen app loads, so the frozen one follows the desktop's colours (dark
        # or light) too: GTK3 on GNOME-like desktops, the portal elsewhere. GTK3 itself is the host's (see
        # _HOST_LIBRARY), as a theme plugin must use the desktop's own GTK and its theme.
        "platformthemes": PluginRule(prefixes=("qgtk3", "qxdgdesktopportal")),
        # QNetworkInformation: a sync at once when the network comes back (NetworkManager, or GLib's monitor).
        "networkinformation": _KEEP_ALL,
        "platforminputcontexts": _KEEP_ALL,  # compose keys and IBus: typing accents and CJK in the editor
        "xcbglintegrations": _KEEP_ALL,
        "wayland-shell-integration": _KEEP_ALL,
        "wayland-decoration-client": _KEEP_ALL,
        "wayland-graphics-integration-client": _KEEP_ALL,
        "imageformats": PluginRule(prefixes=("qsvg", "qico")),
        "iconengines": _KEEP_ALL,
    },
    Platform.WINDOWS: {
        "platforms": PluginRule(prefixes=("qwindows", "qoffscreen")),
        "networkinformation": _KEEP_ALL,
        "styles": _KEEP_ALL,
        "imageformats": PluginRule(prefixes=("qsvg", "qico")),
        "iconengines": _KEEP_ALL,
    },
    Platform.MACOS: {
        "platforms": PluginRule(prefixes=("qcocoa", "qoffscreen")),
        "networkinformation": _KEEP_ALL,
        "styles": _KEEP_ALL,
        "imageformats": PluginRule(prefixes=("qsvg", "qico")),
        "iconengines": _KEEP_ALL,
    },
}

# Qt libraries that only dropped plugins load. QtNetwork stays: the single-instance socket (QLocalServer) and
# the network-status backends use it.
_DROPPED_QT_LIBRARY = re.compile(r"(Qt6?EglFSDeviceIntegration|Qt6?EglFsKmsSupport)", re.IGNORECASE)

# System libraries taken from the host, never bundled. The GTK3 stack the gtk3 theme plugin links to: a bundled
# copy would draw the build machine's GTK against the user's theme and modules (without the host's GTK the plugin
# does not load and Qt falls back to its default theme). GLib, which GTK, Qt's event loop and the network-status
# plugin share, so that the host's GTK never meets an older GLib of the build machine. Kerberos, which QtNetwork
# links for network logins the app never makes. Every Linux desktop has all three; the .deb depends on them.
_HOST_LIBRARY = re.compile(
    r"^lib(gtk-3|gdk-3|gdk_pixbuf-2\.0|pango-1\.0|pangocairo-1\.0|pangoft2-1\.0|harfbuzz|atk-1\.0|atk-bridge-2\.0"
    r"|atspi|cairo|cairo-gobject|epoxy"
    r"|glib-2\.0|gobject-2\.0|gio-2\.0|gmodule-2\.0|gthread-2\.0"
    r"|gssapi_krb5|krb5|k5crypto|krb5support)\.so"
)

_COMMON_EXCLUDES = (
    # Development tools a dev venv holds and some hook reaches for (pydantic's mypy plugin, hypothesis).
    "mypy",
    "hypothesis",
    "pytest",
    "_pytest",
    "pytestqt",
    "PyInstaller",
    "setuptools",
    "pip",
    "importlinter",
    "grimp",
    "ast_serialize",
    # Pillow writes .ico/.icns at build time only.
    "PIL",
    "tkinter",
    "_tkinter",
)

_KEYRING_BACKENDS: Mapping[Platform, tuple[str, ...]] = {
    Platform.LINUX: ("keyring.backends.SecretService",),
    Platform.WINDOWS: ("keyring.backends.Windows",),
    Platform.MACOS: ("keyring.backends.macOS", "keyring.backends.macOS.api"),
}

# Packages whose submodules are imported by name at run time, out of PyInstaller's sight.
_SHARED_SUBMODULES = (
    "dateparser.data.date_translation_data.en",
    "desktop_notifier",
    "uvicorn.loops",
    "uvicorn.protocols",
    "uvicorn.lifespan",
)
_COLLECT_SUBMODULES: Mapping[Platform, tuple[str, ...]] = {
    # uvicorn picks its loop, protocol and lifespan implementations from strings; the demo emulator runs on it.
    # dateparser (quick add) imports its language data by name; quick add reads English only, so the other 206
    # languages' tables (3 MB) stay out. python-xlib (global shortcuts on X11) loads its protocol extensions and
    # connection support by name.
    Platform.LINUX: (*_SHARED_SUBMODULES, "dbus_fast", "Xlib"),
    Platform.WINDOWS: (*_SHARED_SUBMODULES, "winrt"),
    Platform.MACOS: (*_SHARED_SUBMODULES, "rubicon"),
}

_ICON_FILE: Mapping[Platform, str | None] = {
    Platform.LINUX: None,  # Linux takes the icon from the installed hicolor theme, not from the binary
    Platform.WINDOWS: "klen-desktop.ico",
    Platform.MACOS: "klen-desktop.icns",
}


@dataclass(frozen=True)
class BundlePlan:
    """What the spec builds for one platform. Paths are relative to the repository root."""

    platform: Platform
    version: str
    entry_script: str = "klen_desktop/__main__.py"
    name: str = APP_NAME
    hidden_imports: tuple[str, ...] = ()
    collect_submodules: tuple[str, ...] = ()
    #: Packages whose data files are needed (desktop-notifier's resources, the time zone database, ...).
    collect_data: tuple[str, ...] = ()
    #: Distributions whose metadata must be in the bundle (keyring finds its backends through entry points;
    #: the version comes from our own metadata).
    copy_metadata: tuple[str, ...] = ()
    #: (source, destination folder in the bundle) pairs of our own files.
    datas: tuple[tuple[str, str], ...] = ()
    excludes: tuple[str, ...] = ()
    #: File name of the icon inside the generated icon folder, or None when the platform takes none.
    icon: str | None = None
    #: True: a console program (Linux: the same binary serves the menu entry and ``--smoke`` in a terminal).
    console: bool = True
    #: True on macOS: wrap the one-folder build in a ``.app`` bundle.
    app_bundle: bool = False
    #: Strip debug symbols from the binaries (Linux only: it would break macOS code signatures, and Windows
    #: DLLs carry none). libpython alone shrinks from 23 MB to 6 MB.
    strip: bool = False
    #: Prune system libraries no kept binary links to (ELF only; the Windows and macOS layouts differ).
    prune_orphans: bool = False
    plugin_rules: Mapping[str, PluginRule] = field(default_factory=dict)
    info_plist: Mapping[str, object] = field(default_factory=dict)
    #: The languages the app is translated into: Qt's own catalog of each (``qtbase_de.qm``, the standard
    #: buttons and context menus) is kept, every other Qt translation dropped.
    qt_languages: tuple[str, ...] = ()
    #: The bytecode optimization level of the bundled Python code (and the interpreter's ``-O`` options to match):
    #: 2 drops docstrings and asserts, as ``APP_PYTHON_OPTIONS`` does for the unfrozen app. Linux only, where the
    #: frozen build is tested (tests/packaging/test_frozen_build.py). Windows keeps 0: with cffi collected,
    #: win32ctypes (the keyring's Windows backend) parses C declarations with pycparser, whose grammar is in
    #: docstrings; macOS keeps 0 until its bundle is tested the same way.
    optimize: int = 0


def mac_info_plist(version: str) -> dict[str, object]:
    """Info.plist keys of the ``.app``: ``LSUIElement`` keeps the app in the menu bar only (no Dock icon)."""
    return {
        "CFBundleName": DISPLAY_NAME,
        "CFBundleDisplayName": DISPLAY_NAME,
        "CFBundleIdentifier": BUNDLE_ID,
        "CFBundleShortVersionString": version,
        "CFBundleVersion": version,
        "LSUIElement": True,
        "LSMinimumSystemVersion": "12.0",
        "NSHighResolutionCapable": True,
        # desktop-notifier asks for notification permission on first use; macOS shows this text.
        "NSUserNotificationAlertStyle": "alert",
    }


def bundle_plan(sys_platform: str, version: str) -> BundlePlan:
    """The build for ``sys_platform`` (a ``sys.platform`` value) of the app at ``version``."""
    target = platform_of(sys_platform)
    datas: list[tuple[str, str]] = [
        ("klen_desktop/emulator/DECISIONS.md", "klen_desktop/emulator"),
        ("resources/icons/klen-desktop.svg", "resources/icons"),
        ("resources/icons/klen-desktop-tray-on-light.svg", "resources/icons"),
        ("resources/icons/klen-desktop-tray-on-dark.svg", "resources/icons"),
    ]
    # The app's message catalogs, compiled by build_linux.sh (packaging/translations.py compile) just before.
    datas += [
        (f"{_CATALOGS}/{language}/LC_MESSAGES/klen_desktop.mo", f"{_CATALOGS}/{language}/LC_MESSAGES")
        for language in TRANSLATED_LANGUAGES
    ]
    return BundlePlan(
        platform=target,
        version=version,
        hidden_imports=(
            "keyring.backends.chainer",
            "keyring.backends.fail",
            "keyring.backends.null",
            *_KEYRING_BACKENDS[target],
        ),
        collect_submodules=_COLLECT_SUBMODULES[target],
        collect_data=("desktop_notifier", "tzdata", "icalendar"),
        copy_metadata=(DISTRIBUTION, "keyring", "desktop-notifier"),
        datas=tuple(datas),
        excludes=_COMMON_EXCLUDES,
        icon=_ICON_FILE[target],
        # Windows: no console window behind the tray app. macOS: the .app is started by Finder.
        console=target is Platform.LINUX,
        app_bundle=target is Platform.MACOS,
        strip=target is Platform.LINUX,
        prune_orphans=target is Platform.LINUX,
        plugin_rules=_PLUGIN_RULES[target],
        info_plist=mac_info_plist(version) if target is Platform.MACOS else {},
        qt_languages=TRANSLATED_LANGUAGES,
        optimize=2 if target is Platform.LINUX else 0,
    )


def _stem(file_name: str) -> str:
    stem = file_name.split(".", 1)[0]
    return stem[3:] if stem.startswith("lib") else stem


def keep_in_bundle(plan: BundlePlan, dest: str) -> bool:
    """False for a bundle file the app does not use (a Qt translation, a Qt plugin outside the plan's rules,
    a Qt library only those load) or must take from the host (the GTK3 stack). Every other file is kept."""
    posix = dest.replace("\\", "/")
    if _DROPPED_QT_LIBRARY.search(posix) or _HOST_LIBRARY.match(posix):
        return False
    parts = PurePosixPath(posix).parts
    if "PySide6" not in parts:
        return True
    inner = parts[parts.index("PySide6") + 1 :]
    if "translations" in inner:
        return any(inner[-1] == f"qtbase_{language}.qm" for language in plan.qt_languages)
    if "plugins" in inner:
        at = inner.index("plugins")
        if len(inner) < at + 3:
            return True
        rule = plan.plugin_rules.get(inner[at + 1])
        return rule is not None and rule.keeps(_stem(inner[-1]))
    return True


def filter_toc(plan: BundlePlan, entries: Iterable[TocEntry]) -> list[TocEntry]:
    """The entries :func:`keep_in_bundle` keeps, in their order."""
    return [entry for entry in entries if keep_in_bundle(plan, entry[0])]


def _is_system_library(entry: TocEntry) -> bool:
    dest, src, typecode = entry
    # Libraries PyInstaller copied from the system next to the executable because some binary links them.
    # libpython is loaded by the bootloader, which no TOC entry represents, so it is never an orphan.
    return (
        typecode == "BINARY"
        and "/" not in dest.replace("\\", "/")
        and src.startswith(("/lib", "/usr/lib", "/usr/local/lib"))
        and not dest.startswith("libpython")
    )


def prune_orphan_libraries(entries: Sequence[TocEntry], imports_of: Callable[[str], Iterable[str]]) -> list[TocEntry]:
    """Drop system libraries no other kept binary needs, directly or through other system libraries.

    ``imports_of(src)`` returns the library names (sonames) the binary at ``src`` links to. Binaries that are
    not system libraries (Python extensions, Qt, plugins) are the roots; a system library is kept when a root
    reaches it.
    """
    system = {entry[0]: entry for entry in entries if _is_system_library(entry)}
    roots = [entry for entry in entries if entry[2] in ("BINARY", "EXTENSION") and entry[0] not in system]
    needed: set[str] = set()
    pending = [entry[1] for entry in roots]
    while pending:
        for name in imports_of(pending.pop()):
            base = PurePosixPath(name).name
            if base in system and base not in needed:
                needed.add(base)
                pending.append(system[base][1])
    return [entry for entry in entries if entry[0] not in system or entry[0] in needed]
