"""The real Linux artefacts: build them (`packaging/build_linux.sh`, about a minute), run the frozen app, install
the .deb and the tarball, run the installed app, remove both. Slow, so gated: KLEN_PACKAGING_TESTS=1."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import packaging_support
import pytest
from packaging_support import ROOT, requires_packaging_run

from klen_desktop import __version__
from klen_desktop.emulator import EmulatorServer
from klen_desktop.secrets import ACCOUNT_NAME, SERVICE_NAME

pytestmark = [pytest.mark.packaging, requires_packaging_run, pytest.mark.timeout(900)]

SIZE_TARGET_BYTES = 150 * 1000 * 1000


@dataclass(frozen=True)
class Artefacts:
    bundle: Path
    deb: Path | None
    tarball: Path


def tree_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def smoke_env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_DATA_HOME": str(tmp_path / "data")}


def assert_smoke_ok(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stdout + result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("SMOKE "))
    assert f"version={__version__}" in line
    assert "mode=demo" in line and "error=none" in line


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory: pytest.TempPathFactory) -> Artefacts:
    dist = tmp_path_factory.mktemp("dist")
    env = {**os.environ, "DIST": str(dist)}
    result = subprocess.run(
        ["bash", str(packaging_support.PACKAGING / "build_linux.sh")],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    debs = sorted(dist.glob("klen-desktop_*.deb"))
    tarballs = sorted(dist.glob("klen-desktop-*-linux-*.tar.gz"))
    assert len(tarballs) == 1, sorted(p.name for p in dist.iterdir())
    return Artefacts(bundle=dist / "klen-desktop", deb=debs[0] if debs else None, tarball=tarballs[0])


def test_bundle_is_within_the_size_target_and_cut(artefacts: Artefacts) -> None:
    size = tree_size(artefacts.bundle)
    assert size <= SIZE_TARGET_BYTES, f"bundle is {size / 1e6:.1f} MB, the target is 150 MB"
    internal = artefacts.bundle / "_internal"
    assert not list(internal.rglob("*.qm")), "Qt translations should be cut"
    plugins = internal / "PySide6" / "Qt" / "plugins"
    assert (plugins / "platforms" / "libqxcb.so").is_file()
    assert not (plugins / "platformthemes" / "libqgtk3.so").exists()
    assert not list(internal.glob("libgtk-3.so*")), "GTK3 came with the dropped theme plugin and must go with it"
    for tool in ("PIL", "mypy", "hypothesis"):
        assert not (internal / tool).exists(), f"{tool} is a build or test tool, not part of the app"
    assert (internal / "klen_desktop" / "emulator" / "DECISIONS.md").is_file()


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


def test_deb_installs_runs_and_removes(artefacts: Artefacts, tmp_path: Path) -> None:
    if artefacts.deb is None or shutil.which("dpkg") is None:
        pytest.skip("no dpkg here: the .deb was not built")
    if os.geteuid() != 0:
        pytest.skip("installing a .deb needs root")
    installed = subprocess.run(["dpkg-query", "-W", "klen-desktop"], capture_output=True, text=True, check=False)
    if installed.returncode == 0:
        pytest.skip("a klen-desktop package is installed on this machine already; not touching it")
    subprocess.run(["dpkg", "-i", str(artefacts.deb)], capture_output=True, text=True, timeout=120, check=True)
    try:
        assert Path("/usr/share/applications/klen-desktop.desktop").is_file()
        assert Path("/usr/share/icons/hicolor/scalable/apps/klen-desktop.svg").is_file()
        assert Path("/usr/share/metainfo/ai.klen.Desktop.metainfo.xml").is_file()
        ran = subprocess.run(
            ["/usr/bin/klen-desktop", "--smoke", "--demo"],
            capture_output=True,
            text=True,
            timeout=120,
            env=smoke_env(tmp_path),
            check=False,
        )
        assert_smoke_ok(ran)
    finally:
        removed = subprocess.run(["dpkg", "-r", "klen-desktop"], capture_output=True, text=True, timeout=120)
    assert removed.returncode == 0, removed.stderr
    assert not Path("/opt/klen-desktop").exists()
    assert not Path("/usr/bin/klen-desktop").exists()
    assert not Path("/usr/share/applications/klen-desktop.desktop").exists()


def test_tarball_installs_runs_and_uninstalls(artefacts: Artefacts, tmp_path: Path) -> None:
    # Unpacked with tar, as the README tells users to (and tarfile's extraction filters need Python >= 3.11.4).
    (tmp_path / "unpacked").mkdir()
    subprocess.run(["tar", "xf", str(artefacts.tarball), "-C", str(tmp_path / "unpacked")], check=True, timeout=120)
    (tree,) = (tmp_path / "unpacked").iterdir()
    prefix = tmp_path / "prefix"
    env = {**os.environ, "HOME": str(tmp_path / "home")}
    installed = subprocess.run(
        [str(tree / "install.sh"), "--prefix", str(prefix)], capture_output=True, text=True, timeout=120, env=env
    )
    assert installed.returncode == 0, installed.stderr
    ran = subprocess.run(
        [str(prefix / "bin" / "klen-desktop"), "--smoke", "--demo"],
        capture_output=True,
        text=True,
        timeout=120,
        env=smoke_env(tmp_path),
        check=False,
    )
    assert_smoke_ok(ran)
    removed = subprocess.run(
        [str(prefix / "lib" / "klen-desktop" / "uninstall.sh")], capture_output=True, text=True, timeout=120, env=env
    )
    assert removed.returncode == 0, removed.stderr
    assert [p for p in prefix.rglob("*") if p.is_file() or p.is_symlink()] == []
