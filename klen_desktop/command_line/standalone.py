"""The command line's own calendar when the app is not running: the one place it obtains a connection and a core.

It takes the key exactly as the app does (the OS keyring; demo mode when none is stored, ``--demo`` or an
unreadable keyring, with the demo emulator started the way the app starts it) and the same cache and outbox
files, so what it queues the app sends later, and the other way round. ``next`` and ``agenda`` only read the
cache (fast: no emulator, no network); the other commands build a core without its background loops (no reminder
fires from here) and send the outbox once, within the command's time.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from klen_desktop.accounts.model import Account
from klen_desktop.accounts.storage import cache_path_of
from klen_desktop.command_line.account_choice import chosen_account
from klen_desktop.command_line.commands import Calendar
from klen_desktop.command_line.where import Where
from klen_desktop.paths import data_dir, database_path
from klen_desktop.secrets import KeyStore, KeyStoreError
from klen_desktop.store.db import Database
from klen_desktop.store.events import EventRepository
from klen_desktop.store.state import SyncStateRepository

if TYPE_CHECKING:
    from klen_desktop.session.calendar import CalendarSession
    from klen_desktop.session.outcomes import SaveOutcome

# klen_desktop.core's name for the demo's cache: the core is not imported for a read of the cache (it brings the
# HTTP client, a few hundred milliseconds a panel would pay on every tick); a test keeps the two names the same.
DEMO_CACHE_NAME = "demo-cache.sqlite3"
# How long a write may take to reach the server before it is left queued (exit 4).
SEND_TIMEOUT = 10.0


def _now() -> datetime:
    return datetime.now(UTC)


def _account(where: Where) -> Account:
    return chosen_account(where.account)


async def _key_stored(where: Where, account: Account) -> bool:
    if where.demo or account.demo:
        return False
    try:
        return await KeyStore().for_entry(account.key_entry).get() is not None
    except KeyStoreError:
        return False  # the app starts in demo mode then too


def cache_file(demo: bool, account: Account | None = None) -> Path:
    """The cache the app uses for this connection (:func:`klen_desktop.core.cache_path`, without the core): the
    demo's, or the account's (the first account's by default)."""
    if demo:
        return data_dir() / DEMO_CACHE_NAME
    return database_path() if account is None else cache_path_of(account)


@contextlib.asynccontextmanager
async def cached_calendar(where: Where) -> AsyncIterator[Calendar]:
    """The cache of the calendar the app would show, read only."""
    account = _account(where)
    demo = not await _key_stored(where, account)
    loop = asyncio.get_running_loop()
    db = await loop.run_in_executor(None, Database, cache_file(demo, account))
    try:
        events = EventRepository(db)
        state = await db.run(SyncStateRepository(db).get)
        yield Calendar(
            events_between=lambda start, end: db.run(events.between, start, end),
            event=lambda event_id: db.run(events.get, event_id),
            now=_now,
            demo=demo,
            source="cache",
            synced_at=state.last_success,
        )
    finally:
        await loop.run_in_executor(None, db.close)


@contextlib.asynccontextmanager
async def service_calendar(where: Where) -> AsyncIterator[Calendar]:
    """A calendar session on the API (or the demo emulator), its outbox sent once per write."""
    from klen_desktop.core import CoreServices
    from klen_desktop.session.calendar import CalendarSession
    from klen_desktop.session.connection import ConnectionChooser, core_config
    from klen_desktop.settings import load_preferences

    account = _account(where)
    keys = KeyStore().for_entry(account.key_entry) if account.key_entry else KeyStore()
    chooser = ConnectionChooser(keys, account.base_url or where.base_url, demo_only=where.demo or account.demo)
    try:
        connection = await chooser.resolve()
        prefs = load_preferences()
        cache = None if connection.demo else cache_path_of(account)
        session = CalendarSession(CoreServices(core_config(connection, prefs, cache)), probe_access=False)
        async with session_calendar(session, prefs.default_reminder_minutes) as calendar:
            yield calendar
    finally:
        await chooser.stop_demo()


@contextlib.asynccontextmanager
async def session_calendar(session: CalendarSession, default_reminder: int) -> AsyncIterator[Calendar]:
    """The commands' calendar on ``session`` (whose loops are not running); the session is stopped after."""
    core = session.core

    async def send_queued() -> None:
        await core.sender.retry_now()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(core.sender.drain(), SEND_TIMEOUT)

    async def settle(seq: int) -> SaveOutcome:
        await send_queued()
        return await session.wait_for_send(seq, timeout=0)

    try:
        yield Calendar(
            events_between=core.events_between,
            event=core.event,
            now=_now,
            demo=session.demo,
            source="cache",
            synced_at=(await core.db.run(core.state.get)).last_success,
            session=session,
            settle=settle,
            send_queued=send_queued,
            default_reminder=default_reminder,
        )
    finally:
        await session.stop()
