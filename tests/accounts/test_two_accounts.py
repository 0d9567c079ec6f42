"""Two Klen accounts side by side: each its own key, calendar, cache and poller; one bad key stops only its own.

Each account's calendar lives on an emulator of its own (the emulator's keys all see one calendar), reached over
loopback with a key of its own; the keys are stored in the session's real keyring.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from accounts_harness import MakeSessions
from reading import eventually

from klen_desktop.accounts.migration import first_account
from klen_desktop.accounts.model import AccountError
from klen_desktop.accounts.registry import AccountRegistry
from klen_desktop.accounts.storage import cache_path_of, load_accounts
from klen_desktop.drafts import EventDraft
from klen_desktop.emulator import ApiKeySpec, EmulatorServer
from klen_desktop.secrets import KeyStore
from klen_desktop.session.accounts import AccountSessions, UnsentChanges
from klen_desktop.sync.status import SyncPhase

pytestmark = [pytest.mark.asyncio, pytest.mark.session]

FIRST_KEY = "klen_test_agency_first"
SECOND_KEY = "klen_test_agency_second"


def in_hours(hours: int) -> datetime:
    return (datetime.now(UTC) + timedelta(hours=hours)).replace(minute=0, second=0, microsecond=0)


def calendar(make_emulator: Callable[..., EmulatorServer], key: str, title: str) -> EmulatorServer:
    """An emulator whose one key is ``key``, holding one event called ``title`` in three hours."""
    server = make_emulator(keys=(ApiKeySpec(key, rpm=100_000),))
    start = in_hours(3)
    server.admin.insert_events([{"title": title, "start_time": start, "end_time": start + timedelta(hours=1)}])
    return server


async def merged(sessions: AccountSessions) -> dict[tuple[str, int], str]:
    return {item.key: item.event.title for item in await sessions.all_events()}


async def two_accounts(
    make_emulator: Callable[..., EmulatorServer], key_service: str
) -> tuple[EmulatorServer, EmulatorServer]:
    first = calendar(make_emulator, FIRST_KEY, "Dental check-up")
    second = calendar(make_emulator, SECOND_KEY, "Roof inspection")
    await KeyStore(service=key_service, account=first_account().key_entry).set(FIRST_KEY)
    return first, second


async def test_two_accounts_each_see_their_own_calendar_merged_and_keyed_by_account(
    make_sessions: MakeSessions, make_emulator: Callable[..., EmulatorServer], key_service: str, user_folders: Path
) -> None:
    first, second = await two_accounts(make_emulator, key_service)
    async with make_sessions(AccountRegistry((first_account(),)), first.url) as sessions:
        assert sessions.label("1") == "", "one account is not named"
        added = await sessions.add("Roofing client", SECOND_KEY, base_url=second.url)

        async def both() -> bool:
            return len(await merged(sessions)) == 2

        await eventually(both, "both accounts' events merged")
        # Event ids are unique only per account: both calendars have an event 1, told apart by the account.
        assert await merged(sessions) == {("1", 1): "Dental check-up", (added.id, 1): "Roof inspection"}
        assert [item.account_id for item in await sessions.all_events(frozenset({added.id}))] == [added.id]
        assert sessions.label("1") == "Klen" and sessions.label(added.id) == "Roofing client"
        assert await KeyStore(service=key_service, account="account:2").get() == SECOND_KEY
        assert cache_path_of(added).exists() and cache_path_of(added) != cache_path_of(first_account())
        # Each account's requests went to its own server with its own key.
        assert {record.key for record in first.admin.request_log()} == {FIRST_KEY}
        assert {record.key for record in second.admin.request_log()} == {SECOND_KEY}
        sessions.rename(added.id, "Roofers & Sons")
        sessions.recolour(added.id, "#D55E00")
    saved = load_accounts()
    assert saved is not None and [(a.name, a.colour) for a in saved] == [
        ("Klen", first_account().colour),
        ("Roofers & Sons", "#d55e00"),
    ]
    assert "klen_test" not in (user_folders / "config" / "klen-desktop" / "accounts.json").read_text(encoding="utf-8")


async def test_a_key_the_service_refuses_is_not_added_and_nothing_is_kept(
    make_sessions: MakeSessions, make_emulator: Callable[..., EmulatorServer], key_service: str
) -> None:
    first, second = await two_accounts(make_emulator, key_service)
    async with make_sessions(AccountRegistry((first_account(),)), first.url) as sessions:
        with pytest.raises(AccountError, match="did not accept this key"):
            await sessions.add("Typo client", "klen_not_a_key", base_url=second.url)

        assert [account.id for account in sessions.registry] == ["1"]
        assert await KeyStore(service=key_service, account="account:2").get() is None
    assert load_accounts() is None, "the registry was never saved with the refused account"


async def test_a_revoked_key_marks_only_its_account_the_other_keeps_syncing(
    make_sessions: MakeSessions, make_emulator: Callable[..., EmulatorServer], key_service: str
) -> None:
    first, second = await two_accounts(make_emulator, key_service)
    async with make_sessions(AccountRegistry((first_account(),)), first.url) as sessions:
        added = await sessions.add("Roofing client", SECOND_KEY, base_url=second.url)
        statuses: dict[str, SyncPhase] = {}
        sessions.on_status(lambda account_id, status: statuses.__setitem__(account_id, status.phase))

        second.admin.revoke_key(SECOND_KEY)
        await sessions.session(added.id).sync_now()  # type: ignore[union-attr]

        async def marked() -> bool:
            return sessions.problem(added.id) is not None

        await eventually(marked, "the revoked account marked")
        assert statuses[added.id] is SyncPhase.AUTH_ERROR
        assert sessions.problem("1") is None
        start = in_hours(5)
        agent_booking = {"title": "Booked by an agent", "start_time": start, "end_time": start + timedelta(hours=1)}
        first.admin.insert_events([agent_booking])
        await sessions.session("1").sync_now()  # type: ignore[union-attr]

        async def first_synced() -> bool:
            return "Booked by an agent" in (await merged(sessions)).values()

        await eventually(first_synced, "the healthy account's new event")
        assert sessions.problem("1") is None

        second.admin.restore_key(SECOND_KEY)
        await sessions.set_key(added.id, SECOND_KEY)

        async def healed() -> bool:
            return sessions.problem(added.id) is None and (added.id, 1) in await merged(sessions)

        await eventually(healed, "the account back once its key works")


async def test_removing_an_account_refuses_while_changes_wait_then_deletes_its_key_and_cache(
    make_sessions: MakeSessions, make_emulator: Callable[..., EmulatorServer], key_service: str
) -> None:
    first, second = await two_accounts(make_emulator, key_service)
    async with make_sessions(AccountRegistry((first_account(),)), first.url) as sessions:
        added = await sessions.add("Roofing client", SECOND_KEY, base_url=second.url)
        session = sessions.session(added.id)
        assert session is not None
        second.stop()  # offline: what the user books now waits in this account's outbox
        start = in_hours(6)
        await session.save(EventDraft(title="Quote visit", start=start, end=start + timedelta(minutes=30)))
        await session.save(EventDraft(title="Follow-up", start=start, end=start + timedelta(minutes=30)))

        with pytest.raises(UnsentChanges, match="2 changes not yet sent") as refused:
            await sessions.remove(added.id)
        assert refused.value.count == 2
        assert await sessions.unsent(added.id) == 2, "nothing lost by the refusal"

        await sessions.remove(added.id, lose_unsent=True)

        assert [account.id for account in sessions.registry] == ["1"]
        assert sessions.session(added.id) is None
        assert await KeyStore(service=key_service, account=added.key_entry).get() is None
        assert not cache_path_of(added).exists()
        assert await KeyStore(service=key_service, account=first_account().key_entry).get() == FIRST_KEY
        saved = load_accounts()
        assert saved is not None and [account.id for account in saved] == ["1"]
        with pytest.raises(AccountError, match="only account"):
            await sessions.remove("1", lose_unsent=True)
