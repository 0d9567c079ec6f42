"""Retries against real failures: reads and updates are repeated, a create is never sent twice when it may
have arrived, Retry-After is obeyed, and every retry loop stops at its bound."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from api_helpers import MakeClient, RecordingSleep, api_records, event_input

from klen_desktop.api.errors import ConnectionFailed, RateLimited, ServerFailed, TimedOut
from klen_desktop.api.models import EventPatch
from klen_desktop.api.retry import RetryPolicy

pytestmark = pytest.mark.asyncio(loop_scope="session")
CREATE = "/api/v1/calendar/events/create"
EVENTS = "/api/v1/calendar/events"


async def test_get_is_retried_after_5xx_and_dropped_connection(
    make_client: MakeClient, rw_key: str, emulator: Any
) -> None:
    emulator.faults.fail_next(1, status=500, method="GET", path=EVENTS)
    emulator.faults.drop_next(1, method="GET", path=EVENTS)
    sleep = RecordingSleep()
    client = make_client(rw_key, sleep=sleep)

    page = await client.list_events()

    assert page.page == 1
    assert len(sleep.delays) == 2
    assert [record.status for record in api_records(emulator, "GET", "/events")] == [500, None, 200]
    assert client.requests_sent == 3


async def test_retry_after_is_honoured(make_client: MakeClient, rw_key: str, emulator: Any) -> None:
    emulator.faults.rate_limit_next(2, retry_after=1, method="GET")
    sleep = RecordingSleep()

    await make_client(rw_key, sleep=sleep).availability()

    assert sleep.delays == [1.0, 1.0]


async def test_retry_after_really_waits_by_default(make_client: MakeClient, rw_key: str, emulator: Any) -> None:
    emulator.faults.rate_limit_next(1, retry_after=1, method="GET")
    loop = asyncio.get_running_loop()
    started = loop.time()
    await make_client(rw_key, sleep=asyncio.sleep).list_events()
    assert loop.time() - started >= 0.95


async def test_retry_after_past_budget_raises_at_once(make_client: MakeClient, rw_key: str, emulator: Any) -> None:
    emulator.faults.rate_limit_next(1, retry_after=120, method="GET")
    sleep = RecordingSleep()
    with pytest.raises(RateLimited) as caught:
        await make_client(rw_key, sleep=sleep).list_events()
    assert caught.value.retry_after == 120.0 and caught.value.daily_limit is False
    assert sleep.delays == []  # the caller schedules the work for later instead of blocking


async def test_retries_stop_at_the_attempt_bound(make_client: MakeClient, rw_key: str, emulator: Any) -> None:
    emulator.faults.fail_next(20, status=502, method="GET")
    sleep = RecordingSleep()
    client = make_client(rw_key, sleep=sleep, retry=RetryPolicy(max_attempts=4))

    with pytest.raises(ServerFailed):
        await client.list_events()

    assert len(api_records(emulator, "GET")) == 4
    assert len(sleep.delays) == 3
    assert all(0 <= delay <= 8 for delay in sleep.delays)


async def test_retries_stop_at_the_time_budget(make_client: MakeClient, rw_key: str, emulator: Any) -> None:
    emulator.faults.rate_limit_next(20, retry_after=3, method="GET")
    sleep = RecordingSleep()
    client = make_client(rw_key, sleep=sleep, retry=RetryPolicy(max_attempts=50, total_budget=10.0))

    with pytest.raises(RateLimited):
        await client.list_events()

    assert sleep.delays == [3.0, 3.0, 3.0]  # a fourth 3 s wait would end past the 10 s budget
    assert len(api_records(emulator, "GET")) == 4


async def test_create_is_not_repeated_after_the_answer_was_lost(
    make_client: MakeClient, rw_key: str, emulator: Any
) -> None:
    emulator.faults.drop_after_next(1, method="POST", path=CREATE)
    sleep = RecordingSleep()

    with pytest.raises(ConnectionFailed) as caught:
        await make_client(rw_key, sleep=sleep).create_event(event_input("Only once"))

    assert caught.value.reached_server is True
    assert [event["title"] for event in emulator.admin.all_events()].count("Only once") == 1
    assert len(api_records(emulator, "POST", "/create")) == 1
    assert sleep.delays == []


async def test_create_is_not_repeated_after_a_timeout(make_client: MakeClient, rw_key: str, emulator: Any) -> None:
    emulator.faults.latency(0.6, method="POST", path=CREATE)
    sleep = RecordingSleep()

    with pytest.raises(TimedOut):
        await make_client(rw_key, sleep=sleep, timeout=0.2).create_event(event_input("Slow create"))

    # Let the server finish the request it is still holding, then look: it was sent (and stored) once.
    async with asyncio.timeout(5):
        while not api_records(emulator, "POST", "/create"):
            await asyncio.sleep(0.05)
    await asyncio.sleep(0.2)  # room for a (wrong) second attempt to show up
    assert len(api_records(emulator, "POST", "/create")) == 1
    assert [event["title"] for event in emulator.admin.all_events()].count("Slow create") <= 1
    assert sleep.delays == []


async def test_create_is_not_repeated_after_a_5xx(make_client: MakeClient, rw_key: str, emulator: Any) -> None:
    emulator.faults.fail_next(1, status=500, method="POST", path=CREATE)
    with pytest.raises(ServerFailed):
        await make_client(rw_key).create_event(event_input("Maybe"))
    assert len(api_records(emulator, "POST", "/create")) == 1


async def test_create_is_retried_after_a_429(make_client: MakeClient, rw_key: str, emulator: Any) -> None:
    emulator.faults.rate_limit_next(1, retry_after=1, method="POST", path=CREATE)
    sleep = RecordingSleep()

    result = await make_client(rw_key, sleep=sleep).create_event(event_input("After the wait"))

    assert sleep.delays == [1.0]
    assert [event["id"] for event in emulator.admin.all_events() if event["title"] == "After the wait"] == [result.id]


async def test_cancel_is_not_repeated_after_a_dropped_connection(
    make_client: MakeClient, rw_key: str, emulator: Any
) -> None:
    client = make_client(rw_key)
    created = await client.create_event(event_input("Cancel me"))
    emulator.faults.drop_next(1, method="POST", path=f"{EVENTS}/{created.id}/cancel")
    with pytest.raises(ConnectionFailed):
        await client.cancel_event(created.id, reason="once")
    assert len(api_records(emulator, "POST", "/cancel")) == 1


async def test_patch_is_retried_after_the_answer_was_lost(make_client: MakeClient, rw_key: str, emulator: Any) -> None:
    client = make_client(rw_key)
    created = await client.create_event(event_input("Rename me"))
    emulator.faults.drop_after_next(1, method="PATCH")

    result = await client.update_event(created.id, EventPatch(title="Renamed"))

    assert result.title == "Renamed"
    assert [record.status for record in api_records(emulator, "PATCH")] == [None, 200]
