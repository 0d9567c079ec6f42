"""Synchronous, thread-safe control of a running emulator, for tests and demo mode.

The admin bypasses HTTP, authentication and limits; it changes the same state the server reads, so a
change is visible to the next request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, replace
from datetime import datetime
from typing import Any, Literal
from uuid import UUID, uuid4

from klen_desktop.emulator import shapes
from klen_desktop.emulator.errors import ApiError
from klen_desktop.emulator.keys import ApiKeySpec
from klen_desktop.emulator.requestlog import RequestRecord
from klen_desktop.emulator.seed import seed_demo
from klen_desktop.emulator.state import EmulatorState
from klen_desktop.emulator.validation import parse_any_status, parse_datetime

Seed = Literal["demo", "empty"]


def _wire(value: object) -> object:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("Event times must be timezone-aware datetimes.")
        return value.isoformat()
    return value


class EmulatorAdmin:
    """Admin operations on one emulator's state."""

    def __init__(self, state: EmulatorState) -> None:
        self._state = state

    def reset(self, seed: Seed = "empty") -> None:
        """Wipe events, limit counters and the request log; restore the start-up keys; clear faults.

        ``seed="demo"`` then loads the demo calendar around the server clock's now."""
        state = self._state
        state.faults.clear()
        state.store.wipe()
        state.limits.reset()
        state.keys.restore()
        state.log.clear()
        if seed == "demo":
            seed_demo(state.store, state.clock())
        elif seed != "empty":
            raise ValueError(f"seed must be 'demo' or 'empty', got {seed!r}")

    def add_key(self, spec: ApiKeySpec) -> None:
        """Add ``spec``, or replace the key of the same name."""
        self._state.keys.put(spec)

    def revoke_key(self, key: str) -> None:
        self._state.keys.change(key, revoked=True)

    def restore_key(self, key: str) -> None:
        """Un-revoke a key (a revoked key "coming back" in tests; the real service cannot do this)."""
        self._state.keys.change(key, revoked=False)

    def set_permissions(self, key: str, *, can_read: bool, can_write: bool) -> None:
        self._state.keys.change(key, can_read=can_read, can_write=can_write)

    def set_limits(self, key: str, *, daily_limit: int | None = None, rpm: int | None = None) -> None:
        changes: dict[str, object] = {}
        if daily_limit is not None:
            changes["daily_limit"] = daily_limit
        if rpm is not None:
            changes["rpm"] = rpm
        if changes:
            self._state.keys.change(key, **changes)

    def keys(self) -> list[ApiKeySpec]:
        return self._state.keys.all()

    def set_clock(self, clock: Callable[[], datetime] | None) -> None:
        """Replace the server clock (None: real time). It must return aware datetimes."""
        self._state.clock.set(clock)

    def now(self) -> datetime:
        """The server clock's current time (UTC)."""
        return self._state.clock()

    def insert_events(self, events: Sequence[Mapping[str, Any]]) -> list[int]:
        """Store events directly (no HTTP, no limits) in one transaction; returns their ids in order.

        Each mapping uses the create-input names (times as aware datetimes or ISO strings) and may also
        carry any ``status``, ``created_by_ai_agent``, ``uuid``, ``created_at``, ``updated_at`` and
        ``external_calendars`` (``{"google": ..., "outlook": ..., "gohighlevel": ...}``). Raises
        ``ValueError`` with the API's validation message when a mapping is invalid.
        """
        now = self._state.clock()
        items = []
        for index, event in enumerate(events):
            try:
                fields = parse_any_status({k: _wire(v) for k, v in event.items()})
                created_at = parse_datetime(_wire(event["created_at"]), "created_at") if "created_at" in event else now
                updated_at = parse_datetime(_wire(event["updated_at"]), "updated_at") if "updated_at" in event else None
            except ApiError as exc:
                raise ValueError(f"Event #{index}: {exc.message}") from None
            externals = event.get("external_calendars") or {}
            fields = replace(
                fields,
                external_google=externals.get("google"),
                external_outlook=externals.get("outlook"),
                external_gohighlevel=externals.get("gohighlevel"),
            )
            uuid = str(UUID(str(event["uuid"]))) if event.get("uuid") else str(uuid4())
            items.append((fields, uuid, created_at, updated_at or created_at))
        return [row.id for row in self._state.store.insert_many(items)]

    def update_event(self, event_id: int, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Change fields of a stored event as another client would (a move, a status change, a cancel).

        ``changes`` uses the names of :meth:`insert_events`; fields left out keep their values, what a client
        cannot write (external calendar ids) is kept. Bumps ``updated_at`` and ``sequence`` like an API write
        and returns the event in the details shape. ``KeyError`` for an unknown id, ``ValueError`` with the
        API's validation message for invalid changes.
        """
        store = self._state.store
        row = store.get_id(event_id)
        if row is None:
            raise KeyError(f"No event {event_id} in the emulator.")
        current = {
            name: _wire(value)
            for name, value in asdict(row.fields).items()
            if value is not None and not name.startswith("external_")
        }
        try:
            fields = parse_any_status(current | {name: _wire(value) for name, value in changes.items()})
        except ApiError as exc:
            raise ValueError(f"Event {event_id}: {exc.message}") from None
        fields = replace(
            fields,
            external_google=row.fields.external_google,
            external_outlook=row.fields.external_outlook,
            external_gohighlevel=row.fields.external_gohighlevel,
        )
        return shapes.detail(store.save(event_id, fields, now=self._state.clock()))

    def event(self, event_id: int) -> dict[str, Any] | None:
        """The event in the details shape, exactly as GET would answer, or None."""
        row = self._state.store.get_id(event_id)
        return shapes.detail(row) if row is not None else None

    def all_events(self) -> list[dict[str, Any]]:
        """Every event in the details shape, sorted by start time then id."""
        return [shapes.detail(row) for row in self._state.store.all_rows()]

    def creates_today(self, key: str) -> int:
        """How many events ``key`` created today (UTC) through the API."""
        return self._state.limits.creates_today(key)

    def request_log(self) -> list[RequestRecord]:
        """The answered API/ICS requests, oldest first (the last 10 000)."""
        return self._state.log.records()

    def clear_request_log(self) -> None:
        self._state.log.clear()
