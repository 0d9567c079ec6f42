"""A hostile server on loopback cannot hang, flood or crash the client: every answer ends as a value or a typed
error within a deadline and a size cap (a body dripping a byte at a time, 40 MB of JSON, nesting 100,000 deep,
an id of 10^30, a Retry-After of a billion seconds, an HTML page with status 200)."""

from __future__ import annotations

import asyncio
import gc
import time
import tracemalloc
from typing import Any

import httpx
import pytest
from raw_http import WIRE_EVENT, RawServer, answer, drip, flood

from klen_desktop.api.client import KlenClient
from klen_desktop.api.constants import MAX_JSON_BYTES, MAX_WAIT, attempt_deadline
from klen_desktop.api.errors import KlenError, MalformedResponse, RateLimited, ServerFailed, TimedOut
from klen_desktop.api.retry import DEFAULT_RETRY, NO_RETRY, RetryPolicy

pytestmark = pytest.mark.timeout(60)

KEY = "klen_hostile_test"
EVENT = WIRE_EVENT
PAGE = {"count": 1, "page": 1, "limit": 100, "pages": 1, "events": [EVENT]}
SHORT = httpx.Timeout(0.5)  # a 2-second deadline per attempt


def client_for(server: RawServer, *, timeout: httpx.Timeout = SHORT, retry: Any = NO_RETRY) -> KlenClient:
    return KlenClient(server.url, KEY, timeout=timeout, retry=retry)


async def failure_of(server: RawServer, **options: Any) -> KlenError:
    async with client_for(server, **options) as client:
        with pytest.raises(KlenError) as caught:
            await asyncio.wait_for(client.list_events(), 20)
    return caught.value


def test_the_attempt_deadline_is_the_sum_of_the_phases() -> None:
    assert attempt_deadline(SHORT) == 2.0
    assert attempt_deadline(httpx.Timeout(5.0, read=None)) == 60.0


@pytest.mark.asyncio
async def test_a_dripping_body_ends_as_timed_out_at_the_deadline() -> None:
    body = b" " * 200 + b"{}"
    async with RawServer([drip(body, 0.1)]) as server:
        started = time.monotonic()
        error = await failure_of(server)
        took = time.monotonic() - started
    assert isinstance(error, TimedOut)
    assert "within 2 s" in error.message
    # The read timeout (0.5 s) never fired: each byte reset it. Only the total deadline ended the attempt.
    assert 1.9 < took < 5


@pytest.mark.asyncio
async def test_a_dripping_body_is_retried_within_the_budget_then_given_up() -> None:
    async with RawServer([drip(b" " * 200, 0.1)]) as server:
        error = await failure_of(server, retry=RetryPolicy(max_attempts=2, total_budget=30.0))
        assert len(server.requests) == 2
    assert isinstance(error, TimedOut)


@pytest.mark.asyncio
async def test_an_endless_body_is_dropped_past_the_cap_with_memory_bounded() -> None:
    async with RawServer([flood(5 * MAX_JSON_BYTES)]) as server:
        tracemalloc.start()
        try:
            error = await failure_of(server, timeout=httpx.Timeout(10.0))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        # The body's iterators were closed where the read stopped, not left to the collector (qasync has no
        # asyncgen hooks): collecting now must not report an exception ignored in one of them.
        gc.collect()
    assert isinstance(error, MalformedResponse)
    assert "larger than 8 MB" in error.message
    assert peak < 3 * MAX_JSON_BYTES, f"peak {peak / 1e6:.0f} MB"


@pytest.mark.asyncio
async def test_a_declared_huge_body_is_refused_unread() -> None:
    async with RawServer([flood(200_000_000, declare=True)]) as server:
        error = await failure_of(server, timeout=httpx.Timeout(10.0))
    assert isinstance(error, MalformedResponse) and "larger than" in error.message


@pytest.mark.asyncio
async def test_an_answer_just_under_the_cap_is_read() -> None:
    padded = {**PAGE, "padding": "x" * (MAX_JSON_BYTES - 1000)}
    async with RawServer([answer(200, padded)]) as server, client_for(server, timeout=httpx.Timeout(10.0)) as client:
        page = await client.list_events()
    assert [event.id for event in page.events] == [7]


@pytest.mark.asyncio
async def test_a_huge_error_page_still_maps_by_its_status() -> None:
    big = b"<html>" + b"x" * (2 * MAX_JSON_BYTES) + b"</html>"
    async with RawServer([answer(503, big, [("Content-Type", "text/html")])]) as server:
        error = await failure_of(server, timeout=httpx.Timeout(10.0))
    assert isinstance(error, ServerFailed) and error.status == 503
    assert len(error.message) < 500


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        b'{"count": NaN, "page": 1, "limit": 1, "pages": 1, "events": []}',
        b"\xff\xfe\x00garbage",
    ],
    ids=["deep-array", "deep-object", "nan", "bad-encoding"],
)
@pytest.mark.asyncio
async def test_an_unreadable_body_is_a_malformed_response(body: bytes) -> None:
    async with RawServer([answer(200, body)]) as server:
        error = await failure_of(server)
    assert isinstance(error, MalformedResponse)
    assert "not valid JSON" in error.message


@pytest.mark.asyncio
async def test_a_number_past_64_bits_is_a_bad_value_where_it_is_read_and_nothing_where_it_is_not() -> None:
    huge = 10**30
    good = {**WIRE_EVENT, "id": 8, "x_extra": huge}  # an unknown field: the event reads as if it were not there
    bad = {**WIRE_EVENT, "id": huge}
    body = {"count": 2, "page": 1, "limit": 100, "pages": 1, "events": [good, bad], "x_total": huge}
    async with RawServer([answer(200, body)]) as server, client_for(server) as client:
        page = await asyncio.wait_for(client.list_events(), 20)
    assert [event.id for event in page.events] == [8]
    assert [(item.index, item.id) for item in page.rejected] == [(1, None)]
    assert "'id'" in page.rejected[0].reason and "beyond 64 bits" in page.rejected[0].reason


@pytest.mark.asyncio
async def test_a_bare_5000_digit_number_is_a_malformed_answer() -> None:
    async with RawServer([answer(200, b"9" * 5000)]) as server:
        error = await failure_of(server)
    assert isinstance(error, MalformedResponse)
    assert "Expected a JSON object" in error.message


@pytest.mark.asyncio
async def test_deep_json_inside_an_optional_field_leaves_the_event_without_it() -> None:
    # Within the decoder's reach but deep enough that model validation could recurse without end: the broken
    # optional fields fall back to their defaults and the event itself is kept.
    nested: Any = 1
    for _ in range(900):
        nested = {"name": nested}
    body = {**PAGE, "events": [{**EVENT, "customer": nested, "ai_agent": nested}]}
    async with RawServer([answer(200, body)]) as server, client_for(server) as client:
        page = await asyncio.wait_for(client.list_events(), 20)
    [event] = page.events
    assert event.id == EVENT["id"] and event.customer is None and event.ai_agent is None


@pytest.mark.asyncio
async def test_deep_json_in_a_required_field_is_a_malformed_response() -> None:
    nested: Any = "Standup"
    for _ in range(900):
        nested = {"text": nested}
    body = {"count": nested, "page": 1, "limit": 100, "pages": 1, "events": [EVENT]}
    async with RawServer([answer(200, body)]) as server:
        error = await failure_of(server)
    assert isinstance(error, MalformedResponse)


@pytest.mark.asyncio
async def test_an_html_page_with_status_200_is_not_taken_for_an_answer() -> None:
    async with RawServer([answer(200, PAGE, [("Content-Type", "text/html; charset=utf-8")])]) as server:
        error = await failure_of(server)
    assert isinstance(error, MalformedResponse)
    assert "text/html, not JSON" in error.message and "proxy" in error.message


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("1000000000", MAX_WAIT),
        ("1000000000000", MAX_WAIT),
        ("Fri, 31 Dec 9999 23:59:59 GMT", MAX_WAIT),
        ("-5", 0.0),
        ("NaN", None),
        ("soon, maybe", None),
        ("30, 1000000000", MAX_WAIT),
    ],
)
@pytest.mark.asyncio
async def test_retry_after_from_the_wire_is_bounded(header: str, expected: float | None) -> None:
    reply = answer(
        429,
        {"error": "rate_limit_exceeded", "message": "slow down"},
        [("Content-Type", "application/json"), ("Retry-After", header)],
    )
    long_wait = expected == MAX_WAIT
    async with RawServer([reply]) as server:
        error = await failure_of(server, retry=DEFAULT_RETRY if long_wait else NO_RETRY)
        assert len(server.requests) == 1  # a wait past the retry budget ends the call at once
    assert isinstance(error, RateLimited)
    assert error.retry_after == expected
    if long_wait:
        assert "(in 1 h)." in error.message


@pytest.mark.asyncio
async def test_a_server_message_of_a_megabyte_is_cut_short() -> None:
    body = {"error": "server_error", "message": "boom " * 200_000}
    async with RawServer([answer(500, body)]) as server:
        error = await failure_of(server)
    assert isinstance(error, ServerFailed)
    assert len(error.message) < 500 and "boom" in error.message


@pytest.mark.asyncio
async def test_retry_after_sent_twice_and_odd_header_bytes_are_read_safely() -> None:
    raw = (
        b"HTTP/1.1 429 Too Many\r\nConnection: close\r\nContent-Type: application/json\r\n"
        b"Retry-After: 30\r\nRetry-After: 1000000000\r\nX-Odd: \xff\xfe\xe9t\xe9\r\nContent-Length: 2\r\n\r\n{}"
    )

    async def reply(writer: asyncio.StreamWriter) -> None:
        writer.write(raw)
        await writer.drain()

    async with RawServer([reply]) as server:
        error = await failure_of(server)
    assert isinstance(error, RateLimited) and error.retry_after == MAX_WAIT
