"""Benchmark of ``klen-desktop next`` for panels (waybar, polybar, i3blocks), which run it every few seconds:
``python tests/benchmarks/bench_cli_next.py [--runs N]``.

Wall time of a fresh process, as a panel starts it, median of N runs (default 20), next to ``python -c pass``
measured the same way in the same run: ``next --json`` answered by the running app over its socket, and answered
from the cache with the app closed (the key looked up in the keyring as the app does, the cache opened read-only).
The app runs in demo mode (offscreen) in a throw-away user folder; nothing touches the user's own files.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, timeout=60, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{command} failed ({result.returncode}): {result.stderr.decode()}")
    return elapsed


def median_ms(command: list[str], env: dict[str, str], runs: int) -> float:
    timed(command, env)  # one warm-up: the files in the page cache, as on a panel's second tick
    return statistics.median(timed(command, env) for _ in range(runs)) * 1000


def wait_for_app(env: dict[str, str], next_json: list[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        result = subprocess.run(next_json, env=env, capture_output=True, text=True, timeout=60, check=False)
        if '"source": "app"' in result.stdout:
            return
        time.sleep(0.3)
    raise SystemExit("the app did not start answering within 60 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        (home / "run").mkdir(mode=0o700)
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "XDG_RUNTIME_DIR": str(home / "run"),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_CONFIG_HOME": str(home / "config"),
        }
        klen = [sys.executable, "-m", "klen_desktop"]
        next_json = [*klen, "next", "--json"]
        baseline = median_ms([sys.executable, "-c", "pass"], env, runs)
        app = subprocess.Popen([*klen, "--demo"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_app(env, next_json)
            through_app = median_ms(next_json, env, runs)
        finally:
            subprocess.run([*klen, "--quit"], env=env, capture_output=True, timeout=60, check=False)
            app.wait(timeout=60)
        from_cache = median_ms([*next_json, "--demo"], env, runs)
        from_cache_keyring = median_ms(next_json, env, runs)
    print(f"python -c pass:                        {baseline:7.1f} ms")
    print(f"next --json, app running (socket):     {through_app:7.1f} ms  ({through_app / baseline:.1f}x)")
    print(f"next --json, app closed, --demo:       {from_cache:7.1f} ms  ({from_cache / baseline:.1f}x)")
    print(
        f"next --json, app closed, keyring read: {from_cache_keyring:7.1f} ms  ({from_cache_keyring / baseline:.1f}x)"
    )


if __name__ == "__main__":
    main()
