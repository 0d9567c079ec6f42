"""The synchronous half of the outbox: queueing user actions and showing them in the cache at once.

Every method here runs in ONE store transaction that both records the action in the outbox and applies it to
the cached event, so the agenda never shows a change that is not queued, and nothing queued is missing from
the agenda, whatever moment the process dies at. They are blocking (disk): from the event loop call them as
``await db.run(queue.enqueue_patch, ...)``. :class:`klen_desktop.sync.outbox_sender.OutboxSender` sends them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from klen_desktop.api.models import EventDetail, EventInput, EventPatch, EventStatus, EventSummary, parse_model
from klen_desktop.clock import Clock
from klen_desktop.i18n import _
from klen_desktop.records import record
from klen_desktop.store.db import Database
from klen_desktop.store.events import EventRepository, LocalState, StoredEvent
from klen_desktop.store.outbox import NEEDS_USER, OutboxEntry, OutboxOp, OutboxRepository, OutboxState
from klen_desktop.sync.local_apply import apply_payload, detail_from_input

_SENDABLE = (OutboxState.PENDING, OutboxState.SENDING)


class OutboxError(Exception):
    """A queue operation that cannot be done as asked; the message says why and what to do instead."""


@record
class Conflict:
    """An edit held back because the event changed on the server: both versions, for the user to choose."""

    seq: int
    base: Mapping[str, Any]
    server: EventDetail
    local_payload: Mapping[str, Any]


def cache_payload(entry: OutboxEntry) -> Mapping[str, Any]:
    """What an entry changes on the cached event (a cancel's reason goes to the server's notes, not here)."""
    if entry.op is OutboxOp.CANCEL:
        return {"status": EventStatus.CANCELLED.value}
    return entry.payload


def current_copy(stored: StoredEvent) -> EventSummary:
    """The most complete copy that is still current: details when they agree with the newest list view."""
    return stored.detail if stored.detail is not None and stored.detail_is_current else stored.summary


class LocalWrites:
    """Queue, resend and discard user actions. Thread-safe (store transactions); blocking."""

    def __init__(self, db: Database, events: EventRepository, outbox: OutboxRepository, clock: Clock) -> None:
        self._db = db
        self._events = events
        self._outbox = outbox
        self._clock = clock

    # -- queueing --------------------------------------------------------------------------------------

    def enqueue_create(self, data: EventInput) -> int:
        """Queue a create; the event appears in the cache at once under the returned negative local id."""
        payload = data.to_payload()
        now = self._clock.now()
        with self._db.transaction() as conn:
            # Identical events that exist already: a later "did my create reach the server?" must not take them.
            preexisting = [
                e.id
                for e in self._events.between(data.start_time, data.end_time)
                if e.id > 0 and (e.title, e.start_time, e.end_time) == (data.title, data.start_time, data.end_time)
            ]
            seq = self._outbox.add(
                OutboxOp.CREATE, None, payload, None, now, meta={"preexisting": preexisting}, conn=conn
            )
            local_id = -seq
            self._outbox.assign_event_id(seq, local_id, conn=conn)
            import uuid  # here, not at the top: it loads platform and its helpers (0.25 MiB) for a rare create

            self._events.upsert_detail(detail_from_input(local_id, f"local:{uuid.uuid4()}", payload), now, conn=conn)
            self._events.set_local_state(local_id, LocalState.PENDING, conn=conn)
        return local_id

    def enqueue_patch(self, event_id: int, patch: EventPatch, base: EventSummary | None = None) -> int:
        """Queue a partial edit (a status change is ``EventPatch(status=...)``); returns its seq.

        ``base`` is the copy the user edited (default: the cached one); it is what conflicts are judged against.
        """
        payload = patch.to_payload()
        if not payload:
            raise OutboxError(_("The edit changes nothing; there is nothing to send."))
        return self._enqueue(OutboxOp.PATCH, event_id, payload, base)

    def enqueue_replace(self, event_id: int, data: EventInput, base: EventSummary | None = None) -> int:
        """Queue a full replacement (PUT): fields left out go back to the server's defaults."""
        return self._enqueue(OutboxOp.REPLACE, event_id, data.to_payload(), base)

    def enqueue_cancel(self, event_id: int, reason: str | None = None) -> int:
        """Queue a cancel; ``reason`` is added to the customer notes by the server."""
        return self._enqueue(OutboxOp.CANCEL, event_id, {} if reason is None else {"reason": reason}, None)

    def _enqueue(self, op: OutboxOp, event_id: int, payload: dict[str, Any], base: EventSummary | None) -> int:
        now = self._clock.now()
        with self._db.transaction() as conn:
            stored = self._events.get(event_id, conn=conn)
            if stored is None:
                raise OutboxError(
                    _("Event {id} is not in the local cache; refresh the agenda and try again.").format(id=event_id)
                )
            base_copy = base if base is not None else current_copy(stored)
            seq = self._outbox.add(op, event_id, payload, base_copy.model_dump(mode="json"), now, conn=conn)
            entry = self._outbox.get(seq, conn=conn)
            assert entry is not None  # just inserted in this transaction
            self._apply_to_cache(stored, [entry], conn)
            self._events.set_local_state(event_id, LocalState.PENDING, conn=conn)
        return seq

    # -- the user's answer to a parked entry ------------------------------------------------------------

    def conflict(self, seq: int) -> Conflict | None:
        """Both versions of a conflicting edit, or ``None`` when ``seq`` is not in conflict."""
        entry = self._outbox.get(seq)
        if entry is None or entry.state is not OutboxState.CONFLICT or "server" not in entry.meta:
            return None
        server = parse_model(EventDetail, entry.meta["server"])
        return Conflict(seq, entry.base or {}, server, entry.payload)

    def resend(self, seq: int, new_payload: Mapping[str, Any] | None = None) -> None:
        """Send a parked entry again, optionally with a fixed body. Resending a conflict overwrites the server."""
        with self._db.transaction() as conn:
            entry = self._parked(seq, conn)
            meta = dict(entry.meta)
            if entry.state is OutboxState.CONFLICT:
                meta["force"] = True
            payload = None
            if new_payload is not None:
                payload = self._validated(entry.op, new_payload)
            self._outbox.requeue(seq, self._clock.now(), payload=payload, meta=meta, conn=conn)
            if payload is not None and entry.event_id is not None:
                self.restore_cache(entry.event_id, conn)
            if entry.event_id is not None:
                self.refresh_local_state(entry.event_id, conn)

    def discard(self, seq: int) -> None:
        """Drop a queued or parked entry and put the cached event back as the server has it (or had it).

        Discarding a create whose answer was lost (``meta.maybe_sent``) cannot undo it on the server: if it
        got there, the next poll shows it as a new event, which the user can then cancel.
        """
        with self._db.transaction() as conn:
            entry = self._outbox.get(seq, conn=conn)
            if entry is None or entry.state is OutboxState.DONE:
                return
            if entry.state is OutboxState.SENDING:
                raise OutboxError(_("This change is being sent right now; wait for the answer, then discard it."))
            event_id = entry.event_id
            if entry.op is OutboxOp.CREATE and event_id is not None and event_id < 0:
                # Edits queued on an event that will now never exist go with it.
                dependent = [e.seq for e in self._outbox.for_event(event_id, conn=conn)]
                self._outbox.delete([seq, *dependent], conn=conn)
                self._events.remove([event_id], conn=conn)
                return
            self._outbox.delete([seq], conn=conn)
            if event_id is not None:
                server = entry.meta.get("server")
                origin = server if isinstance(server, Mapping) else entry.base
                self.restore_cache(event_id, conn, origin)
                self.refresh_local_state(event_id, conn)

    def _parked(self, seq: int, conn: sqlite3.Connection) -> OutboxEntry:
        entry = self._outbox.get(seq, conn=conn)
        if entry is None:
            raise OutboxError(_("Outbox entry {seq} no longer exists.").format(seq=seq))
        if entry.state not in (*NEEDS_USER, OutboxState.PENDING):
            raise OutboxError(
                _("Outbox entry {seq} is {state}; only held-back changes can be resent.").format(
                    seq=seq, state=entry.state.value
                )
            )
        return entry

    @staticmethod
    def _validated(op: OutboxOp, payload: Mapping[str, Any]) -> dict[str, Any]:
        if op is OutboxOp.PATCH:
            patch = parse_model(EventPatch, payload).to_payload()
            if not patch:
                raise OutboxError(_("The corrected edit changes nothing; discard it instead."))
            return patch
        if op in (OutboxOp.CREATE, OutboxOp.REPLACE):
            return parse_model(EventInput, payload).to_payload()
        reason = payload.get("reason")
        return {} if reason is None else {"reason": str(reason)}

    # -- keeping the cache in step ------------------------------------------------------------------------

    def restore_cache(self, event_id: int, conn: sqlite3.Connection, origin: Mapping[str, Any] | None = None) -> None:
        """Rebuild the cached event from ``origin`` (a server or base copy; default: the cache) plus every
        still-active entry about it, in order."""
        stored = self._events.get(event_id, conn=conn)
        if stored is None:
            return
        if origin is not None:
            copy: EventSummary = parse_model(EventDetail if "ics_url" in origin else EventSummary, origin)
            stored = StoredEvent(
                copy,
                copy if isinstance(copy, EventDetail) else stored.detail,
                stored.detail_fetched_at,
                stored.local_state,
            )
        entries = self._outbox.for_event(event_id, conn=conn)
        self._apply_to_cache(stored, entries, conn)

    def _apply_to_cache(self, stored: StoredEvent, entries: list[OutboxEntry], conn: sqlite3.Connection) -> None:
        copy = current_copy(stored)
        replaced = False
        for entry in entries:
            if entry.op is OutboxOp.REPLACE:
                copy, replaced = detail_from_input(copy.id, copy.uuid, entry.payload), True
            elif entry.op is not OutboxOp.CREATE:
                copy = apply_payload(copy, cache_payload(entry))
        has_detail = replaced or (stored.detail is not None and stored.detail_is_current)
        if has_detail and isinstance(copy, EventDetail):
            self._events.upsert_detail(copy, stored.detail_fetched_at or self._clock.now(), conn=conn)
        else:
            # Only the list view was current: do not pass made-up defaults off as fetched details.
            self._events.upsert_summaries([EventSummary.model_validate(copy.model_dump())], conn=conn)

    def refresh_local_state(self, event_id: int, conn: sqlite3.Connection) -> None:
        """Mark the cached event by its worst active entry: conflict, then attention, then pending."""
        states = {e.state for e in self._outbox.for_event(event_id, conn=conn)}
        local: LocalState | None = None
        if OutboxState.CONFLICT in states:
            local = LocalState.CONFLICT
        elif OutboxState.ATTENTION in states:
            local = LocalState.ATTENTION
        elif states & set(_SENDABLE):
            local = LocalState.PENDING
        self._events.set_local_state(event_id, local, conn=conn)
