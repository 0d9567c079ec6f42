"""The shared state of one emulator: store, keys, limits, faults, request log and clock.

Built once by :class:`~klen_desktop.emulator.server.EmulatorServer`; the HTTP app and the admin both hold
it. Every part is thread-safe on its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from klen_desktop.emulator.faults import FaultInjector
from klen_desktop.emulator.keys import ApiKeySpec, KeyRegistry
from klen_desktop.emulator.limits import Limits
from klen_desktop.emulator.requestlog import RequestLog
from klen_desktop.emulator.store import EventStore
from klen_desktop.records import record

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class ClockRef:
    """The server clock: an injected callable, swappable at run time (tests move time this way).

    Every reading is checked to be timezone-aware and returned in UTC.
    """

    def __init__(self, clock: Clock | None = None) -> None:
        self._lock = threading.Lock()
        self._clock: Clock = clock or utc_now

    def set(self, clock: Clock | None) -> None:
        with self._lock:
            self._clock = clock or utc_now

    def __call__(self) -> datetime:
        with self._lock:
            clock = self._clock
        value = clock()
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("The emulator clock must return timezone-aware datetimes.")
        return value.astimezone(UTC)


@record
class EmulatorState:
    store: EventStore
    keys: KeyRegistry
    limits: Limits
    faults: FaultInjector
    log: RequestLog
    clock: ClockRef

    @classmethod
    def build(cls, *, db_path: str, keys: Sequence[ApiKeySpec], clock: Clock | None) -> EmulatorState:
        clock_ref = ClockRef(clock)
        return cls(
            store=EventStore(db_path),
            keys=KeyRegistry(keys),
            limits=Limits(clock_ref),
            faults=FaultInjector(),
            log=RequestLog(),
            clock=clock_ref,
        )
