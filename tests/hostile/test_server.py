"""The hostile server itself: it says exactly what it is told on the wire, answers sanely otherwise, stays bounded,
and works under the suite's qasync loop, a plain asyncio loop or no loop at all."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from hostile.server import EVENTS_PATH, HostileServer, Reply, event, repeated
from klen_desktop.api.client import KlenClient
from klen_desktop.emulator.model import EventRow

pytestmark = pytest.mark.timeout(60)


def authorized(server: HostileServer, timeout: float = 5.0) -> httpx.Client:
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {server.api_key}"}, timeout=timeout)


def soon(count: int) -> list[EventRow]:
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=2)
    return [event(i + 1, start + timedelta(hours=i)) for i in range(count)]


@pytest.mark.asyncio
async def test_the_real_client_walks_the_sane_calendar_under_qasync_and_sends_the_key_only_as_bearer(
    hostile: HostileServer,
) -> None:
    hostile.calendar.set(soon(230))
    today = datetime.now(UTC).date()
    async with KlenClient(hostile.url, hostile.api_key) as client:
        listed = await client.list_all_events(start_date=today, end_date=today + timedelta(days=30))
        detail = await client.get_event(listed[5].id)

    assert [e.id for e in listed] == list(range(1, 231))
    assert detail.id == listed[5].id and detail.ics_url
    assert [r.query["page"] for r in hostile.list_requests()] == ["1", "2", "3"]
    hostile.assert_key_only_as_bearer()
    assert all(hostile.api_key not in value for r in hostile.requests for _, value in r.headers)


def test_a_plain_asyncio_loop_and_a_missing_key_get_the_api_401(hostile: HostileServer) -> None:
    async def anonymous() -> httpx.Response:
        async with httpx.AsyncClient(base_url=hostile.url) as client:
            return await client.get(EVENTS_PATH)

    loop = asyncio.new_event_loop()
    try:
        answer = loop.run_until_complete(anonymous())
    finally:
        loop.close()
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_key"
    with pytest.raises(AssertionError, match="lacks the Bearer key"):
        hostile.assert_key_only_as_bearer()


def test_a_key_in_the_query_string_is_caught(hostile: HostileServer) -> None:
    with authorized(hostile) as client:
        client.get(EVENTS_PATH, params={"api_key": hostile.api_key})
    with pytest.raises(AssertionError, match="outside Authorization"):
        hostile.assert_key_only_as_bearer()


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (Reply.dropped("before_headers"), "without sending a response"),
        (Reply.dropped("mid_headers", 10), "without sending a response"),
        (Reply.dropped("mid_body", 5, b"0123456789"), "received 5 bytes, expected 10"),
        (Reply(body=b"abc", content_length=10), "received 3 bytes, expected 10"),
    ],
    ids=["before-headers", "mid-headers", "mid-body", "content-length-too-long"],
)
def test_drops_and_lying_lengths_reach_the_client_as_broken_exchanges(
    hostile: HostileServer, reply: Reply, error: str
) -> None:
    hostile.script("/x", [reply])
    with authorized(hostile) as client, pytest.raises(httpx.RemoteProtocolError, match=error):
        client.get("/x")


def test_bodies_arrive_exactly_as_framed_and_keep_alive_is_honoured(hostile: HostileServer) -> None:
    hostile.script(
        "/x",
        [
            Reply(body=b"abcdef", chunked=True),
            Reply(body=repeated(b"z" * 1000, 5000, head=b"<", tail=b">"), keep_alive=False),
            Reply(body=b"short", content_length=3, content_type="text/plain"),
        ],
    )
    with authorized(hostile) as client:
        chunked = client.get("/x")
        streamed = client.get("/x")
        cut = client.get("/x")
        sane = client.get(EVENTS_PATH)

    assert chunked.content == b"abcdef" and chunked.headers["transfer-encoding"] == "chunked"
    assert len(streamed.content) == 5000 and streamed.content[:2] == b"<z" and streamed.content[-1:] == b">"
    assert cut.content == b"sho"
    assert sane.json()["count"] == 0
    # One connection for the chunked answer, a new one after the streamed answer closed it, and after the lie.
    assert hostile.connections_opened == 3


def test_delay_and_drip_take_the_time_asked_for(hostile: HostileServer) -> None:
    hostile.script("/x", [Reply(body=b"late", delay=0.3), Reply(body=b"0123456789", drip=(2, 0.1))])
    with authorized(hostile) as client:
        started = time.monotonic()
        assert client.get("/x").content == b"late"
        delayed = time.monotonic() - started
        started = time.monotonic()
        assert client.get("/x").content == b"0123456789"
        dripped = time.monotonic() - started
    assert delayed >= 0.3
    assert dripped >= 0.4  # five sends of two bytes, 0.1 s apart


def test_a_script_function_sees_each_request_and_its_number(hostile: HostileServer) -> None:
    hostile.script(
        EVENTS_PATH, lambda request, n: Reply.json({"n": n, "page": request.query["page"]}) if n < 3 else None
    )
    with authorized(hostile) as client:
        answers = [client.get(EVENTS_PATH, params={"page": str(p)}).json() for p in (1, 2, 3)]
    assert answers[:2] == [{"n": 1, "page": "1"}, {"n": 2, "page": "2"}]
    assert answers[2]["count"] == 0  # past the script, the sane answer


def test_the_server_bounds_a_connection_and_its_own_life() -> None:
    server = HostileServer(connection_limit=0.5, lifetime=2.0).start()
    server.script("/x", Reply(body=b"x" * 100, drip=(1, 0.05)))  # would take 5 s
    started = time.monotonic()
    with authorized(server) as client, pytest.raises(httpx.RemoteProtocolError):
        client.get("/x")
    assert time.monotonic() - started < 2.0
    assert server.wait_stopped(5.0), "the server outlived its lifetime"
    server.stop()
