"""Which addresses may carry the key, how server links are resolved, what a transport failure means."""

from __future__ import annotations

import errno
import socket
import ssl

import httpx
import pytest

from klen_desktop.api.errors import ConnectionFailed, InsecureConnection, MalformedResponse, TimedOut
from klen_desktop.api.transport import error_for_transport, is_loopback_host, normalize_base_url, resolve_on_origin


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("LOCALHOST", True),
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("128.0.0.1", False),
        ("10.0.0.1", False),
        ("api.klen.ai", False),
        ("localhost.evil.com", False),
        ("127.0.0.1.nip.io", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://api.klen.ai", "https://api.klen.ai/"),
        ("https://api.klen.ai/", "https://api.klen.ai/"),
        ("https://api.klen.ai/api/v1/", "https://api.klen.ai/"),
        ("https://api.klen.ai/api/v1", "https://api.klen.ai/"),
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765/"),
        ("http://localhost:8765/klen", "http://localhost:8765/klen"),
        ("http://[::1]:9000", "http://[::1]:9000/"),
    ],
)
def test_base_urls_are_normalised(given: str, expected: str) -> None:
    assert str(normalize_base_url(given)) == expected


@pytest.mark.parametrize("url", ["http://api.klen.ai", "http://10.0.0.5:8000", "http://localhost.evil.com"])
def test_plain_http_to_a_remote_host_is_refused(url: str) -> None:
    with pytest.raises(InsecureConnection, match="https"):
        normalize_base_url(url)


@pytest.mark.parametrize(
    "url", ["ftp://api.klen.ai", "api.klen.ai", "https://user:pw@api.klen.ai", "https://api.klen.ai/?x=1", "https://"]
)
def test_nonsense_base_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="address"):
        normalize_base_url(url)


BASE = normalize_base_url("https://api.klen.ai")


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("/calendar/event/abc/calendar.ics", "https://api.klen.ai/calendar/event/abc/calendar.ics"),
        ("https://api.klen.ai/calendar/event/abc/calendar.ics", "https://api.klen.ai/calendar/event/abc/calendar.ics"),
        ("calendar/event/abc/calendar.ics", "https://api.klen.ai/calendar/event/abc/calendar.ics"),
    ],
)
def test_links_on_our_origin_resolve(link: str, expected: str) -> None:
    assert str(resolve_on_origin(BASE, link)) == expected


def test_links_resolve_under_a_path_prefix() -> None:
    base = normalize_base_url("http://127.0.0.1:9000/klen")
    assert str(resolve_on_origin(base, "/calendar/event/u/calendar.ics")) == (
        "http://127.0.0.1:9000/klen/calendar/event/u/calendar.ics"
    )
    with pytest.raises(MalformedResponse):
        resolve_on_origin(base, "http://127.0.0.1:9000/other/calendar.ics")


@pytest.mark.parametrize(
    "link",
    [
        "https://evil.example/calendar/event/abc/calendar.ics",
        "//evil.example/calendar.ics",
        "http://api.klen.ai/calendar/event/abc/calendar.ics",  # downgrade to clear text
        "https://api.klen.ai:8443/calendar.ics",
        "https://api.klen.ai@evil.example/calendar.ics",
        "",
    ],
)
def test_links_elsewhere_are_refused(link: str) -> None:
    with pytest.raises(MalformedResponse) as caught:
        resolve_on_origin(BASE, link)
    assert caught.value.field == "ics_url"


def connect_error(cause: BaseException | None, text: str = "boom") -> httpx.ConnectError:
    error = httpx.ConnectError(text)
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("exc", "cls", "reached"),
    [
        (connect_error(ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")), ConnectionFailed, False),
        (connect_error(socket.gaierror(-2, "Name or service not known")), ConnectionFailed, False),
        (connect_error(None, "[Errno 111] Connection refused"), ConnectionFailed, False),
        (connect_error(None, "[Errno -3] Temporary failure in name resolution"), ConnectionFailed, False),
        (connect_error(OSError(errno.ENETUNREACH, "Network is unreachable")), ConnectionFailed, True),
        (httpx.ConnectTimeout("connect"), TimedOut, True),
        (httpx.ReadTimeout("read"), TimedOut, True),
        (httpx.WriteTimeout("write"), TimedOut, True),
        (httpx.PoolTimeout("pool"), TimedOut, True),
        (httpx.RemoteProtocolError("Server disconnected without sending a response."), ConnectionFailed, True),
        (httpx.ReadError("reset"), ConnectionFailed, True),
    ],
)
def test_transport_failures(exc: httpx.HTTPError, cls: type[ConnectionFailed], reached: bool) -> None:
    error = error_for_transport(exc, method="POST", path="/api/v1/calendar/events/create", host="api.klen.ai")
    assert type(error) is cls
    assert isinstance(error, ConnectionFailed) and error.reached_server is reached
    assert "api.klen.ai" in str(error)


def test_undecodable_body_is_malformed() -> None:
    error = error_for_transport(httpx.DecodingError("gzip"), method="GET", path="/x", host="h")
    assert isinstance(error, MalformedResponse)


def test_a_certificate_failure_is_reported_as_such() -> None:
    error = error_for_transport(
        connect_error(ssl.SSLCertVerificationError("certificate verify failed")), method="GET", path="/", host="h"
    )
    assert isinstance(error, ConnectionFailed) and "could not be verified" in str(error)


def _tls_of(client: object) -> ssl.SSLContext:
    context = client._http._transport.ssl_context  # type: ignore[attr-defined]
    assert isinstance(context, ssl.SSLContext)
    return context


@pytest.mark.asyncio(loop_scope="session")
async def test_a_plain_http_loopback_client_loads_no_authorities_yet_never_trusts_a_certificate() -> None:
    from klen_desktop.api.client import KlenClient

    demo = KlenClient("http://127.0.0.1:9", "klen_test_key")
    real = KlenClient("https://api.klen.ai", "klen_test_key")
    try:
        loopback_tls, real_tls = _tls_of(demo), _tls_of(real)
        # Demo mode speaks plain http: reading every authority would cost memory for nothing...
        assert loopback_tls.cert_store_stats()["x509_ca"] == 0
        # ...and should it ever be sent to https, it checks and fails rather than trusting anyone.
        assert loopback_tls.verify_mode == ssl.CERT_REQUIRED and loopback_tls.check_hostname
        assert real_tls.cert_store_stats()["x509_ca"] > 0
        assert real_tls.verify_mode == ssl.CERT_REQUIRED and real_tls.check_hostname
    finally:
        await demo.aclose()
        await real.aclose()
