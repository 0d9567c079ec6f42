"""The command line answers --version and --help at once, without starting Qt."""

from __future__ import annotations

import os
import subprocess
import sys

from klen_desktop import __version__


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "klen_desktop", *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_version_prints_the_package_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"Klen Desktop {__version__}"


def test_help_lists_the_options() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for option in ("--version", "--demo", "--base-url", "--smoke", "--log-level"):
        assert option in result.stdout
    assert "demo mode" in result.stdout


def test_unknown_option_is_refused_with_usage() -> None:
    result = run_cli("--no-such-option")
    assert result.returncode == 2
    assert "usage: klen-desktop" in result.stderr


def test_without_a_display_the_app_says_what_is_missing() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run(
        [sys.executable, "-m", "klen_desktop"], capture_output=True, text=True, timeout=60, env=env, check=False
    )
    assert result.returncode == 2
    assert "needs a graphical desktop session" in result.stderr
    assert "QT_QPA_PLATFORM=offscreen" in result.stderr
