"""Command line: serve the emulator on loopback until Ctrl+C (or SIGTERM).

``python -m klen_desktop.emulator --port 8765 --seed demo --db PATH --key klen_abc:read,write``

``--time-scale 6`` runs the server clock six times faster than real time from ``--time-origin`` (Unix seconds,
default: the start), so a benchmark can play ten minutes of a shared key's per-minute limit in less than two; its
clients use the same scaled clock.

It prints the base URL and the keys it accepts: these are demo keys (typed by the user or built in), so
showing them is the point, unlike anywhere else in the app.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from klen_desktop.emulator import decisions
from klen_desktop.emulator.keys import DEMO_KEYS, ApiKeySpec
from klen_desktop.emulator.server import EmulatorError, EmulatorServer


def default_db_path() -> Path:
    """``<user data dir>/emulator.sqlite3``, in a folder only the user can read (it holds contact data)."""
    import platformdirs

    folder = Path(platformdirs.user_data_dir("klen-desktop"))
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    return folder / "emulator.sqlite3"


def scaled_clock(scale: float, origin: float) -> Callable[[], datetime]:
    """Wall time that runs ``scale`` times as fast from ``origin`` (Unix seconds) on."""

    def now() -> datetime:
        return datetime.fromtimestamp(origin + (time.time() - origin) * scale, UTC)

    return now


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="klen-emulator", description="Serve a local emulator of the Klen Calendar API on 127.0.0.1."
    )
    parser.add_argument("--port", type=int, default=8765, help="TCP port (0 picks a free one; default 8765)")
    parser.add_argument("--seed", choices=("demo", "empty"), default="demo", help="fill an empty db (default demo)")
    parser.add_argument("--db", default=None, help="SQLite file, or :memory: (default: in the user data dir)")
    parser.add_argument(
        "--key",
        action="append",
        default=[],
        metavar="KEY[:read,write]",
        help="an accepted API key (repeatable); without any, the built-in demo keys",
    )
    parser.add_argument("--daily-limit", type=int, default=decisions.DEFAULT_DAILY_LIMIT, help="creates/key/day")
    parser.add_argument("--rpm", type=int, default=decisions.DEFAULT_RPM, help="requests/key/minute")
    parser.add_argument("--time-scale", type=float, default=1.0, help="server clock speed (default 1: real time)")
    parser.add_argument("--time-origin", type=float, default=None, help="Unix time the scaled clock starts from")
    parser.add_argument("-v", "--verbose", action="store_true", help="log requests and server details")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    try:
        specs = [ApiKeySpec.parse(text) for text in args.key] or list(DEMO_KEYS)
        specs = [replace(spec, daily_limit=args.daily_limit, rpm=args.rpm) for spec in specs]
    except ValueError as exc:
        print(f"klen-emulator: {exc}", file=sys.stderr)
        return 2
    db = args.db if args.db is not None else default_db_path()
    if str(db) != ":memory:":
        Path(db).parent.mkdir(parents=True, exist_ok=True)
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    if args.time_scale <= 0:
        print("klen-emulator: --time-scale must be positive", file=sys.stderr)
        return 2
    clock = None
    if args.time_scale != 1.0:
        clock = scaled_clock(args.time_scale, time.time() if args.time_origin is None else args.time_origin)
    server = EmulatorServer(db_path=db, seed=args.seed, keys=specs, port=args.port, clock=clock)
    try:
        server.start()
    except EmulatorError as exc:
        print(f"klen-emulator: {exc}", file=sys.stderr)
        return 1
    try:
        print(f"Klen Calendar API emulator serving at {server.url}", flush=True)
        print(f"API root: {server.api_root}   database: {db}", flush=True)
        for spec in specs:
            print(f"  key {spec.key}  ({spec.describe()}, {spec.rpm}/min, {spec.daily_limit} creates/day)", flush=True)
        print("Press Ctrl+C to stop.", flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("Emulator stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
