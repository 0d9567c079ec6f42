"""The outbox sender: sends queued user actions to the server, in order, one at a time, and reconciles.

Guarantees (nothing the user did is ever lost, nothing is done twice):

* An entry is committed as ``sending`` before its request leaves. A process killed at any point therefore
  finds it ``sending`` on restart and knows the request may have reached the server. A create is marked only
  once the request budget let it go, right before the request: a create that waited for the budget (up to an
  hour after a 429) and was then interrupted never went out and is not treated as "maybe sent".
* A create that may have reached the server (timeout, dropped connection, 5xx, a crash mid-request) is never
  simply sent again: the day of its start is listed first and an event with the same title, start and end that
  is neither older than the create (``meta.preexisting``) nor already claimed by another create is adopted.
  Patches, replaces and cancels are idempotent on the server and are just sent again.
* Network trouble, 5xx and the per-minute 429 keep the entry pending with exponential backoff (the 429 pauses
  the shared :class:`RequestBudget` for Retry-After, an hour at most); the queue stops at that entry, so order
  is kept. :meth:`OutboxSender.retry_now` (the user's "Sync now") forgets the backoff and lifts a long pause.
* 400, 403, 404 and the daily create limit park the entry as ``attention`` with the server's code, message and
  field; the payload stays for the user to fix and resend or discard (:class:`LocalWrites`). A 401 (the key itself)
  stops the drain with every entry kept pending: nothing can be sent until the key is fixed.
* Before a patch or replace the event is read; if it changed on the server in a way the edit would overwrite
  (see :mod:`klen_desktop.sync.local_apply`), the entry is parked as ``conflict`` with both versions.

Order: entries are sent by seq. A parked entry holds back later entries about the same event (they were made
on top of it) but not entries about other events. Request cost: create 1 (+ list pages of one day when it may
have been sent), patch and replace 2 (read + write), cancel 1.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from klen_desktop.api.client import KlenClient
from klen_desktop.api.constants import MAX_WAIT
from klen_desktop.api.errors import InvalidRequest, KlenError, RateLimited
from klen_desktop.api.models import EventDetail, EventInput, EventPatch, EventSummary, parse_model
from klen_desktop.clock import Clock
from klen_desktop.i18n import _
from klen_desktop.store.db import Database
from klen_desktop.store.outbox import NEEDS_USER, OutboxEntry, OutboxOp, OutboxRepository, OutboxState
from klen_desktop.sync.budget import RequestBudget
from klen_desktop.sync.config import SyncConfig
from klen_desktop.sync.local_apply import apply_payload, conflicting_fields, detail_from_input
from klen_desktop.sync.outbox_outcomes import ConflictFound, DrainReport, Outcome, Withdrawn
from klen_desktop.sync.reconcile import OutboxReconciler, matching_create
from klen_desktop.sync.send_failures import DAILY_LIMIT_META, FailureKind, classify_failure, waits_for_daily_reset
from klen_desktop.sync.waiting import sleep_or_wake

__all__ = ["DrainReport", "OutboxSender"]

log = logging.getLogger(__name__)

_MAX_BACKOFF = timedelta(seconds=MAX_WAIT)


class OutboxSender:
    """Sends what :class:`~klen_desktop.sync.local_writes.LocalWrites` queued, and has the answers reconciled
    (:class:`~klen_desktop.sync.reconcile.OutboxReconciler`). One sender per store; drains never overlap."""

    def __init__(
        self,
        client: KlenClient,
        db: Database,
        outbox: OutboxRepository,
        reconcile: OutboxReconciler,
        clock: Clock,
        budget: RequestBudget,
        config: SyncConfig | None = None,
    ) -> None:
        self._client = client
        self._db = db
        self._outbox = outbox
        self._reconcile = reconcile
        self._clock = clock
        self._budget = budget
        self._config = config or SyncConfig()
        self._drain_lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._stopping = False
        self._listeners: list[Callable[[DrainReport], None]] = []

    def subscribe(self, listener: Callable[[DrainReport], None]) -> None:
        """Call ``listener`` after every drain that sent or parked something (e.g. to poke the poller)."""
        self._listeners.append(listener)

    def wake(self) -> None:
        """Drain now: call after queueing. Call from the event loop's thread (it sets an asyncio.Event)."""
        self._wake.set()

    async def retry_now(self) -> None:
        """Forget the backoff of waiting entries and drain at once (network back, key fixed, wake from sleep,
        "Sync now"). A long pause of the shared budget is lifted too (see :meth:`RequestBudget.lift_pause`), so
        the poll waiting on it goes as well."""
        self._budget.lift_pause()
        await self._db.run(self._outbox.clear_backoff, self._clock.now())
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        """Drain whenever woken or when the head entry's backoff ends, until :meth:`stop`."""
        self._stopping = False
        failures = 0
        while not self._stopping:
            try:
                report = await self.drain()
                failures = 0
            except Exception:  # a bug or a disk error: the queue is intact on disk; try again later
                log.exception("outbox drain failed unexpectedly")
                failures += 1
                retry_at = self._clock.now() + timedelta(seconds=self._config.outbox_backoff(failures))
                report = DrainReport(0, 0, waiting_until=retry_at)
            delay = None
            if report.waiting_until is not None:
                delay = max(0.0, (report.waiting_until - self._clock.now()).total_seconds())
            await sleep_or_wake(self._clock, delay, self._wake)

    async def drain(self) -> DrainReport:
        """Send every sendable entry, in seq order, until the queue is empty or has to wait."""
        async with self._drain_lock:
            report = await self._drain()
            if report.sent:
                await self._db.run(self._outbox.prune_done, self._clock.now() - self._config.outbox_keep_done)
        if report.sent or report.parked or report.failed:
            for listener in list(self._listeners):
                listener(report)
        return report

    async def _drain(self) -> DrainReport:
        sent = parked = held = 0
        while not self._stopping:
            now = self._clock.now()
            entry = await self._db.run(self._next_entry, now)
            if entry is None:
                reset = await self._db.run(self._next_daily_reset, now)
                return DrainReport(sent, parked, waiting_until=reset, failed=held)
            # A retry time further ahead than any answer can set (a clock set back, an older version's row) is due.
            if entry.next_attempt_at is not None and now < entry.next_attempt_at <= now + _MAX_BACKOFF:
                return DrainReport(sent, parked, waiting_until=entry.next_attempt_at)
            outcome = await self._send(entry)
            if outcome is Outcome.WITHDRAWN:
                continue
            if outcome is Outcome.SENT:
                sent += 1
            elif outcome is Outcome.PARKED:
                parked += 1
            else:
                latest = await self._db.run(self._outbox.get, entry.seq)
                if outcome is Outcome.BLOCKED:
                    # Held until the user fixes the key, or until the long key backoff ends: a key suspended and
                    # restored on the server side must let the queue go without anyone pressing anything.
                    message = latest.error_message if latest is not None else None
                    retry_at = latest.next_attempt_at if latest is not None else None
                    return DrainReport(
                        sent, parked, waiting_until=retry_at, blocked=message or "The API key was rejected.", failed=1
                    )
                if latest is not None and waits_for_daily_reset(latest, self._clock.now()):
                    held += 1
                    continue  # set aside until the reset; what is queued behind it goes now
                return DrainReport(sent, parked, waiting_until=latest.next_attempt_at if latest else None, failed=1)
        return DrainReport(sent, parked)

    def _next_daily_reset(self, now: datetime) -> datetime | None:
        resets = [e.next_attempt_at for e in self._outbox.active() if waits_for_daily_reset(e, now)]
        return min((r for r in resets if r is not None), default=None)

    def _next_entry(self, now: datetime) -> OutboxEntry | None:
        held_events: set[int] = set()
        for entry in self._outbox.active():
            if waits_for_daily_reset(entry, now):
                continue  # the day's creates are used up; edits and cancels still go
            if entry.state in NEEDS_USER:
                if entry.event_id is not None:
                    held_events.add(entry.event_id)
                continue
            if entry.event_id is not None and entry.event_id in held_events:
                continue
            return entry
        return None

    # -- one entry -----------------------------------------------------------------------------------------

    async def _send(self, entry: OutboxEntry) -> Outcome:
        meta = dict(entry.meta)
        if entry.state is OutboxState.SENDING and entry.op is OutboxOp.CREATE:
            meta["maybe_sent"] = True  # left "sending" by a crash or a lost answer
        if entry.op is not OutboxOp.CREATE or meta.get("maybe_sent"):
            # Repeating these is harmless (an edit, a cancel, a create already treated as maybe sent): mark now.
            await self._db.run(lambda: self._outbox.mark_sending(entry.seq, self._clock.now(), meta=meta))
        try:
            if entry.op is OutboxOp.CREATE:
                await self._send_create(entry, meta)
            elif entry.op is OutboxOp.CANCEL:
                await self._send_cancel(entry, meta)
            else:
                await self._send_edit(entry, meta)
        except ConflictFound as found:
            meta["server"] = found.server.model_dump(mode="json")
            message = _("Changed on the server since your edit ({fields}).").format(
                fields=", ".join(sorted(found.fields))
            )
            await self._db.run(self._reconcile.parked, entry, OutboxState.CONFLICT, "conflict", message, None, meta)
            return Outcome.PARKED
        except Withdrawn:
            return Outcome.WITHDRAWN
        except KlenError as exc:
            return await self._failed(entry, meta, exc)
        return Outcome.SENT

    async def _departing(self, entry: OutboxEntry, meta: dict[str, Any]) -> None:
        """Commit a create as ``sending`` right before its request leaves, unless the user discarded or changed
        it while it waited for the budget (then :class:`Withdrawn`: the drain reads the queue again)."""

        def mark() -> bool:
            with self._db.transaction() as conn:
                current = self._outbox.get(entry.seq, conn=conn)
                if current is None or current.state not in (OutboxState.PENDING, OutboxState.SENDING):
                    return False
                if current.payload != entry.payload:
                    return False
                self._outbox.mark_sending(entry.seq, self._clock.now(), meta=meta, conn=conn)
                return True

        if not await self._db.run(mark):
            raise Withdrawn()

    async def _failed(self, entry: OutboxEntry, meta: dict[str, Any], exc: KlenError) -> Outcome:
        decision = classify_failure(exc, entry.op, entry.attempts, self._config)
        if decision.kind is FailureKind.PARK:
            await self._db.run(
                self._reconcile.parked, entry, OutboxState.ATTENTION, decision.code, exc.message, decision.field, meta
            )
            log.warning("outbox entry %d (%s) needs attention: %s", entry.seq, entry.op.value, exc.message)
            return Outcome.PARKED
        if decision.maybe_sent:
            meta["maybe_sent"] = True
        meta.pop(DAILY_LIMIT_META, None)
        if decision.daily_limit and isinstance(exc, RateLimited):
            meta[DAILY_LIMIT_META] = exc.limit
        if decision.pause_budget is not None:
            self._budget.pause(decision.pause_budget)
        now = self._clock.now()
        retry_at = now + timedelta(seconds=decision.wait)
        await self._db.run(
            lambda: self._outbox.mark_retry(
                entry.seq, now, retry_at, code=decision.code, message=exc.message, meta=meta
            )
        )
        log.info(
            "outbox entry %d (%s) will be retried in %.0fs: %s", entry.seq, entry.op.value, decision.wait, exc.message
        )
        return Outcome.BLOCKED if decision.kind is FailureKind.KEY else Outcome.RETRY

    # -- create ----------------------------------------------------------------------------------------------

    async def _send_create(self, entry: OutboxEntry, meta: dict[str, Any]) -> None:
        data = parse_model(EventInput, entry.payload)
        if meta.get("maybe_sent"):
            found = await self._find_sent_create(entry, data)
            if found is not None:
                log.info("outbox create %d had reached the server as event %d; adopted", entry.seq, found.id)
                await self._db.run(self._reconcile.created, entry, found.id, found.uuid, found, meta)
                return
        await self._budget.acquire(write=True)
        if not meta.get("maybe_sent"):
            try:
                await self._departing(entry, meta)
            except BaseException:  # withdrawn, or a disk that refuses the write: nothing went out
                self._budget.refund()
                raise
        result = await self._client.create_event(data)
        await self._db.run(self._reconcile.created, entry, result.id, result.uuid, result, meta)

    async def _find_sent_create(self, entry: OutboxEntry, data: EventInput) -> EventSummary | None:
        day = data.start_time.date()
        excluded = set(entry.meta.get("preexisting", [])) | await self._db.run(self._outbox.adopted_ids)
        page = 1
        while True:
            await self._budget.acquire(write=True)
            result = await self._client.list_events(
                start_date=day, end_date=day, page=page, limit=self._config.page_size
            )
            found = matching_create(result.events, data, excluded)
            if found is not None:
                return found
            if not result.events or page >= result.pages:
                return None
            page += 1

    # -- patch, replace, cancel --------------------------------------------------------------------------------

    async def _send_edit(self, entry: OutboxEntry, meta: dict[str, Any]) -> None:
        event_id = self._server_id(entry)
        server: EventDetail | None = None
        if not meta.get("force"):
            await self._budget.acquire(write=True)
            server = await self._client.get_event(event_id)
            fields = conflicting_fields(entry.base or {}, server, entry.payload)
            if fields:
                raise ConflictFound(server, fields)
        await self._budget.acquire(write=True)
        updated: EventDetail | None
        if entry.op is OutboxOp.REPLACE:
            result = await self._client.replace_event(event_id, parse_model(EventInput, entry.payload))
            updated = detail_from_input(event_id, result.uuid, entry.payload)
        else:
            result = await self._client.update_event(event_id, parse_model(EventPatch, entry.payload))
            updated = apply_payload(server, entry.payload) if server is not None else None
        await self._db.run(self._reconcile.edited, entry, event_id, updated, result, meta)

    async def _send_cancel(self, entry: OutboxEntry, meta: dict[str, Any]) -> None:
        event_id = self._server_id(entry)
        reason = entry.payload.get("reason")
        await self._budget.acquire(write=True)
        result = await self._client.cancel_event(event_id, None if reason is None else str(reason))
        await self._db.run(self._reconcile.edited, entry, event_id, None, result, meta)

    @staticmethod
    def _server_id(entry: OutboxEntry) -> int:
        if entry.event_id is None or entry.event_id < 0:
            # Cannot happen through the queue (a create always goes first); refuse loudly rather than guess.
            raise InvalidRequest(
                _("This change is about an event that was never created on the server; discard it."),
                status=0,
                code="local_event",
            )
        return entry.event_id
