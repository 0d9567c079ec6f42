"""Which calendar a session talks to: the stored key on the live service, or the built-in demo emulator.

No key stored (or ``--demo``, or a keyring that cannot be read) means demo mode: the app's own emulator on
loopback, started off the event loop on first need and stopped once a live key replaces it. The key is read
from the keyring here and handed to the core; it is never written anywhere else.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from klen_desktop.core import CoreConfig
from klen_desktop.i18n import _
from klen_desktop.records import record
from klen_desktop.secrets import KeyStore, KeyStoreError
from klen_desktop.settings import KeyState, Preferences
from klen_desktop.sync.config import SyncConfig

if TYPE_CHECKING:
    from klen_desktop.demo import DemoBackend

log = logging.getLogger(__name__)


@record
class Connection:
    base_url: str
    api_key: str
    demo: bool
    notice: str | None = None  # what the user should be told about this choice (a keyring problem)


def sync_config(prefs: Preferences) -> SyncConfig:
    fast = float(prefs.fast_poll_seconds)
    return SyncConfig(
        days_back=prefs.window_days_back,
        days_ahead=prefs.window_days_ahead,
        fast_interval=fast,
        slow_interval=max(fast, float(prefs.slow_poll_seconds)),
    )


def core_config(connection: Connection, prefs: Preferences, db_path: Path | None = None) -> CoreConfig:
    """What the core of ``connection`` is built from: the connection, the user's preferences and the account's
    cache file (None: the cache of a connection from before accounts, see :func:`klen_desktop.core.cache_path`)."""
    return CoreConfig(
        db_path=db_path,
        base_url=connection.base_url,
        api_key=connection.api_key,
        demo=connection.demo,
        sync=sync_config(prefs),
        default_reminder_minutes=prefs.default_reminder_minutes,
    )


class ConnectionChooser:
    """Chooses between the stored key and demo mode, and owns the demo emulator while it is needed."""

    def __init__(self, key_store: KeyStore, live_base_url: str, *, demo_only: bool = False) -> None:
        self._key_store = key_store
        self._live_base_url = live_base_url
        self._demo_only = demo_only
        self.demo_backend: DemoBackend | None = None
        self.key_stored = False
        self.keyring_problem: str | None = None

    async def resolve(self) -> Connection:
        """The stored key on the live service, or the demo emulator when there is none (or demo was asked)."""
        key = None
        if not self._demo_only:
            try:
                key = await self._key_store.get()
            except KeyStoreError as exc:
                self.keyring_problem = exc.message
                log.warning("keyring unavailable, starting in demo mode: %s", exc.title)
        return await self.for_key(key)

    async def for_key(self, api_key: str | None) -> Connection:
        """The live service with a newly saved key, or demo mode for none (the key was forgotten)."""
        self.key_stored = api_key is not None
        if api_key:
            return Connection(base_url=self._live_base_url, api_key=api_key, demo=False)
        return await self.demo()

    async def demo(self) -> Connection:
        """The demo emulator's connection (started on first need)."""
        if self.demo_backend is None:
            from klen_desktop.demo import start_demo_backend  # the demo calendar's server, in demo mode only

            self.demo_backend = await asyncio.get_running_loop().run_in_executor(None, start_demo_backend)
        notice = _("Keyring problem: {problem}").format(problem=self.keyring_problem) if self.keyring_problem else None
        return Connection(
            base_url=self.demo_backend.base_url, api_key=self.demo_backend.api_key, demo=True, notice=notice
        )

    def key_state(self, current: Connection | None) -> KeyState:
        demo = current.demo if current is not None else True
        url = current.base_url if current is not None else ""
        return KeyState(stored=self.key_stored, demo=demo, keyring_problem=self.keyring_problem, service_url=url)

    async def stop_demo(self) -> None:
        """Stop the demo emulator (a live key replaced it, or the app ends); safe when none runs."""
        backend, self.demo_backend = self.demo_backend, None
        if backend is not None:
            await asyncio.get_running_loop().run_in_executor(None, backend.stop)
