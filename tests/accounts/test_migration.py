"""An install from before accounts starts as its first account with nothing lost.

The install is made in the test's setup by the code that wrote it before accounts existed: the core of one
connection with no cache path given (so the cache lands where that version put it), a sync of the server's
calendar, a booking queued and not yet sent, and the key under the keyring entry that version used. After the first
start with accounts, the first account has that key, shows the cached events without reading the server again,
and sends the queued change.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from accounts_harness import MakeSessions
from before_accounts import QUEUED_TITLE, install_from_before_accounts
from reading import eventually

from klen_desktop.accounts.migration import accounts_at_start
from klen_desktop.accounts.storage import cache_path_of
from klen_desktop.emulator import EmulatorServer
from klen_desktop.paths import database_path
from klen_desktop.secrets import KeyStore

pytestmark = [pytest.mark.asyncio, pytest.mark.session]

# Nothing listens on the discard port: the first start must show what is cached without the server.
NO_SERVER = "http://127.0.0.1:9"


async def test_the_first_start_keeps_the_key_the_cache_and_the_queued_change(
    make_sessions: MakeSessions, emulator: EmulatorServer, rw_key: str, key_service: str, user_folders: Path
) -> None:
    start = (datetime.now(UTC) + timedelta(hours=4)).replace(minute=0, second=0, microsecond=0)
    emulator.admin.insert_events([{"title": "Team sync", "start_time": start, "end_time": start + timedelta(hours=1)}])
    await install_from_before_accounts(emulator, rw_key, key_service)
    old_cache = database_path()
    assert old_cache.exists()

    registry = accounts_at_start()

    (account,) = registry
    assert cache_path_of(account) == old_cache
    async with make_sessions(registry, NO_SERVER) as sessions:
        session = sessions.session(account.id)
        assert session is not None, sessions.problem(account.id)
        titles = sorted(item.event.title for item in await sessions.all_events())
        assert titles == sorted([QUEUED_TITLE, "Team sync"]), "the cache is shown as it was, without the server"
        assert await sessions.unsent(account.id) == 1
        assert sessions.label(account.id) == "", "one account looks as it did before accounts"

    before = len(emulator.admin.all_events())
    async with make_sessions(accounts_at_start(), emulator.url) as sessions:

        async def sent() -> bool:
            return await sessions.unsent(account.id) == 0

        await eventually(sent, "the change queued before accounts sent")
    assert sorted(event["title"] for event in emulator.admin.all_events()) == sorted([QUEUED_TITLE, "Team sync"])
    assert len(emulator.admin.all_events()) == before + 1
    assert await KeyStore(service=key_service).get() == rw_key, "the key stays under the entry it always had"
