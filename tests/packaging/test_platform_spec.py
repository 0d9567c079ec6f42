"""The spec's per-platform decisions, with sys.platform injected: what each build bundles, drops and sets."""

from __future__ import annotations

from pathlib import Path

import packaging_support
import platform_spec
import pytest
from platform_spec import Platform, bundle_plan, filter_toc, keep_in_bundle, platform_of, prune_orphan_libraries

VERSION = "1.2.3"


@pytest.mark.parametrize(
    ("sys_platform", "expected"),
    [("linux", Platform.LINUX), ("linux2", Platform.LINUX), ("win32", Platform.WINDOWS), ("darwin", Platform.MACOS)],
)
def test_sys_platform_maps_to_the_build_target(sys_platform: str, expected: Platform) -> None:
    assert platform_of(sys_platform) is expected


def test_an_unknown_platform_is_refused_with_the_ones_we_know() -> None:
    with pytest.raises(platform_spec.UnsupportedPlatform, match=r"'freebsd14'.*Linux, Windows and macOS"):
        bundle_plan("freebsd14", VERSION)


@pytest.mark.parametrize("sys_platform", ["linux", "win32", "darwin"])
def test_every_build_bundles_what_the_app_loads_by_name(sys_platform: str) -> None:
    plan = bundle_plan(sys_platform, VERSION)
    assert plan.entry_script == "klen_desktop/__main__.py"
    assert plan.name == "klen-desktop"
    # Without desktop-notifier's submodules and data the frozen app dies at import.
    assert "desktop_notifier" in plan.collect_submodules
    assert "desktop_notifier" in plan.collect_data
    # uvicorn (the demo emulator) picks loops, protocols and lifespan handlers from strings.
    assert {"uvicorn.loops", "uvicorn.protocols", "uvicorn.lifespan"} <= set(plan.collect_submodules)
    assert {"tzdata", "icalendar"} <= set(plan.collect_data)
    # keyring finds its backends through entry points (metadata); the version comes from our own metadata.
    assert {"klen-desktop", "keyring"} <= set(plan.copy_metadata)
    assert {"keyring.backends.fail", "keyring.backends.null", "keyring.backends.chainer"} <= set(plan.hidden_imports)
    assert ("klen_desktop/emulator/DECISIONS.md", "klen_desktop/emulator") in plan.datas
    # Dev tools and Pillow stay out. QtNetwork stays in: the network-status watch needs it once the network is down.
    assert {"mypy", "hypothesis", "PIL", "pytest"} <= set(plan.excludes)
    assert not any(name.startswith("PySide6") for name in plan.excludes)
    assert plan.version == VERSION


def test_every_bundled_data_file_exists_in_the_repository() -> None:
    for sys_platform in ("linux", "win32", "darwin"):
        for source, _dest in bundle_plan(sys_platform, VERSION).datas:
            assert (packaging_support.ROOT / source).is_file(), source


@pytest.mark.parametrize(
    ("sys_platform", "backends"),
    [
        ("linux", {"keyring.backends.SecretService"}),
        ("win32", {"keyring.backends.Windows"}),
        ("darwin", {"keyring.backends.macOS", "keyring.backends.macOS.api"}),
    ],
)
def test_each_platform_bundles_its_own_keyring_backend(sys_platform: str, backends: set[str]) -> None:
    hidden = set(bundle_plan(sys_platform, VERSION).hidden_imports)
    assert backends <= hidden
    others = {"keyring.backends.SecretService", "keyring.backends.Windows", "keyring.backends.macOS"} - backends
    assert not (others & hidden)


def test_linux_is_a_stripped_console_folder_with_no_embedded_icon() -> None:
    plan = bundle_plan("linux", VERSION)
    assert (plan.console, plan.app_bundle, plan.strip, plan.prune_orphans) == (True, False, True, True)
    assert plan.icon is None
    assert "dbus_fast" in plan.collect_submodules
    # The autostart entry is written by the app itself (klen_desktop.autostart); no template is shipped.
    assert not any("autostart" in source for source, _ in plan.datas)
    assert plan.info_plist == {}
    assert plan.optimize == 2  # as APP_PYTHON_OPTIONS runs the unfrozen app; the frozen smoke test checks it


def test_windows_is_a_windowed_folder_with_the_ico() -> None:
    plan = bundle_plan("win32", VERSION)
    assert (plan.console, plan.app_bundle, plan.strip, plan.prune_orphans) == (False, False, False, False)
    assert plan.icon == "klen-desktop.ico"
    assert "winrt" in plan.collect_submodules
    assert plan.optimize == 0  # pycparser, which win32ctypes may use through cffi, reads its grammar from docstrings


def test_macos_is_a_menu_bar_only_app_bundle() -> None:
    plan = bundle_plan("darwin", VERSION)
    assert (plan.console, plan.app_bundle, plan.strip) == (False, True, False)
    assert plan.icon == "klen-desktop.icns"
    assert "rubicon" in plan.collect_submodules
    assert plan.optimize == 0
    assert plan.info_plist["LSUIElement"] is True
    assert plan.info_plist["CFBundleIdentifier"] == "ai.klen.Desktop"
    assert plan.info_plist["CFBundleShortVersionString"] == VERSION


@pytest.mark.parametrize(
    ("dest", "kept"),
    [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
        ("PySide6/Qt/plugins/platforms/libqwayland.so", True),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
        ("PySide6/Qt/plugins/platforms/libqvnc.so", False),
        ("PySide6/Qt/plugins/platforms/libqeglfs.so", False),
        ("PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so", True),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", True),
        ("PySide6/Qt/plugins/networkinformation/libqnetworkmanager.so", True),
        ("PySide6/Qt/plugins/networkinformation/libqglib.so", True),
        ("PySide6/Qt/plugins/imageformats/libqsvg.so", True),
        ("PySide6/Qt/plugins/imageformats/libqico.so", True),
        ("PySide6/Qt/plugins/imageformats/libqjpeg.so", False),
        ("PySide6/Qt/plugins/iconengines/libqsvgicon.so", True),
        ("PySide6/Qt/plugins/tls/libqopensslbackend.so", False),
        ("PySide6/Qt/plugins/generic/libqevdevmouseplugin.so", False),
        ("PySide6/Qt/plugins/wayland-shell-integration/libxdg-shell.so", True),
        ("PySide6/Qt/translations/qtbase_de.qm", True),  # Qt's own texts of a language the app speaks
        ("PySide6/Qt/translations/qtbase_fr.qm", False),
        ("PySide6/Qt/translations/qt_de.qm", False),
        ("PySide6/Qt/lib/libQt6Network.so.6", True),
        ("libQt6Network.so.6", True),
        # The GTK3 stack of the theme plugin, GLib under it and Kerberos under QtNetwork are the host's.
        ("libgtk-3.so.0", False),
        ("libgdk-3.so.0", False),
        ("libpango-1.0.so.0", False),
        ("libcairo.so.2", False),
        ("libharfbuzz.so.0", False),
        ("libglib-2.0.so.0", False),
        ("libgio-2.0.so.0", False),
        ("libgssapi_krb5.so.2", False),
        ("libgcrypt.so.20", True),
        ("libxkbcommon.so.0", True),
        ("PySide6/Qt/lib/libQt6EglFSDeviceIntegration.so.6", False),
        ("PySide6/Qt/lib/libQt6Gui.so.6", True),
        ("PySide6/Qt/lib/libicudata.so.73", True),
        ("PySide6/QtWidgets.abi3.so", True),
        ("libpython3.11.so.1.0", True),
        ("klen_desktop/emulator/DECISIONS.md", True),
    ],
)
def test_linux_cut_keeps_only_the_qt_parts_the_app_uses(dest: str, kept: bool) -> None:
    assert keep_in_bundle(bundle_plan("linux", VERSION), dest) is kept


@pytest.mark.parametrize(
    ("sys_platform", "dest", "kept"),
    [
        ("win32", "PySide6\\plugins\\platforms\\qwindows.dll", True),
        ("win32", "PySide6\\plugins\\platforms\\qminimal.dll", False),
        ("win32", "PySide6\\plugins\\styles\\qmodernwindowsstyle.dll", True),
        ("win32", "PySide6\\translations\\qtbase_fr.qm", False),
        ("win32", "PySide6\\translations\\qtbase_de.qm", True),
        ("win32", "PySide6\\Qt6Network.dll", True),
        ("win32", "PySide6\\Qt6Gui.dll", True),
        ("darwin", "PySide6/Qt/plugins/platforms/libqcocoa.dylib", True),
        ("darwin", "PySide6/Qt/plugins/platforms/libqxcb.so", False),
        ("darwin", "PySide6/Qt/plugins/styles/libqmacstyle.dylib", True),
        ("darwin", "PySide6/Qt/lib/QtNetwork.framework/Versions/A/QtNetwork", True),
        ("darwin", "PySide6/Qt/lib/QtGui.framework/Versions/A/QtGui", True),
    ],
)
def test_windows_and_macos_cut_keep_their_own_platform_plugin(sys_platform: str, dest: str, kept: bool) -> None:
    assert keep_in_bundle(bundle_plan(sys_platform, VERSION), dest) is kept


def test_filter_toc_keeps_the_order_of_what_it_keeps() -> None:
    entries = [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "/x/libqxcb.so", "BINARY"),
        ("PySide6/Qt/translations/qt_de.qm", "/x/qt_de.qm", "DATA"),
        ("PySide6/Qt/lib/libQt6Gui.so.6", "/x/libQt6Gui.so.6", "BINARY"),
    ]
    assert filter_toc(bundle_plan("linux", VERSION), entries) == [entries[0], entries[2]]


def test_system_libraries_only_dropped_plugins_used_are_pruned() -> None:
    links = {
        "/site/PySide6/Qt/lib/libQt6Gui.so.6": ["libglib-2.0.so.0", "libc.so.6"],
        "/usr/lib/x86_64-linux-gnu/libglib-2.0.so.0": ["libpcre2-8.so.0"],
        "/usr/lib/x86_64-linux-gnu/libpcre2-8.so.0": [],
        # libgtk-3 was brought in by the GTK3 theme plugin, which the cut removed from the list.
        "/usr/lib/x86_64-linux-gnu/libgtk-3.so.0": ["libglib-2.0.so.0", "libatk-1.0.so.0"],
        "/usr/lib/x86_64-linux-gnu/libatk-1.0.so.0": [],
        "/site/_decimal.so": [],
        "/usr/local/lib/libpython3.11.so.1.0": ["libc.so.6"],
    }
    entries = [
        ("PySide6/Qt/lib/libQt6Gui.so.6", "/site/PySide6/Qt/lib/libQt6Gui.so.6", "BINARY"),
        ("libglib-2.0.so.0", "/usr/lib/x86_64-linux-gnu/libglib-2.0.so.0", "BINARY"),
        ("libpcre2-8.so.0", "/usr/lib/x86_64-linux-gnu/libpcre2-8.so.0", "BINARY"),
        ("libgtk-3.so.0", "/usr/lib/x86_64-linux-gnu/libgtk-3.so.0", "BINARY"),
        ("libatk-1.0.so.0", "/usr/lib/x86_64-linux-gnu/libatk-1.0.so.0", "BINARY"),
        ("libpython3.11.so.1.0", "/usr/local/lib/libpython3.11.so.1.0", "BINARY"),
        ("lib-dynload/_decimal.so", "/site/_decimal.so", "EXTENSION"),
    ]
    kept = prune_orphan_libraries(entries, lambda src: links[src])
    assert [dest for dest, _src, _type in kept] == [
        "PySide6/Qt/lib/libQt6Gui.so.6",
        "libglib-2.0.so.0",
        "libpcre2-8.so.0",
        # The bootloader loads libpython; no binary in the list links it, and it must stay.
        "libpython3.11.so.1.0",
        "lib-dynload/_decimal.so",
    ]


def test_the_spec_takes_its_decisions_from_platform_spec() -> None:
    spec = (packaging_support.PACKAGING / "klen-desktop.spec").read_text(encoding="utf-8")
    for used in ("bundle_plan(sys.platform", "filter_toc(plan, a.binaries)", "filter_toc(plan, a.datas)"):
        assert used in spec
    for field in ("hidden_imports", "collect_submodules", "collect_data", "copy_metadata", "excludes", "strip"):
        assert f"plan.{field}" in spec
    assert "BUNDLE(" in spec and "plan.info_plist" in spec
    assert Path(packaging_support.ROOT / "klen_desktop" / "__main__.py").is_file()


def test_every_catalog_of_the_app_is_a_translated_language_of_the_bundle() -> None:
    from klen_desktop.i18n import translated_languages

    assert tuple(translated_languages()) == bundle_plan("linux", VERSION).qt_languages
