"""Running ``klen-desktop`` commands as a user's shell does: a separate process, the user's folders in a test
folder, the demo calendar (the built-in emulator, over loopback), stdin not a terminal."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from user_folders import user_env

__all__ = ["user_env"]  # the commands' environment, shared with the app's end-to-end tests


def cli(env: dict[str, str], *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "klen_desktop", *args]
    return subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL
    )


def answer(result: subprocess.CompletedProcess[str], code: int = 0) -> dict[str, Any]:
    """The JSON a command printed, after checking its exit code."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout
    value = json.loads(lines[0])
    assert isinstance(value, dict)
    return value


def wait_until(check: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")
