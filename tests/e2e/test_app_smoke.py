"""The app itself, started as a user starts it: demo mode against the built-in emulator shows the seeded calendar."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "packaging"))

from desktop_probe import empty_session_bus

from klen_desktop.autostart import launch_command


def app_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    # A private data folder per test, so the demo calendar is seeded fresh and nothing leaks between tests.
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    env.update(extra)
    return env


def run_smoke(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*launch_command(), "--smoke", *args],
        capture_output=True,
        text=True,
        timeout=90,
        env=app_env(tmp_path, **env),
        check=False,
    )


def smoke_fields(stdout: str) -> dict[str, str]:
    line = next(line for line in stdout.splitlines() if line.startswith("SMOKE "))
    return dict(re.findall(r"(\w+)=(\S+)", line))


def test_smoke_offscreen_loads_the_demo_calendar(tmp_path: Path) -> None:
    result = run_smoke(tmp_path, "--demo", QT_QPA_PLATFORM="offscreen")
    assert result.returncode == 0, result.stderr
    fields = smoke_fields(result.stdout)
    assert fields["mode"] == "demo"
    assert fields["error"] == "none"
    assert int(fields["events"]) >= 20
    # Whatever the machine offers, the report says what became of the notification and the keyring.
    assert fields["notify"] in ("sent", "fallback", "none")
    assert fields["keyring"]
    # The demo calendar is kept in the private data folder.
    demo_db = tmp_path / "data" / "klen-desktop" / "demo-calendar.sqlite3"
    assert demo_db.exists()
    assert (demo_db.parent.stat().st_mode & 0o777) == 0o700


@pytest.mark.session
def test_without_a_stored_key_the_app_starts_in_demo_mode_with_a_tray(tmp_path: Path) -> None:
    # No --demo: the keyring (the session's real Secret Service) holds no key, so the app must pick demo mode.
    result = run_smoke(tmp_path, QT_QPA_PLATFORM="xcb")
    assert result.returncode == 0, result.stderr
    fields = smoke_fields(result.stdout)
    assert fields["mode"] == "demo"
    assert fields["platform"] == "xcb"
    assert fields["tray"] == "True"
    assert int(fields["events"]) >= 20
    # dunst took the "Klen Desktop is running" notification; the Secret Service round-tripped a throw-away secret.
    assert fields["notify"] == "sent"
    assert fields["keyring"] == "ok"
    # Launched as `make run` and the login item launch it: docstrings and asserts compiled out, and nothing missed them.
    assert fields["optimize"] == "2"


@pytest.mark.session
def test_smoke_without_a_notification_service_reports_it_and_still_passes(tmp_path: Path) -> None:
    # A bus of our own with no service directories: no notification server (and no tray, no keyring) on it.
    with empty_session_bus(tmp_path) as address:
        result = run_smoke(tmp_path, "--demo", QT_QPA_PLATFORM="offscreen", DBUS_SESSION_BUS_ADDRESS=address)
    assert result.returncode == 0, result.stderr
    fields = smoke_fields(result.stdout)
    assert fields["notify"] == "none"  # offscreen: no tray to fall back on either
    assert fields["keyring"] != "ok"
    assert "no notification service" in result.stderr


def test_a_second_launch_raises_the_first_and_exits(tmp_path: Path) -> None:
    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    env = app_env(tmp_path, QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(run), XDG_CONFIG_HOME=str(tmp_path / "c"))
    log_file = tmp_path / "first.log"
    with log_file.open("w") as log_out:
        first = subprocess.Popen(
            [*launch_command(), "--demo", "--log-level", "INFO"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log_out,
            text=True,
        )
    try:
        socket_file = run / "klen-desktop" / "instance.sock"
        deadline = time.monotonic() + 60
        while not socket_file.exists():
            assert first.poll() is None, log_file.read_text()
            assert time.monotonic() < deadline, "the first instance never started listening"
            time.sleep(0.1)
        started = time.monotonic()
        second = subprocess.run(
            [sys.executable, "-m", "klen_desktop", "--demo"], env=env, capture_output=True, text=True, timeout=60
        )
        assert second.returncode == 0, second.stderr
        assert time.monotonic() - started < 10, "the second launch should exit at once, not start an app"
        assert first.poll() is None, "the first instance keeps running"
        assert (run / "klen-desktop").stat().st_mode & 0o777 == 0o700
        # The first instance hears it once its loop runs (it may still be loading when the second knocks).
        while "asked to raise the agenda" not in log_file.read_text():
            assert time.monotonic() < deadline, log_file.read_text()
            time.sleep(0.1)
    finally:
        first.terminate()
        first.wait(timeout=20)
