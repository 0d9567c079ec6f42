"""The installed app, started as the desktop starts it: from the .deb (dpkg -i) and from the tarball (install.sh --user
into a fresh home), by the menu entry's and the autostart entry's Exec line, with no --smoke, in the desktop session.

For each start: the tray icon registers with the StatusNotifierWatcher, the agenda window appears with the WM_CLASS
that the menu entry's StartupWMClass names, a click on the tray icon hides and opens the agenda, an event an agent
books on the demo server arrives after Sync now (tray menu) as a notification with the app's icon and hints, and a
second launch with --quit ends the app through its single-instance socket. The package is removed afterwards,
so the test can run again.

Needs the desktop session of `make test` (and root for the .deb); gated by KLEN_PACKAGING_TESTS=1.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from desktop_probe import (
    NotifyCall,
    TrayItem,
    click_menu,
    desktop_entry,
    exec_argv,
    loopback_listen_ports,
    notify_monitor,
    registered_items,
    tray_item_of,
    visible_window_of_class,
    wait_until,
    window_title,
)
from packaging_support import Artefacts, requires_packaging_run

from klen_desktop.demo import DEMO_API_KEY
from klen_desktop.secrets import ACCOUNT_NAME, SERVICE_NAME

pytestmark = [pytest.mark.packaging, pytest.mark.session, requires_packaging_run, pytest.mark.timeout(600)]

START_TIMEOUT = 60
QUIT_TIMEOUT = 30


@dataclass(frozen=True)
class Installed:
    menu_entry: Path
    home: Path
    #: XDG_DATA_HOME of the user (a --user install puts the menu entry and the icons there).
    data_home: Path


def session_env(home: Path, data_home: Path, runtime: Path) -> dict[str, str]:
    # A fresh user: own home, data folder (the demo calendar, the icons of a --user install) and runtime folder
    # (the single-instance socket); the session's display, bus, keyring, notification server and tray watcher.
    return {
        **os.environ,
        "HOME": str(home),
        "XDG_DATA_HOME": str(data_home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_RUNTIME_DIR": str(runtime),
        "QT_QPA_PLATFORM": "xcb",
    }


@pytest.fixture(autouse=True)
def _no_key_stored() -> None:
    if not (os.environ.get("SESSION_DIR") and os.environ.get("DISPLAY") and os.environ.get("DBUS_SESSION_BUS_ADDRESS")):
        pytest.skip("needs the throw-away desktop session of `make test`")
    import keyring

    if keyring.get_password(SERVICE_NAME, ACCOUNT_NAME) is not None:
        pytest.skip("a Klen API key is stored in this keyring: the app would not start in demo mode")


def agent_books(pid: int) -> str:
    """Create an event tomorrow on the app's demo server (found by its loopback port), as an AI agent would."""
    token = secrets.token_hex(4)
    title = f"Booked by an agent {token}"
    start = (datetime.now(UTC) + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    body = {
        "title": title,
        "start_time": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end_time": (start + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    headers = {"Authorization": f"Bearer {DEMO_API_KEY}"}
    for port in loopback_listen_ports(pid):
        try:
            url = f"http://127.0.0.1:{port}/api/v1/calendar/events/create"
            reply = httpx.post(url, json=body, headers=headers, timeout=10)
        except httpx.HTTPError:
            continue
        if reply.status_code in (200, 201):
            return title
    raise AssertionError(f"no demo server of the app answered on {loopback_listen_ports(pid)}")


def autostart_entry(env: dict[str, str], binary: str) -> Path:
    """The login entry exactly as the installed app writes it when Start at login is switched on."""
    subprocess.run(
        [binary, "--log-level", "ERROR", "--autostart", "on"], env=env, capture_output=True, timeout=60, check=True
    )
    entry = Path(env["XDG_CONFIG_HOME"]) / "autostart" / "klen-desktop.desktop"
    assert entry.is_file(), "the app wrote no autostart entry"
    return entry


def run_as_desktop_does(entry: Path, env: dict[str, str], wm_class: str, tmp: Path, icon: str) -> None:
    """Start the Exec line of ``entry`` and check tray, agenda window, a notification and the quit."""
    argv = exec_argv(desktop_entry(entry)["Exec"])
    assert "--smoke" not in argv
    log = tmp / f"{entry.parent.name}.log"
    with notify_monitor(tmp / f"{entry.parent.name}-notify.log") as notifications, log.open("w") as out:
        app = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:

            def died() -> str:
                code = app.poll()
                return "" if code is None else f"the app exited with {code}: {log.read_text()[-3000:]}"

            item: TrayItem = wait_until(lambda: tray_item_of(app.pid), START_TIMEOUT, "the tray icon", alive=died)
            window = wait_until(
                lambda: visible_window_of_class(app.pid, wm_class), START_TIMEOUT, "the agenda window", alive=died
            )
            assert "Agenda" in window_title(window)
            # A left click on the tray icon (what the tray host sends) hides the agenda; a second one opens it.
            item.call("Activate", "0", "0")
            wait_until(lambda: visible_window_of_class(app.pid, wm_class) is None, 10, "the agenda to hide")
            item.call("Activate", "0", "0")
            wait_until(lambda: visible_window_of_class(app.pid, wm_class), 10, "the agenda to open again")

            # An agent books something on the (demo) server; Sync now from the tray menu brings it as a notification.
            title = agent_books(app.pid)
            click_menu(item, "Sync now")

            def ours() -> list[NotifyCall]:
                return [call for call in notifications() if call.app_name == "Klen Desktop" and title in call.summary]

            seen = wait_until(ours, START_TIMEOUT, "the notification of the new booking", alive=died)
            assert seen[0].app_icon == icon, seen[0]
            assert seen[0].hints.get("desktop-entry") == entry.stem
            assert seen[0].hints.get("category") == "x-klen.change", seen[0]
            # The quit goes through the single-instance socket, from a second launch of the same command.
            quit_run = subprocess.run([argv[0], "--quit"], env=env, capture_output=True, text=True, timeout=30)
            assert quit_run.returncode == 0, quit_run.stderr
            assert app.wait(timeout=QUIT_TIMEOUT) == 0, log.read_text()[-3000:]
            wait_until(lambda: item.service not in " ".join(registered_items()) or None, 10, "the tray icon to go")
        finally:
            if app.poll() is None:
                app.terminate()
                app.wait(timeout=30)
    assert "Traceback" not in log.read_text(), log.read_text()[-3000:]


def check_installed(installed: Installed, tmp: Path) -> None:
    runtime = tmp / "run"
    runtime.mkdir(mode=0o700)
    env = session_env(installed.home, installed.data_home, runtime)
    wm_class = desktop_entry(installed.menu_entry)["StartupWMClass"]
    # Installed in an icon theme: the notification names the icon, it does not carry a file path.
    run_as_desktop_does(installed.menu_entry, env, wm_class, tmp, icon="klen-desktop")
    binary = exec_argv(desktop_entry(installed.menu_entry)["Exec"])[0]
    run_as_desktop_does(autostart_entry(env, binary), env, wm_class, tmp, icon="klen-desktop")


@pytest.fixture
def deb_installed(artefacts: Artefacts, tmp_path: Path) -> Iterator[Installed]:
    if artefacts.deb is None or shutil.which("dpkg") is None:
        pytest.skip("no dpkg here: the .deb was not built")
    if os.geteuid() != 0:
        pytest.skip("installing a .deb needs root")
    if subprocess.run(["dpkg-query", "-W", "klen-desktop"], capture_output=True, check=False).returncode == 0:
        pytest.skip("a klen-desktop package is installed on this machine already; not touching it")
    subprocess.run(["dpkg", "-i", str(artefacts.deb)], capture_output=True, text=True, timeout=120, check=True)
    try:
        for installed in (
            "/usr/bin/klen-desktop",
            "/usr/share/applications/klen-desktop.desktop",
            "/usr/share/icons/hicolor/scalable/apps/klen-desktop.svg",
            "/usr/share/metainfo/ai.klen.desktop.metainfo.xml",
            "/usr/share/man/man1/klen-desktop.1.gz",
        ):
            assert Path(installed).exists(), installed
        home = tmp_path / "home"
        home.mkdir()
        yield Installed(Path("/usr/share/applications/klen-desktop.desktop"), home, tmp_path / "data")
    finally:
        removed = subprocess.run(["dpkg", "-r", "klen-desktop"], capture_output=True, text=True, timeout=120)
        assert removed.returncode == 0, removed.stderr
    for gone in ("/usr/lib/klen-desktop", "/usr/bin/klen-desktop", "/usr/share/applications/klen-desktop.desktop"):
        assert not Path(gone).exists(), gone


def test_the_deb_install_starts_from_its_menu_and_autostart_entries(deb_installed: Installed, tmp_path: Path) -> None:
    check_installed(deb_installed, tmp_path)


def test_the_tarball_user_install_starts_from_its_menu_and_autostart_entries(
    artefacts: Artefacts, tmp_path: Path
) -> None:
    unpacked = tmp_path / "unpacked"
    unpacked.mkdir()
    subprocess.run(["tar", "xf", str(artefacts.tarball), "-C", str(unpacked)], check=True, timeout=120)
    (tree,) = unpacked.iterdir()
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home)}
    env.pop("XDG_DATA_HOME", None)
    installed = subprocess.run([str(tree / "install.sh"), "--user"], capture_output=True, text=True, env=env)
    assert installed.returncode == 0, installed.stderr
    share = home / ".local" / "share"
    try:
        check_installed(Installed(share / "applications" / "klen-desktop.desktop", home, share), tmp_path)
    finally:
        removed = subprocess.run(
            [str(home / ".local" / "lib" / "klen-desktop" / "uninstall.sh")], capture_output=True, text=True, env=env
        )
    assert removed.returncode == 0, removed.stderr
