"""The API key goes to the server in the Authorization header and nowhere else: not in a URL, a log line,
an error message or a repr. Plain http leaves this computer never."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from api_helpers import BASE_TIME, MakeClient, RecordingSleep, api_records, event_input

from klen_desktop.api.client import KlenClient
from klen_desktop.api.errors import InsecureConnection, KeyRejected, KlenError, MalformedResponse
from klen_desktop.api.models import EventPatch
from klen_desktop.api.retry import RetryPolicy
from klen_desktop.emulator.keys import ApiKeySpec

pytestmark = pytest.mark.asyncio(loop_scope="session")
SECRET = "klen_s3cret_key_for_leak_checks_0123456789"
LOGGERS = ("klen_desktop", "httpx", "httpcore", "")


def everything_said_about(error: BaseException) -> str:
    """Message, repr, attributes and the whole formatted traceback of an error, chained causes included."""
    parts = [str(error), repr(error), repr(vars(error)), *traceback.format_exception(error)]
    return "\n".join(parts)


async def exercise(client: KlenClient, emulator: Any) -> list[KlenError]:
    """Run every endpoint plus a set of failures; return the errors raised."""
    errors: list[KlenError] = []
    created = await client.create_event(event_input("Leak check"))
    await client.get_event(created.uuid)
    await client.list_all_events(start_date=BASE_TIME.date(), end_date=BASE_TIME.date())
    await client.update_event(created.id, EventPatch(title="Leak check 2"))
    await client.replace_event(created.id, event_input("Leak check 3"))
    await client.availability()
    assert created.ics_url is not None
    await client.download_ics(created.ics_url)
    await client.cancel_event(created.id, reason="done")

    emulator.faults.fail_next(1, method="GET")
    emulator.faults.drop_next(1, method="GET")
    await client.list_events()  # retried through both

    cases: list[tuple[Callable[[], object], Callable[[], Awaitable[object]]]] = [
        (lambda: None, lambda: client.get_event(987654)),
        (lambda: None, lambda: client.create_event(event_input("  "))),
        (lambda: emulator.faults.malformed_next(1, method="GET"), client.list_events),
        (lambda: emulator.faults.rate_limit_next(1, retry_after=100, method="GET"), client.list_events),
        (lambda: emulator.faults.fail_next(3, method="GET"), client.list_events),
        (lambda: emulator.faults.drop_next(1, method="POST"), lambda: client.create_event(event_input("dropped"))),
        (lambda: emulator.admin.set_permissions(SECRET, can_read=False, can_write=True), client.availability),
        (lambda: emulator.admin.revoke_key(SECRET), client.availability),
    ]
    for arrange, call in cases:
        arrange()
        try:
            await call()
        except KlenError as error:
            errors.append(error)
    return errors


async def test_key_appears_in_no_log_error_repr_or_url(
    make_client: MakeClient, emulator: Any, caplog: pytest.LogCaptureFixture
) -> None:
    emulator.admin.add_key(ApiKeySpec(key=SECRET, rpm=10_000, daily_limit=1000))
    client = make_client(SECRET, retry=RetryPolicy(max_attempts=3), sleep=RecordingSleep())
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)

    errors = await exercise(client, emulator)

    assert [type(error).__name__ for error in errors] == [
        "EventNotFound",
        "InvalidRequest",
        "MalformedResponse",
        "RateLimited",
        "ServerFailed",
        "ConnectionFailed",
        "PermissionMissing",
        "KeyRejected",
    ]
    logged = "\n".join(f"{record.name} {record.getMessage()} {record.args!r}" for record in caplog.records)
    assert "/api/v1/calendar/events" in logged  # the logs were captured, they just hold no key
    assert any(record.name == "klen_desktop.api.asyncio_transport" for record in caplog.records)
    assert SECRET not in logged and SECRET not in caplog.text
    for error in errors:
        assert SECRET not in everything_said_about(error)
    assert SECRET not in repr(client) and "hidden" in repr(client)

    records = api_records(emulator)
    assert records and all(record.key == SECRET for record in records)
    for record in records:
        assert SECRET not in record.path and SECRET not in record.query
        assert record.key_source == "authorization"
        assert record.header("authorization") == f"Bearer {SECRET}"
        assert record.header("x-api-key") is None


async def test_a_server_echoing_the_key_is_scrubbed(make_client: MakeClient) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        echoed = request.headers["authorization"].removeprefix("Bearer ")
        return httpx.Response(401, json={"error": f"invalid_key {echoed}", "message": f"Key {echoed} is unknown"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        with pytest.raises(KeyRejected) as caught:
            await make_client(SECRET, http=http).list_events()
    said = everything_said_about(caught.value)
    assert SECRET not in said and "<hidden>" in said
    assert caught.value.code is not None and SECRET not in caught.value.code


@pytest.mark.parametrize(
    "url", ["http://api.klen.ai", "http://192.168.1.20:8000", "http://localhost.example.com", "http://[::2]:80"]
)
async def test_plain_http_to_another_host_is_refused(url: str) -> None:
    with pytest.raises(InsecureConnection) as caught:
        KlenClient(url, SECRET)
    assert SECRET not in everything_said_about(caught.value)


@pytest.mark.parametrize("url", ["http://127.0.0.1:1", "http://localhost:1", "http://[::1]:1", "https://api.klen.ai"])
async def test_https_and_loopback_are_accepted(url: str) -> None:
    async with KlenClient(url, SECRET) as client:
        assert client.base_url == url


@pytest.mark.parametrize("key", ["", "klen key", "klen_\nInjected: 1", "klé_x"])
async def test_malformed_keys_are_refused_without_quoting_them(key: str) -> None:
    with pytest.raises(ValueError) as caught:
        KlenClient("https://api.klen.ai", key)
    if key:
        assert key not in str(caught.value)


async def test_ics_links_to_other_hosts_are_not_followed(client: KlenClient, emulator: Any) -> None:
    for link in ("https://evil.example/calendar/event/x/calendar.ics", "//evil.example/x.ics"):
        with pytest.raises(MalformedResponse):
            client.ics_absolute_url(link)
        with pytest.raises(MalformedResponse):
            await client.download_ics(link)
    assert client.requests_sent == 0
    assert api_records(emulator) == []


async def test_tls_verification_is_on(rw_key: str) -> None:
    async with KlenClient("https://api.klen.ai", rw_key) as client:
        transport = client._http._transport  # the transport's SSL context is the only place verify shows
        context = transport.ssl_context  # type: ignore[attr-defined]
        assert context.verify_mode.name == "CERT_REQUIRED" and context.check_hostname


async def test_clients_share_one_verifying_tls_context(rw_key: str) -> None:
    async with KlenClient("https://api.klen.ai", rw_key) as first, KlenClient("https://api.klen.ai", rw_key) as second:
        contexts = [client._http._transport.ssl_context for client in (first, second)]  # type: ignore[attr-defined]
        assert contexts[0] is contexts[1]
        assert contexts[0].verify_mode.name == "CERT_REQUIRED" and contexts[0].check_hostname
