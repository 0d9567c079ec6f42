"""Every error class, as the emulator really produces it, reaches the caller typed and explained."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest
from api_helpers import MakeClient, RecordingSleep, api_records, event_input

from klen_desktop.api.client import KlenClient
from klen_desktop.api.errors import (
    ApiStatusError,
    ConnectionFailed,
    EventNotFound,
    InvalidRequest,
    KeyRejected,
    MalformedResponse,
    PermissionMissing,
    RateLimited,
    ServerFailed,
    TimedOut,
)
from klen_desktop.api.models import EventPatch
from klen_desktop.api.retry import NO_RETRY
from klen_desktop.emulator.keys import ApiKeySpec

pytestmark = pytest.mark.asyncio(loop_scope="session")
CREATE = "/api/v1/calendar/events/create"
EVENTS = "/api/v1/calendar/events"


async def test_missing_title_names_the_field(client: KlenClient) -> None:
    with pytest.raises(InvalidRequest) as caught:
        await client.create_event(event_input("   "))
    error = caught.value
    assert (error.status, error.code, error.field) == (400, "missing_parameter", "title")
    assert "title" in str(error) and error.method == "POST" and error.path == CREATE


async def test_end_before_start_names_the_field(client: KlenClient) -> None:
    with pytest.raises(InvalidRequest) as caught:
        await client.create_event(event_input("Backwards", minutes=-30))
    assert (caught.value.code, caught.value.field) == ("validation_error", "end_time")


async def test_bad_duration_names_the_parameter(client: KlenClient) -> None:
    with pytest.raises(InvalidRequest) as caught:
        await client.availability(start_date=date(2027, 3, 1), duration=500)
    assert (caught.value.code, caught.value.field) == ("invalid_duration", "duration")


async def test_reversed_date_range_is_invalid(client: KlenClient) -> None:
    with pytest.raises(InvalidRequest) as caught:
        await client.list_events(start_date=date(2027, 3, 2), end_date=date(2027, 3, 1))
    assert caught.value.code == "invalid_parameter_format"
    assert caught.value.field == "end_date"


async def test_unknown_and_revoked_keys_are_rejected(make_client: MakeClient, revoked_key: str) -> None:
    for key in ("klen_not_a_real_key", revoked_key):
        with pytest.raises(KeyRejected) as caught:
            await make_client(key).list_events()
        assert (caught.value.status, caught.value.code) == (401, "invalid_key")
        assert "Settings" in str(caught.value)


async def test_read_only_key_cannot_write(make_client: MakeClient, ro_key: str, emulator: Any) -> None:
    reader = make_client(ro_key)
    assert (await reader.list_events()).page == 1

    with pytest.raises(PermissionMissing) as caught:
        await reader.create_event(event_input("Not allowed"))

    assert caught.value.permission == "can_write_calendar"
    assert caught.value.status == 403 and caught.value.code == "permission_denied"
    assert all(event["title"] != "Not allowed" for event in emulator.admin.all_events())


async def test_write_only_key_cannot_read(make_client: MakeClient, emulator: Any) -> None:
    emulator.admin.add_key(ApiKeySpec(key="klen_write_only", can_read=False, can_write=True, rpm=1000))
    with pytest.raises(PermissionMissing) as caught:
        await make_client("klen_write_only").availability()
    assert caught.value.permission == "can_read_calendar"


async def test_missing_event_is_not_found(client: KlenClient) -> None:
    for ref in (987654, "f47ac10b-58cc-4372-a567-0e02b2c3d479"):
        with pytest.raises(EventNotFound) as caught:
            await client.get_event(ref)
        assert caught.value.code == "not_found"
    with pytest.raises(EventNotFound):
        await client.update_event(987654, EventPatch(title="x"))
    with pytest.raises(EventNotFound):
        await client.cancel_event(987654)


async def test_per_minute_limit_is_not_the_daily_limit(make_client: MakeClient, emulator: Any) -> None:
    emulator.admin.add_key(ApiKeySpec(key="klen_slow", rpm=1))
    slow = make_client("klen_slow", retry=NO_RETRY)
    await slow.list_events()
    with pytest.raises(RateLimited) as caught:
        await slow.list_events()
    assert caught.value.daily_limit is False
    assert caught.value.retry_after is not None and 0 < caught.value.retry_after <= 60


async def test_daily_limit_51st_create_is_refused_at_once(make_client: MakeClient, emulator: Any) -> None:
    emulator.admin.add_key(ApiKeySpec(key="klen_daily", daily_limit=50, rpm=1000))
    sleep = RecordingSleep()
    writer = make_client("klen_daily", sleep=sleep)
    for n in range(50):
        await writer.create_event(event_input(f"Booking {n}"))
    sent_before = writer.requests_sent

    with pytest.raises(RateLimited) as caught:
        await writer.create_event(event_input("Booking 51"))

    error = caught.value
    assert error.daily_limit is True
    assert error.retry_after is not None and 0 < error.retry_after <= 24 * 3600
    assert "Daily limit of 50 new events reached" in str(error) and "rate_limit" not in str(error)
    assert sleep.delays == [] and writer.requests_sent == sent_before + 1  # never retried
    assert len(emulator.admin.all_events()) == 50


async def test_server_error_after_retries(make_client: MakeClient, rw_key: str, emulator: Any) -> None:
    emulator.faults.fail_next(10, status=503, method="GET")
    with pytest.raises(ServerFailed) as caught:
        await make_client(rw_key).list_events()
    assert caught.value.status == 503 and caught.value.code == "server_error"


async def test_invalid_json_is_malformed(client: KlenClient, emulator: Any) -> None:
    emulator.faults.malformed_next(1, method="GET")
    with pytest.raises(MalformedResponse, match="not valid JSON"):
        await client.list_events()


async def test_oversized_ics_is_refused(client: KlenClient) -> None:
    created = await client.create_event(event_input("Big"))
    with pytest.raises(MalformedResponse, match="larger than 10 bytes"):
        await client.download_ics(f"/calendar/event/{created.uuid}/calendar.ics", max_bytes=10)


async def test_refused_connection_never_reached_the_server(rw_key: str) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on ``port`` now: the connection is refused before anything is sent.
    sleep = RecordingSleep()
    async with KlenClient(f"http://127.0.0.1:{port}", rw_key, sleep=sleep) as closed:
        with pytest.raises(ConnectionFailed) as caught:
            await closed.create_event(event_input("Never sent"))
        assert caught.value.reached_server is False
        assert not isinstance(caught.value, TimedOut)
        assert len(sleep.delays) == 3  # a create IS repeated when it certainly never left
        assert closed.requests_sent == 0


async def test_dropped_create_is_a_connection_failure(client: KlenClient, emulator: Any) -> None:
    emulator.faults.drop_next(1, method="POST", path=CREATE)
    with pytest.raises(ConnectionFailed) as caught:
        await client.create_event(event_input("Dropped"))
    assert caught.value.reached_server is True
    assert len(api_records(emulator, "POST", "/create")) == 1


async def test_slow_answer_times_out(make_client: MakeClient, rw_key: str, emulator: Any) -> None:
    emulator.faults.latency(0.5, method="GET", path=EVENTS)
    impatient = make_client(rw_key, timeout=0.1, retry=NO_RETRY)
    with pytest.raises(TimedOut) as caught:
        await impatient.list_events()
    assert caught.value.reached_server is True
    assert "in time" in str(caught.value)
    # The server still answers the abandoned request; wait for it so it cannot land in the next test's log.
    async with asyncio.timeout(5):
        while not api_records(emulator, "GET"):
            await asyncio.sleep(0.05)


def scripted(status: int, body: bytes, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
    """An httpx client whose every answer is the given one: a misbehaving proxy, which the emulator never is."""

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers=headers or {"content-type": "application/json"})

    return httpx.AsyncClient(transport=httpx.MockTransport(answer))


async def test_a_2xx_body_with_error_is_an_error(make_client: MakeClient, rw_key: str) -> None:
    body = b'{"id": 1, "uuid": "u", "error": "permission_denied", "message": "no can_write_calendar"}'
    async with scripted(200, body) as http:
        with pytest.raises(PermissionMissing) as caught:
            await make_client(rw_key, http=http).create_event(event_input("x"))
    assert caught.value.status == 200 and caught.value.permission == "can_write_calendar"


async def test_a_redirect_is_not_followed(make_client: MakeClient, rw_key: str) -> None:
    async with scripted(302, b"", {"location": "https://elsewhere.example/steal"}) as http:
        with pytest.raises(ApiStatusError) as caught:
            await make_client(rw_key, http=http).list_events()
    assert caught.value.status == 302


async def test_an_html_error_page_still_maps_by_status(make_client: MakeClient, rw_key: str) -> None:
    async with scripted(502, b"<html>Bad gateway</html>", {"content-type": "text/html"}) as http:
        with pytest.raises(ServerFailed) as caught:
            await make_client(rw_key, http=http, retry=NO_RETRY).get_event(1)
    assert caught.value.status == 502 and caught.value.code is None


async def test_a_2xx_that_is_not_json_is_malformed(make_client: MakeClient, rw_key: str) -> None:
    async with scripted(200, b"<html>captive portal</html>", {"content-type": "text/html"}) as http:
        with pytest.raises(MalformedResponse):
            await make_client(rw_key, http=http).availability()


async def test_a_json_answer_of_the_wrong_shape_is_malformed(make_client: MakeClient, rw_key: str) -> None:
    async with scripted(200, b'{"count": "many", "events": []}') as http:
        with pytest.raises(MalformedResponse) as caught:
            await make_client(rw_key, http=http).list_events()
    assert caught.value.field is not None


async def test_ics_of_an_unknown_event_is_not_found(client: KlenClient) -> None:
    with pytest.raises(EventNotFound):
        await client.download_ics("/calendar/event/f47ac10b-58cc-4372-a567-0e02b2c3d479/calendar.ics")


async def test_an_ics_download_that_is_not_icalendar_is_malformed(make_client: MakeClient, rw_key: str) -> None:
    async with scripted(200, b"<html>login</html>", {"content-type": "text/html"}) as http:
        with pytest.raises(MalformedResponse, match="not an iCalendar"):
            await make_client(rw_key, http=http).download_ics("/calendar/event/u/calendar.ics")


async def test_an_ics_stream_of_unannounced_size_is_capped(make_client: MakeClient, rw_key: str) -> None:
    async def endless() -> AsyncIterator[bytes]:
        yield b"BEGIN:VCALENDAR\r\n"
        for _ in range(100):
            yield b"X" * 1000

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=endless(), headers={"content-type": "text/calendar"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        with pytest.raises(MalformedResponse, match="larger than 5000 bytes"):
            await make_client(rw_key, http=http).download_ics("/calendar/event/u/calendar.ics", max_bytes=5000)
