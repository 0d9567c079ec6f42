"""The app itself, started as a user starts it: demo mode against the built-in emulator shows the seeded calendar."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest


def app_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    # A private data folder per test, so the demo calendar is seeded fresh and nothing leaks between tests.
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    env.update(extra)
    return env


def run_smoke(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "klen_desktop", "--smoke", *args],
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
