"""Benchmark of hostile answers: ``python tests/benchmarks/bench_hostile_bodies.py [--mb N] [--drip]``.

A raw HTTP server on loopback answers a list request with N MB of JSON (default 200) sent without a length, and
with ``--drip`` also with a body that comes one byte a second. Prints the error each ends in, how long it took
and how much the process's peak RSS grew; the client stops reading past its JSON cap (8 MB) and ends the drip at
its attempt deadline (40 s with the default timeouts). Self-contained: no files are written.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from raw_http import RawServer, Reply, drip, flood

from klen_desktop.api.client import KlenClient
from klen_desktop.api.errors import KlenError
from klen_desktop.api.retry import NO_RETRY


async def _measure(what: str, reply: Reply) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    async with RawServer([reply]) as server, KlenClient(server.url, "klen_benchmark_key", retry=NO_RETRY) as client:
        started = time.monotonic()
        outcome = "answered (the cap did not hold)"
        try:
            await client.list_events()
        except KlenError as exc:
            outcome = f"{type(exc).__name__}: {exc.message[:70]}"
        took = time.monotonic() - started
    grew = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(f"{what:<28} {took:7.2f} s  peak RSS +{grew:6.1f} MB  {outcome}")


async def main(megabytes: int, with_drip: bool) -> None:
    await _measure(f"{megabytes} MB of JSON", flood(megabytes * 1_000_000))
    if with_drip:
        await _measure("a byte a second", drip(b" " * 1000, 1.0))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--drip", action="store_true")
    options = parser.parse_args()
    asyncio.run(main(options.mb, options.drip))
