"""A launch with --quit ends the running app through its single-instance socket; notifications carry the app's
icon and the ``desktop-entry`` and ``category`` hints to the real notification server (dunst)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "packaging"))

from desktop_probe import NotifyCall, notify_monitor, wait_until
from user_folders import user_env
from waiting import until

from klen_desktop.autostart import launch_command
from klen_desktop.notify.backend import (
    CATEGORIES,
    app_icon_spec,
    bundled_icon,
)
from klen_desktop.notify.messages import Message, NotifyKind
from klen_desktop.notify.native import native_backend


def launch(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "klen_desktop", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)


def test_quit_ends_the_running_app_and_says_when_none_runs(tmp_path: Path) -> None:
    env = user_env(tmp_path)
    nothing = launch(env, "--quit")
    assert nothing.returncode == 1 and "not running" in nothing.stderr
    log = tmp_path / "app.log"
    with log.open("w") as out:
        app = subprocess.Popen([*launch_command(), "--demo"], env=env, stdout=out, stderr=out)
    try:
        socket_file = tmp_path / "run" / "klen-desktop" / "instance.sock"
        wait_until(lambda: socket_file.exists() or (app.poll() is not None and "exited"), 60, "the app to listen")
        assert app.poll() is None, log.read_text()
        started = time.monotonic()
        asked = launch(env, "--quit")
        assert asked.returncode == 0, asked.stderr
        assert app.wait(timeout=30) == 0, log.read_text()
        assert time.monotonic() - started < 30
        # The lock went with the app: the next --quit finds nothing to end, and nothing was started by it.
        assert launch(env, "--quit").returncode == 1
    finally:
        if app.poll() is None:
            app.terminate()
            app.wait(timeout=30)


def test_the_icon_is_named_when_installed_in_the_theme_and_a_file_otherwise(tmp_path: Path) -> None:
    assert app_icon_spec([tmp_path]) == ("path", str(bundled_icon()))
    theme = tmp_path / "icons" / "hicolor" / "48x48" / "apps"
    theme.mkdir(parents=True)
    (theme / "klen-desktop.png").write_bytes(b"\x89PNG")
    assert app_icon_spec([tmp_path / "elsewhere", tmp_path]) == ("name", "klen-desktop")


def test_every_kind_has_a_category() -> None:
    assert set(CATEGORIES) == set(NotifyKind)


@pytest.mark.session
@pytest.mark.asyncio
async def test_dunst_receives_the_icon_the_desktop_entry_and_the_category(tmp_path: Path) -> None:
    backend = native_backend()
    title = f"Identity check {time.monotonic_ns()}"
    with notify_monitor(tmp_path / "notify.log") as calls:
        info = await backend.probe()
        assert info.available, info.reason
        message = Message(kind=NotifyKind.MOVED, title=title, body="Moved to 14:00")
        identifier = await backend.send(message, on_action=lambda _key: None, on_dismissed=lambda: None)
        assert identifier is not None

        def ours_on_the_bus() -> list[NotifyCall]:
            return [c for c in calls() if c.summary == title]

        try:
            await until(ours_on_the_bus, "the Notify call")
            seen = ours_on_the_bus()
        finally:
            await backend.withdraw(identifier)
            await backend.close()
    expected_icon = bundled_icon()
    assert expected_icon is not None
    assert seen[0].app_icon == expected_icon.as_uri()
    assert seen[0].hints["desktop-entry"] == "klen-desktop"
    assert seen[0].hints["category"] == "x-klen.change"
    # dunst itself kept the category and the icon with the notification.
    history = json.loads(subprocess.run(["dunstctl", "history"], capture_output=True, text=True, check=True).stdout)
    ours = [n for n in history["data"][0] if n["summary"]["data"] == title]
    assert ours and ours[0]["category"]["data"] == "x-klen.change"
    assert ours[0]["icon_path"]["data"] == str(expected_icon)
