"""``klen-desktop add`` on a terminal shows what it read and asks before saving: "y" saves, anything else does not.
The terminal is a real pseudo-terminal; the calendar is the demo one the command line starts itself."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from cli_support import answer, cli, user_env


def run_on_terminal(env: dict[str, str], reply: str, *args: str) -> tuple[int, str]:
    leader, follower = pty.openpty()
    command = [sys.executable, "-m", "klen_desktop", *args]
    process = subprocess.Popen(command, env=env, stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    seen = b""
    deadline = time.monotonic() + 60
    answered = False
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(leader, 4096)
                except OSError:  # the command ended and closed the terminal
                    break
                seen += chunk
            if not answered and b"[y/N]" in seen:
                os.write(leader, reply.encode() + b"\n")
                answered = True
            if process.poll() is not None and not ready:
                break
        return process.wait(timeout=30), seen.decode(errors="replace")
    finally:
        os.close(leader)
        if process.poll() is None:
            process.kill()


def test_yes_on_the_terminal_saves_and_no_does_not(tmp_path: Path) -> None:
    env = user_env(tmp_path)
    code, shown = run_on_terminal(env, "n", "add", "--demo", "Call with Lena tomorrow 4pm")
    assert code == 1 and "Customer: Lena" in shown and "Not saved" in shown
    code, shown = run_on_terminal(env, "y", "add", "--demo", "Call with Lena tomorrow 4pm")
    assert code == 0 and "Save this event? [y/N]" in shown and "saved" in shown
    events = answer(cli(env, "agenda", "--days", "3", "--json", "--demo"))["events"]
    assert [e["title"] for e in events if e["title"] == "Call with Lena"] == ["Call with Lena"]
