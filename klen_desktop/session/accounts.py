"""Several Klen accounts side by side: one calendar session per account, their events merged. No Qt.

Each account runs its own :class:`~klen_desktop.session.calendar.CalendarSession` over its own core: its own
cache file, outbox, request budgets and poller, because the API's limits are per key and an agency's accounts
are unrelated calendars. Event ids are unique only within an account, so everything here names an event by its
:data:`EventKey`, ``(account id, event id)``; :mod:`klen_desktop.session.merged` shows them as one calendar.

One account's trouble stays its own: a key the server refuses (401) halts that account's poller and shows as
its :meth:`AccountSessions.problem`; the others keep syncing. An account whose key is missing from the keyring,
or whose keyring cannot be read, is kept in the list with its problem and no session, so its cache and outbox
wait untouched until the key is back.

Adding an account checks its key against the service first and stores the key in the keyring before the account
is saved, so no account exists without its key. Removing one refuses while it has changes not yet sent, saying
how many, unless the caller confirms losing them; then its key and cache are deleted.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from klen_desktop.accounts.model import Account, AccountError
from klen_desktop.accounts.registry import AccountRegistry
from klen_desktop.accounts.storage import cache_path_of, save_accounts
from klen_desktop.api.models import EventSummary
from klen_desktop.i18n import _, ngettext
from klen_desktop.key_check import check_key
from klen_desktop.records import record
from klen_desktop.secrets import KeyStore, KeyStoreError
from klen_desktop.session.calendar import CalendarSession
from klen_desktop.session.connection import Connection
from klen_desktop.store.errors import DatabaseClosed
from klen_desktop.store.events import Held, StoredEvent
from klen_desktop.sync.status import SyncPhase, SyncStatus

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

EventKey = tuple[str, int]
"""An event as the app names it across accounts: (account id, event id)."""

# A deleted cache leaves its write-ahead log and shared-memory files beside it.
_CACHE_SIDE_FILES = ("", "-wal", "-shm", "-journal")

BuildSession = Callable[[Connection, Path], CalendarSession]
DemoConnection = Callable[[], Awaitable[Connection]]


@record(slots=True)
class AccountEvent:
    """A cached event and the account it belongs to."""

    account_id: str
    event: StoredEvent

    @property
    def key(self) -> EventKey:
        return (self.account_id, self.event.id)


class UnsentChanges(AccountError):
    """Removing the account would lose changes the server has not received; ``count`` says how many."""

    title = "Changes not yet sent"

    def __init__(self, name: str, count: int) -> None:
        message = ngettext(
            "{name} has {n} change not yet sent to Klen. Removing the account now loses it; wait until the "
            "account is back online, or remove it anyway.",
            "{name} has {n} changes not yet sent to Klen. Removing the account now loses them; wait until the "
            "account is back online, or remove it anyway.",
            count,
        )
        super().__init__(message.format(name=name, n=count))
        self.count = count


class AccountSessions:
    """See the module docstring. ``build(connection, cache_path)`` makes an account's session (the
    composition root's, with the preferences and clock); ``demo()`` the connection of the demo emulator;
    ``keys``: the keyring service the accounts' entries are under (by default the app's)."""

    def __init__(
        self,
        registry: AccountRegistry,
        *,
        build: BuildSession,
        demo: DemoConnection,
        live_base_url: str,
        keys: KeyStore | None = None,
        registry_path: Path | None = None,
    ) -> None:
        self.registry = registry
        self._build = build
        self._demo = demo
        self._live_base_url = live_base_url
        self._keys = keys or KeyStore()
        self._registry_path = registry_path
        self._sessions: dict[str, CalendarSession] = {}
        self._missing: dict[str, str] = {}  # account id -> why it has no session
        self._opened_listeners: list[Callable[[str, CalendarSession], None]] = []
        self._status_listeners: list[Callable[[str, SyncStatus], None]] = []
        self._listing_listeners: list[Callable[[], None]] = []

    # -- what there is ---------------------------------------------------------------------------------

    def key_store(self, account: Account) -> KeyStore:
        """The keyring entry of ``account``'s key."""
        return self._keys.for_entry(account.key_entry)

    def session(self, account_id: str) -> CalendarSession | None:
        """The running session of the account (None: it has none, see :meth:`problem`)."""
        return self._sessions.get(account_id)

    def opening(self, account_id: str) -> bool:
        """True while the account is being opened: it is listed, and neither open nor found without a session
        (its key is being read); a command for it waits for that instead of answering "not open"."""
        listed = any(account.id == account_id for account in self.registry)
        return listed and account_id not in self._sessions and account_id not in self._missing

    def label(self, account_id: str) -> str:
        """The account's name when there are several, else "" (see :meth:`AccountRegistry.label`)."""
        return self.registry.label(account_id)

    def problem(self, account_id: str) -> str | None:
        """What keeps the account from syncing, in words to show (None: nothing)."""
        if account_id in self._missing:
            return self._missing[account_id]
        session = self._sessions.get(account_id)
        if session is None:
            return None
        status = session.status
        if status.phase is SyncPhase.AUTH_ERROR:
            return status.last_error or _("Klen did not accept this account's API key.")
        return None

    # -- lifecycle -------------------------------------------------------------------------------------

    @property
    def open_ids(self) -> list[str]:
        """The accounts with a running session, in the registry's order."""
        return [account.id for account in self.registry if account.id in self._sessions]

    def adopt(self, account: Account, session: CalendarSession) -> None:
        """Take ``session`` (built, not started) as the account's: the app's first account is opened before the
        others, so its calendar shows without waiting for their keys."""
        self._missing.pop(account.id, None)
        self._hook(account.id, session)
        self._sessions[account.id] = session
        session.start()

    async def start(self) -> None:
        """Open every account not open yet: read its key, build and start its session (one without is marked)."""
        for account in self.registry:
            if account.id not in self._sessions:
                await self._open(account)

    async def stop(self) -> None:
        """Stop every session (queued writes stay in each account's cache)."""
        sessions, self._sessions = list(self._sessions.values()), {}
        await asyncio.gather(*(session.stop() for session in sessions), return_exceptions=True)

    async def _open(self, account: Account) -> None:
        if account.demo and any(session.demo for session in self._sessions.values()):
            # One demo calendar, one cache file: the first account shows it already, having no key stored.
            self._missing[account.id] = _("The demo calendar is shown already: the first account has no key stored.")
            self._listing_changed()
            return
        try:
            connection = await self._connection(account)
        except KeyStoreError as exc:
            self._missing[account.id] = _("{title}: {message}").format(title=exc.title, message=exc.message)
            self._listing_changed()
            return
        if connection is None:
            self._missing[account.id] = _("No API key is stored for this account. Enter it in Settings.")
            self._listing_changed()
            return
        self.adopt(account, self._build(connection, cache_path_of(account)))

    async def _connection(self, account: Account) -> Connection | None:
        if account.demo:
            return await self._demo()
        key = await self.key_store(account).get()
        if key is None:
            return None
        return Connection(base_url=account.base_url or self._live_base_url, api_key=key, demo=False)

    def _hook(self, account_id: str, session: CalendarSession) -> None:
        for listener in list(self._opened_listeners):
            listener(account_id, session)
        session.on_status(lambda status: self._tell(self._status_listeners, account_id, status))
        self._listing_changed()

    def _listing_changed(self) -> None:
        for listener in list(self._listing_listeners):
            listener()

    # -- listening -------------------------------------------------------------------------------------

    def on_opened(self, listener: Callable[[str, CalendarSession], None]) -> None:
        """``listener(account id, session)`` when an account's session is built, before it starts."""
        self._opened_listeners.append(listener)

    def on_listing(self, listener: Callable[[], None]) -> None:
        """``listener()`` when an account was opened, added, renamed, recoloured, removed or found without a key."""
        self._listing_listeners.append(listener)

    def on_status(self, listener: Callable[[str, SyncStatus], None]) -> None:
        """``listener(account id, status)`` on every sync status change of an account."""
        self._status_listeners.append(listener)

    @staticmethod
    def _tell(listeners: list[Callable[[str, T], None]], account_id: str, value: T) -> None:
        for listener in list(listeners):
            listener(account_id, value)

    # -- reading ---------------------------------------------------------------------------------------

    async def all_events(
        self, account_ids: frozenset[str] | None = None, held: Held | None = None
    ) -> list[AccountEvent]:
        """The cached events of every account (or of ``account_ids``), or those ``held`` names, by start time."""
        found: list[AccountEvent] = []
        for account_id, session in self.open_sessions():
            if account_ids is None or account_id in account_ids:
                events = await read_unless_closed(session, session.all_events(held))
                found.extend(AccountEvent(account_id, event) for event in events)
        return sorted(found, key=lambda item: (item.event.start_time, item.account_id, item.event.id))

    async def event_count(self) -> int:
        """How many events the open accounts' caches hold in all."""
        total = 0
        for _account_id, session in self.open_sessions():
            try:
                total += await session.event_count()
            except (DatabaseClosed, RuntimeError):
                if not session.stopped:
                    raise  # stopped under the read (its account removed): not counted
        return total

    async def starts_matching(
        self, keep: Callable[[EventSummary], bool], account_ids: frozenset[str] | None = None
    ) -> list[datetime]:
        """The start of every cached event (of ``account_ids``, else of every account) that ``keep`` accepts."""
        found: list[datetime] = []
        for account_id, session in self.open_sessions():
            if account_ids is None or account_id in account_ids:
                found += await read_unless_closed(session, session.starts_matching(keep))
        return sorted(found)

    def open_sessions(self) -> list[tuple[str, CalendarSession]]:
        """(account id, session) of every running account, in the registry's order."""
        return [(account_id, self._sessions[account_id]) for account_id in self.open_ids]

    async def event(self, key: EventKey) -> StoredEvent | None:
        session = self._sessions.get(key[0])
        return None if session is None else await session.event(key[1])

    async def unsent(self, account_id: str) -> int:
        """How many of the account's changes the server has not received yet."""
        session = self._sessions.get(account_id)
        return 0 if session is None else len(await session.outbox_entries())

    # -- changing the accounts -------------------------------------------------------------------------

    async def add(self, name: str, api_key: str, *, colour: str | None = None, base_url: str | None = None) -> Account:
        """Check ``api_key`` on the service, store it under a new account's entry, save and open the account.

        Raises :class:`AccountError` (a bad name or colour, or the key refused, with the server's verdict) or
        :class:`KeyStoreError` (the keyring refused); nothing is kept then."""
        account = self.registry.new_account(name, colour=colour, base_url=base_url)
        check = await check_key(account.base_url or self._live_base_url, api_key.strip())
        if not check.ok:
            raise AccountError(check.message)
        registry = self.registry.with_account(account)
        keys = self.key_store(account)
        await keys.set(api_key)
        try:
            self._save(registry)
        except OSError:
            await keys.delete()
            raise
        await self._open(account)
        return account

    async def add_demo(self) -> Account:
        """Show the demo calendar as one more account."""
        account = self.registry.new_demo()
        self._save(self.registry.with_account(account))
        await self._open(account)
        return account

    async def set_key(self, account_id: str, api_key: str) -> None:
        """Store a new key for the account (a revoked one replaced) and restart its session with it."""
        account = self.registry.get(account_id)
        if account.demo:
            raise AccountError(_("The demo calendar needs no key."))
        await self.key_store(account).set(api_key)
        session = self._sessions.pop(account_id, None)
        if session is not None:
            await session.stop()
        await self._open(account)

    def rename(self, account_id: str, name: str) -> None:
        self._save(self.registry.renamed(account_id, name))

    def recolour(self, account_id: str, colour: str) -> None:
        self._save(self.registry.recoloured(account_id, colour))

    async def remove(self, account_id: str, *, lose_unsent: bool = False) -> None:
        """Stop the account, delete its key and its cache, and forget it.

        Raises :class:`UnsentChanges` while it has changes not yet sent (unless ``lose_unsent``), and
        :class:`AccountError` for the last account (the app always shows one)."""
        account = self.registry.get(account_id)
        if len(self.registry) == 1:
            raise AccountError(_("This is the only account. Add another before removing it."))
        count = await self.unsent(account_id)
        if count and not lose_unsent:
            raise UnsentChanges(account.name, count)
        session = self._sessions.pop(account_id, None)
        self._missing.pop(account_id, None)
        if session is not None:
            await session.stop()
        # Key and cache first, the list last: a removal cut short leaves the account listed (and removable again),
        # never a key or a cache of customer data that no account names.
        if not account.demo:
            await self.key_store(account).delete()
        await asyncio.get_running_loop().run_in_executor(None, _delete_cache, cache_path_of(account))
        self._save(self.registry.without(account_id))
        log.info("account %s removed with its key and cache", account.id)

    def _save(self, registry: AccountRegistry) -> None:
        save_accounts(registry, self._registry_path)
        self.registry = registry
        self._listing_changed()


async def read_unless_closed(session: CalendarSession, read: Awaitable[list[R]]) -> list[R]:
    """What ``read`` returns, or nothing when ``session`` was stopped under it (its account removed, or the
    calendar rebuilt meanwhile): the next read no longer asks it."""
    try:
        return await read
    except (DatabaseClosed, RuntimeError):
        if session.stopped:
            return []
        raise


def _delete_cache(path: Path) -> None:
    for suffix in _CACHE_SIDE_FILES:
        path.with_name(path.name + suffix).unlink(missing_ok=True)
