"""Fuzzing the emulator's request handling: arbitrary methods, paths, query strings, headers and bodies.

Every answer must be a JSON envelope (``{"error", "message"}`` on failure) with a documented status, never a
500 or a traceback. Most examples go in-process through the ASGI app (``httpx.ASGITransport``, fast); a
sample goes over a real loopback socket. ``make fuzz`` raises the budget through ``KLEN_FUZZ_EXAMPLES``.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pytest
from fixtures_emulator import RO_KEY, RW_KEY, STANDARD_KEYS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from klen_desktop.emulator import EmulatorServer

LONG_RUN = int(os.environ.get("KLEN_FUZZ_EXAMPLES", "0") or 0)
DOCUMENTED = {200, 201, 400, 401, 403, 404, 405, 429}
API = "/api/v1/calendar"
FIELDS = [
    "title", "description", "start_time", "end_time", "event_type", "status", "location", "customer_name",
    "customer_email", "customer_phone", "customer_notes", "has_video_conference", "video_conference_url",
    "video_conference_provider", "is_reminder_enabled", "remind_before_minutes", "ai_agent_id", "team_id",
    "created_by_ai_agent", "sync_external_calendars", "send_notifications", "reason",
]  # fmt: skip
PARAMS = ["start_date", "end_date", "status", "event_type", "page", "limit", "duration", "api_key", "search"]


def fuzz_settings(ci_examples: int, *, long_share: int = 1) -> settings:
    # Moderate in CI; under make fuzz the budget (divided by long_share for the slower socket property).
    return settings(
        max_examples=max(LONG_RUN // long_share, ci_examples),
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )


any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
scalars = st.none() | st.booleans() | st.integers() | st.floats() | any_text
json_values: st.SearchStrategy[Any] = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(any_text, inner, max_size=3), max_leaves=10
)
# Values a field could plausibly get, and garbage: dates, times, ids, enum words, huge numbers.
field_values = st.one_of(
    json_values,
    st.sampled_from(["2025-06-01", "2025-06-01T10:00:00Z", "2025-06-01T11:00:00+02:00", "meeting", "confirmed"]),
    st.datetimes().map(lambda d: d.isoformat()),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.text(min_size=250, max_size=300),
)
bodies = st.one_of(
    st.none(),
    st.dictionaries(st.sampled_from(FIELDS) | any_text, field_values, max_size=8).map(json.dumps),
    st.fixed_dictionaries(
        {"title": field_values, "start_time": field_values, "end_time": field_values},
        optional={name: field_values for name in FIELDS if name not in ("title", "start_time", "end_time")},
    ).map(json.dumps),
    json_values.map(json.dumps),
    st.binary(max_size=60).map(lambda b: b.decode("latin-1")),
    st.just('{"title": "x", "start_time": '),  # truncated JSON
)
segments = st.one_of(
    st.integers(min_value=-5, max_value=2**64).map(str),
    st.sampled_from(["1", "2", "0", "create", "update", "cancel", "..", "%00", "events", " ", "²", "١٢"]),
    any_text.map(lambda t: quote(t, safe="")),
)
paths = st.one_of(
    st.builds(lambda s: f"{API}/events/{s}", segments),
    st.builds(lambda s, t: f"{API}/events/{s}/{t}", segments, st.sampled_from(["update", "cancel", "x", ""])),
    st.sampled_from([f"{API}/events", f"{API}/events/create", f"{API}/availability", f"{API}/events/"]),
    st.builds(lambda s: f"/calendar/event/{s}/calendar.ics", segments),
    st.builds(lambda s: f"/api/v1/{s}", segments),
)
queries = st.one_of(
    st.lists(st.tuples(st.sampled_from(PARAMS) | any_text, field_values.map(str)), max_size=5).map(urlencode),
    any_text.map(lambda t: quote(t, safe="=&")),
)
key_headers = st.one_of(
    st.just({"Authorization": f"Bearer {RW_KEY}"}),  # twice: most requests should get past authentication
    st.just({"Authorization": f"Bearer {RW_KEY}"}),
    st.just({}),
    st.sampled_from([RW_KEY, RO_KEY, "klen_test_revoked", "nope", ""]).map(lambda k: {"Authorization": f"Bearer {k}"}),
    st.sampled_from([RW_KEY, "x"]).map(lambda k: {"X-API-Key": k}),
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40).map(lambda v: {"Authorization": v}),
)
# Header values httpx can put on the wire: latin-1 without line breaks.
header_values = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=40)
extra_headers = st.dictionaries(
    st.sampled_from(["Content-Type", "Accept", "Content-Encoding", "X-Forwarded-For", "Origin", "X-Fuzz"]),
    header_values,
    max_size=3,
)
methods = st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "FUZZ"])
requests = st.fixed_dictionaries(
    {
        "method": methods,
        "path": paths,
        "query": queries,
        "body": bodies,
        "headers": st.builds(lambda a, b: a | b, extra_headers, key_headers),
    }
)


def check_answer(method: str, response: httpx.Response) -> None:
    """A documented status, and a JSON envelope unless it is the ICS file or a HEAD."""
    assert response.status_code in DOCUMENTED, (response.status_code, response.text[:300])
    assert "Traceback" not in response.text
    if method == "HEAD":
        return
    if response.status_code == 200 and response.headers.get("content-type", "").startswith("text/calendar"):
        assert response.text.startswith("BEGIN:VCALENDAR")
        return
    body = response.json()
    assert isinstance(body, dict)
    if response.status_code >= 400:
        assert isinstance(body.get("error"), str) and body["error"]
        assert isinstance(body.get("message"), str)


def send(client: httpx.Client | httpx.AsyncClient, request: dict[str, Any]) -> Any:
    url = request["path"] + ("?" + request["query"] if request["query"] else "")
    content = None if request["body"] is None else request["body"].encode("utf-8", "surrogatepass")
    headers = {name: value.encode("latin-1") for name, value in request["headers"].items()}  # httpx takes str as ascii
    return client.request(request["method"], url, content=content, headers=headers)


@pytest.fixture(scope="module")
def asgi_server() -> Iterator[EmulatorServer]:
    # A private, never-started emulator: its state (events, limits) is this module's alone.
    server = EmulatorServer(seed="demo", keys=STANDARD_KEYS)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    # A plain loop of this module's own: ASGITransport is async-only, and the suite's qasync loop is not needed.
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@fuzz_settings(400)
@given(request=requests)
def test_any_request_in_process_gets_a_documented_json_answer(
    asgi_server: EmulatorServer, loop: asyncio.AbstractEventLoop, request: dict[str, Any]
) -> None:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=asgi_server.asgi_app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            response: httpx.Response = await send(client, request)
            return response

    check_answer(request["method"], loop.run_until_complete(go()))


@fuzz_settings(40, long_share=20)
@given(request=requests)
def test_any_request_over_loopback_gets_a_documented_json_answer(api, emulator, request: dict[str, Any]) -> None:
    # The real server: uvicorn's own parsing of odd paths, headers and bodies is part of what is fuzzed.
    client = api(key=None)
    try:
        response = send(client, request)
    except (httpx.LocalProtocolError, httpx.InvalidURL):
        return  # the client itself refused to send it (h11 rules out e.g. a header value ending in a space)
    check_answer(request["method"], response)


@pytest.mark.parametrize("ref", ["9223372036854775808", "9223372036854775807", "1" * 40, "²", "١٢"])
@pytest.mark.parametrize(("method", "suffix"), [("GET", ""), ("PATCH", "/update"), ("POST", "/cancel")])
def test_ids_sqlite_cannot_hold_are_not_found(
    asgi_server: EmulatorServer, loop: asyncio.AbstractEventLoop, ref: str, method: str, suffix: str
) -> None:
    # Found by the fuzzer: an id past 2**63 - 1 (or a non-ASCII digit) made the event lookup fail with a 500.
    request = {"method": method, "path": f"{API}/events/{quote(ref)}{suffix}", "query": "", "body": "{}"}
    request["headers"] = {"Authorization": f"Bearer {RW_KEY}", "Content-Type": "application/json"}

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=asgi_server.asgi_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            response: httpx.Response = await send(client, request)
            return response

    response = loop.run_until_complete(go())
    assert response.status_code == 404, response.text
    assert response.json()["error"] == "not_found"
