"""The real Linux artefacts: build them (`packaging/build_linux.sh`, about a minute) and run the frozen app from its
folder (the installed app: test_installed_app.py). Slow, so gated: KLEN_PACKAGING_TESTS=1."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import packaging_support
import pytest
from packaging_support import Artefacts, requires_packaging_run

from klen_desktop.emulator import EmulatorServer
from klen_desktop.secrets import ACCOUNT_NAME, SERVICE_NAME

pytestmark = [pytest.mark.packaging, requires_packaging_run, pytest.mark.timeout(900)]

SIZE_TARGET_BYTES = 150 * 1000 * 1000


def tree_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def test_bundle_is_within_the_size_target_and_cut(artefacts: Artefacts) -> None:
    size = tree_size(artefacts.bundle)
    assert size <= SIZE_TARGET_BYTES, f"bundle is {size / 1e6:.1f} MB, the target is 150 MB"
    internal = artefacts.bundle / "_internal"
    kept = sorted(p.name for p in internal.rglob("*.qm"))
    assert kept == ["qtbase_de.qm"], f"Qt translations other than those of the app's languages should be cut: {kept}"
    assert (internal / "klen_desktop" / "locale" / "de" / "LC_MESSAGES" / "klen_desktop.mo").is_file()
    plugins = internal / "PySide6" / "Qt" / "plugins"
    assert (plugins / "platforms" / "libqxcb.so").is_file()
    # The theme plugins the unfrozen app loads; GTK3 and GLib under them are the host's, never bundled.
    assert (plugins / "platformthemes" / "libqgtk3.so").is_file()
    assert (plugins / "platformthemes" / "libqxdgdesktopportal.so").is_file()
    for host in ("libgtk-3.so*", "libgdk-3.so*", "libglib-2.0.so*", "libgio-2.0.so*", "libcairo.so*"):
        assert not list(internal.glob(host)), f"{host} must come from the host"
    # The network-status backends need QtNetwork (and the single-instance socket on Windows).
    assert (internal / "PySide6" / "QtNetwork.abi3.so").is_file()
    assert list((plugins / "networkinformation").glob("libq*.so"))
    for tool in ("PIL", "mypy", "hypothesis"):
        assert not (internal / tool).exists(), f"{tool} is a build or test tool, not part of the app"
    assert (internal / "klen_desktop" / "emulator" / "DECISIONS.md").is_file()


def elf_search_paths(path: Path) -> list[str]:
    out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True, check=True).stdout
    return [entry for value in re.findall(r"\((?:RUNPATH|RPATH)\).*\[(.*)\]", out) for entry in value.split(":")]


def test_no_library_of_the_bundle_searches_outside_it(artefacts: Artefacts) -> None:
    """Every ELF file's RUNPATH/RPATH stays inside the bundle ($ORIGIN-relative): none names the build machine."""
    bundle = artefacts.bundle.resolve()
    elves = [p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink() and p.read_bytes()[:4] == b"\x7fELF"]
    assert len(elves) > 100
    outside = []
    for elf in elves:
        for entry in elf_search_paths(elf):
            target = Path(os.path.normpath(entry.replace("$ORIGIN", str(elf.parent), 1)))
            if not entry.startswith("$ORIGIN") or (target != bundle and bundle not in target.parents):
                outside.append(f"{elf.relative_to(bundle)}: {entry}")
    assert outside == [], "\n".join(outside)


def test_frozen_app_follows_the_dark_desktop_theme_as_the_unfrozen_one_does(
    artefacts: Artefacts, tmp_path: Path
) -> None:
    if not (os.environ.get("DISPLAY") and os.environ.get("DBUS_SESSION_BUS_ADDRESS")):
        pytest.skip("needs the desktop session of `make test`")
    if not any(Path(d).glob("libgtk-3.so.0") for d in ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu")):
        pytest.skip("no GTK3 on this machine (libgtk-3-0)")
    # A GNOME-like desktop set to a dark GTK theme: Qt picks the gtk3 platform theme and its dark palette.
    dark = {"XDG_CURRENT_DESKTOP": "GNOME", "GTK_THEME": "Adwaita:dark", "QT_DEBUG_PLUGINS": "1"}
    loaded: dict[str, tuple[str, str]] = {}
    for label, command in (
        ("unfrozen", [sys.executable, "-m", "klen_desktop"]),
        ("frozen", [str(artefacts.bundle / "klen-desktop")]),
    ):
        run = tmp_path / label / "run"
        run.mkdir(parents=True, mode=0o700)
        env = {**os.environ, **dark, "QT_QPA_PLATFORM": "xcb", "XDG_RUNTIME_DIR": str(run)}
        env["XDG_DATA_HOME"] = str(tmp_path / label / "data")
        result = subprocess.run(
            [*command, "--smoke", "--demo"], capture_output=True, text=True, timeout=120, env=env, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr[-3000:]
        themes = sorted(set(re.findall(r"platformthemes/(\S+\.so)\" loaded library", result.stderr)))
        colors = re.search(r"colors=(\S+)", result.stdout)
        loaded[label] = (",".join(themes), colors.group(1) if colors else "")
    assert loaded["frozen"] == loaded["unfrozen"] == ("libqgtk3.so", "Dark"), loaded


def test_frozen_app_passes_the_smoke_script(artefacts: Artefacts) -> None:
    result = subprocess.run(
        ["bash", str(packaging_support.PACKAGING / "smoke_frozen.sh"), str(artefacts.bundle / "klen-desktop")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok: offscreen:" in result.stdout
    if os.environ.get("DISPLAY") and os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        # In the real session the frozen app asks the Secret Service for a key and registers its tray icon.
        assert "ok: xcb-session:" in result.stdout and "tray=True" in result.stdout


@pytest.mark.session
def test_frozen_app_reads_its_key_from_the_secret_service_and_goes_live(
    artefacts: Artefacts, make_emulator: Callable[..., EmulatorServer], rw_key: str, tmp_path: Path
) -> None:
    """The frozen keyring (SecretService backend, secretstorage, jeepney) finds a key the session's keyring holds."""
    if not (os.environ.get("SESSION_DIR") and os.environ.get("DBUS_SESSION_BUS_ADDRESS")):
        pytest.skip("needs the throw-away test session of `make test` (its keyring is ours to write)")
    import keyring

    if keyring.get_password(SERVICE_NAME, ACCOUNT_NAME) is not None:
        pytest.skip("a Klen API key is stored in this keyring already; not touching it")
    server = make_emulator(seed="demo")
    keyring.set_password(SERVICE_NAME, ACCOUNT_NAME, rw_key)
    try:
        ran = subprocess.run(
            [str(artefacts.bundle / "klen-desktop"), "--smoke", "--base-url", server.url],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "QT_QPA_PLATFORM": "xcb", "XDG_DATA_HOME": str(tmp_path / "data")},
            check=False,
        )
    finally:
        keyring.delete_password(SERVICE_NAME, ACCOUNT_NAME)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    line = next(line for line in ran.stdout.splitlines() if line.startswith("SMOKE "))
    assert "mode=live" in line and "tray=True" in line and "error=none" in line, line
    # Compiled as the unfrozen app runs (APP_PYTHON_OPTIONS): no docstrings, no asserts.
    assert "optimize=2" in line, line
