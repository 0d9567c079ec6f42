"""An install from before accounts, made by the code that wrote it then: the single-connection core with no cache
path given (so the cache lands where that version put it) and the key under the entry that version used."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fast_sync import FAST_SYNC

from klen_desktop.api.models import EventInput
from klen_desktop.core import CoreConfig, CoreServices
from klen_desktop.emulator import EmulatorServer
from klen_desktop.secrets import KeyStore

QUEUED_TITLE = "Booked, not yet sent"


async def install_from_before_accounts(server: EmulatorServer, key: str, key_service: str) -> None:
    """What the app did before accounts: the key stored, a sync, then a booking queued and not yet sent (the core
    stops before its outbox ever runs)."""
    await KeyStore(service=key_service).set(key)
    core = CoreServices(CoreConfig(base_url=server.url, api_key=key, sync=FAST_SYNC, kernel_clock_signal=False))
    try:
        await core.poller.sync_once()
        start = (datetime.now(UTC) + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
        await core.create(EventInput(title=QUEUED_TITLE, start_time=start, end_time=start + timedelta(hours=1)))
    finally:
        await core.stop()
