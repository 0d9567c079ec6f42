"""After the server answered: the cache and the outbox made to agree with what the server now holds.

Each method is blocking (disk) and runs in ONE store transaction, so a crash leaves either the entry still
queued with the cache as the user left it, or the entry done with the cache showing the server's answer.
From the event loop call them as ``await db.run(reconcile.created, ...)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from klen_desktop.api.models import EventDetail, EventInput, EventSummary, WriteResult
from klen_desktop.clock import Clock
from klen_desktop.store.db import Database
from klen_desktop.store.events import EventRepository, summary_of
from klen_desktop.store.outbox import OutboxEntry, OutboxRepository, OutboxState
from klen_desktop.sync.local_apply import apply_payload, detail_from_input, with_write_result
from klen_desktop.sync.local_writes import LocalWrites, cache_payload, current_copy


def matching_create(listed: Iterable[EventSummary], data: EventInput, excluded: set[int]) -> EventSummary | None:
    """The listed event a create that may have been sent made: same title, start and end, and not one that
    existed before the create or that another create already adopted."""
    for event in listed:
        same = (event.title, event.start_time, event.end_time) == (data.title, data.start_time, data.end_time)
        if same and event.id not in excluded:
            return event
    return None


def _with_answer(detail: EventDetail, answer: WriteResult) -> EventDetail:
    return with_write_result(
        detail, title=answer.title, start=answer.start_time, end=answer.end_time, status=answer.status
    )


class OutboxReconciler:
    def __init__(
        self, db: Database, events: EventRepository, outbox: OutboxRepository, writes: LocalWrites, clock: Clock
    ) -> None:
        self._db = db
        self._events = events
        self._outbox = outbox
        self._writes = writes
        self._clock = clock

    def created(
        self, entry: OutboxEntry, event_id: int, uuid: str, answer: WriteResult | EventSummary, meta: dict[str, Any]
    ) -> None:
        """A create reached the server as ``event_id`` (its answer, or the listed event it was found as): the
        local event takes the server's id, and edits queued on top of it now name that id."""
        detail = detail_from_input(event_id, uuid, entry.payload)
        if isinstance(answer, WriteResult):
            detail = _with_answer(detail, answer)
        now = self._clock.now()
        with self._db.transaction() as conn:
            self._events.replace_id(entry.local_id, summary_of(detail), conn=conn)
            self._events.upsert_detail(detail, now, conn=conn)
            if isinstance(answer, EventSummary):
                self._events.upsert_summaries([answer], conn=conn)
            self._outbox.rewrite_event_id(entry.local_id, event_id, conn=conn)
            self._outbox.mark_done(entry.seq, now, event_id=event_id, meta=meta, conn=conn)
            if self._outbox.for_event(event_id, conn=conn):
                self._writes.restore_cache(event_id, conn)  # edits queued on top of the create show again
            self._writes.refresh_local_state(event_id, conn)

    def edited(
        self,
        entry: OutboxEntry,
        event_id: int,
        updated: EventDetail | None,
        result: WriteResult,
        meta: dict[str, Any],
    ) -> None:
        """A patch, replace or cancel was carried out. ``updated``: the server copy read before the write with
        the write applied (None when the event was not read first: the cached copy gets the write instead)."""
        now = self._clock.now()
        with self._db.transaction() as conn:
            self._outbox.mark_done(entry.seq, now, event_id=event_id, meta=meta, conn=conn)
            stored = self._events.get(event_id, conn=conn)
            if updated is not None:
                # The server copy read before the write, plus the write: as current as a fresh read.
                self._events.upsert_detail(_with_answer(updated, result), now, conn=conn)
                self._writes.restore_cache(event_id, conn)
            elif stored is not None:
                base = current_copy(stored)
                fresh = _with_answer(apply_payload(base, cache_payload(entry)), result)
                origin = fresh.model_dump(mode="json") if isinstance(base, EventDetail) else None
                if origin is None:
                    self._events.upsert_summaries([summary_of(fresh)], conn=conn)
                self._writes.restore_cache(event_id, conn, origin)
            self._writes.refresh_local_state(event_id, conn)

    def parked(
        self,
        entry: OutboxEntry,
        state: OutboxState,
        code: str,
        message: str,
        field: str | None,
        meta: Mapping[str, Any],
    ) -> None:
        """The entry waits for the user (refused, or in conflict); its event shows that it does."""
        with self._db.transaction() as conn:
            self._outbox.mark_failed(
                entry.seq, self._clock.now(), state, code=code, message=message, field=field, meta=meta, conn=conn
            )
            if entry.event_id is not None:
                self._writes.refresh_local_state(entry.event_id, conn)
