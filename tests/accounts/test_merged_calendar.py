"""Every account's calendar as one: events under handles that tell the accounts apart, each action sent to the
account its event belongs to, new events to the account the user chose."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from accounts_harness import build_session, no_demo
from reading import eventually

from klen_desktop.accounts.migration import first_account
from klen_desktop.accounts.model import AccountError
from klen_desktop.accounts.registry import AccountRegistry
from klen_desktop.api.models import EventStatus
from klen_desktop.drafts import EventDraft
from klen_desktop.emulator import ApiKeySpec, EmulatorServer
from klen_desktop.secrets import KeyStore
from klen_desktop.session.accounts import AccountSessions, DemoConnection
from klen_desktop.session.connection import Connection
from klen_desktop.session.merged import MergedCalendar

pytestmark = [pytest.mark.asyncio, pytest.mark.session]

KEYS = ("klen_test_merged_first", "klen_test_merged_second")


def in_hours(hours: int) -> datetime:
    return (datetime.now(UTC) + timedelta(hours=hours)).replace(minute=0, second=0, microsecond=0)


def calendar(make_emulator: Callable[..., EmulatorServer], key: str, title: str) -> EmulatorServer:
    server = make_emulator(keys=(ApiKeySpec(key, rpm=100_000),))
    server.admin.insert_events([{"title": title, "start_time": in_hours(3), "end_time": in_hours(4)}])
    return server


async def merged_calendar(
    registry: AccountRegistry, first: EmulatorServer, key_service: str, folders: Path, demo: DemoConnection
) -> MergedCalendar:
    """The app's calendar over ``registry``, its first account on ``first``, started."""
    keys = KeyStore(service=key_service)
    await keys.for_entry(first_account().key_entry).set(KEYS[0])
    accounts = AccountSessions(registry, build=build_session, demo=demo, live_base_url=first.url, keys=keys)
    first_session = build_session(Connection(first.url, KEYS[0], demo=False), folders / "first.sqlite3")
    merged = MergedCalendar(accounts, "1", first_session)
    merged.start()
    return merged


async def test_one_calendar_of_two_accounts_routes_every_action_to_its_own_account(
    make_emulator: Callable[..., EmulatorServer], key_service: str, user_folders: Path
) -> None:
    first = calendar(make_emulator, KEYS[0], "Dental check-up")
    second = calendar(make_emulator, KEYS[1], "Roof inspection")
    registry = AccountRegistry((first_account(),))
    roofing = registry.new_account("Roofing client", base_url=second.url)
    await KeyStore(service=key_service, account=roofing.key_entry).set(KEYS[1])
    merged = await merged_calendar(registry.with_account(roofing), first, key_service, user_folders, no_demo)
    try:

        async def both() -> bool:
            return len(await merged.all_events()) == 2

        await eventually(both, "both accounts' events")
        events = {event.title: event for event in await merged.all_events()}
        dental, roof = events["Dental check-up"], events["Roof inspection"]
        # Both calendars call their event 1: the first account keeps its id, the other gets a handle of its own.
        assert dental.id == 1 and roof.id != 1
        assert (merged.account_of(dental.id), merged.account_of(roof.id)) == ("1", roofing.id)
        assert (merged.label_of(dental.id), merged.label_of(roof.id)) == ("Klen", "Roofing client")
        assert merged.several and not merged.demo

        await merged.cancel(roof.id, "Customer rescheduled")
        start = in_hours(6)
        queued = await merged.save(
            EventDraft(title="Quote visit", start=start, end=start + timedelta(hours=1)), account_id=roofing.id
        )
        assert merged.account_of(queued.seq) == roofing.id
        await merged.change_status(dental.id, EventStatus.CONFIRMED)

        def server_events(server: EmulatorServer) -> dict[str, str]:
            return {event["title"]: event["status"] for event in server.admin.all_events()}

        async def sent() -> bool:
            return not await merged.outbox_entries()

        await eventually(sent, "every queued change sent")
        assert server_events(second) == {"Roof inspection": "cancelled", "Quote visit": "scheduled"}
        assert server_events(first) == {"Dental check-up": "confirmed"}
        local = await merged.event(dental.id)
        assert local is not None and local.id == dental.id and local.status is EventStatus.CONFIRMED
        with pytest.raises(AccountError, match="first account"):
            await merged.remove_account("1")
    finally:
        await merged.stop()


async def test_the_demo_calendar_is_one_account_among_others_once(
    make_emulator: Callable[..., EmulatorServer], key_service: str, user_folders: Path
) -> None:
    first = calendar(make_emulator, KEYS[0], "Dental check-up")
    sample = calendar(make_emulator, KEYS[1], "Sample consultation")

    async def demo() -> Connection:
        return Connection(sample.url, KEYS[1], demo=True)

    keys = KeyStore(service=key_service)
    await keys.for_entry(first_account().key_entry).set(KEYS[0])
    registry = AccountRegistry((first_account(),))
    accounts = AccountSessions(registry, build=build_session, demo=demo, live_base_url=first.url, keys=keys)
    merged = MergedCalendar(
        accounts, "1", build_session(Connection(first.url, KEYS[0], demo=False), user_folders / "a")
    )
    merged.start()
    try:
        demo_account = await accounts.add_demo()

        async def both() -> bool:
            return {event.title for event in await merged.all_events()} == {"Dental check-up", "Sample consultation"}

        await eventually(both, "the demo calendar beside the first account's")
        assert not merged.demo, "a demo account beside a keyed one does not make the app a demo"
        overview = {row.name: row for row in merged.overview(())}
        assert overview["Demo"].demo and not overview["Klen"].demo
        assert merged.problem(demo_account.id) is None
    finally:
        await merged.stop()
