"""TLS verification cannot be switched off for a real server, and the key never travels over plain http to one:
only this machine (the emulator on loopback) is exempt."""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx
import pytest

from klen_desktop.api.client import KlenClient
from klen_desktop.api.errors import InsecureConnection
from klen_desktop.core import CoreConfig, CoreServices

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(20)]

KEY = "klen_test_readwrite"


@pytest.mark.parametrize("url", ["http://api.klen.ai", "http://10.0.0.5:8080", "http://[2001:db8::1]/api/v1"])
async def test_plain_http_to_another_host_is_refused(url: str) -> None:
    with pytest.raises(InsecureConnection):
        KlenClient(url, KEY)


@pytest.mark.parametrize("verify", [False, "no-hostname-check"])
async def test_an_injected_client_that_does_not_verify_tls_is_refused_for_a_real_server(verify: object) -> None:
    if verify == "no-hostname-check":
        context = ssl.create_default_context()
        context.check_hostname = False
        http = httpx.AsyncClient(verify=context)
    else:
        http = httpx.AsyncClient(verify=False)
    async with http:
        with pytest.raises(InsecureConnection):
            KlenClient("https://api.klen.ai", KEY, http=http)


async def test_an_unverified_mounted_transport_is_refused_too() -> None:
    mounts = {"https://": httpx.AsyncHTTPTransport(verify=False)}
    async with httpx.AsyncClient(mounts=mounts) as http:
        with pytest.raises(InsecureConnection):
            KlenClient("https://api.klen.ai", KEY, http=http)


async def test_the_core_refuses_an_unverified_client(tmp_path: Path) -> None:
    config = CoreConfig(base_url="https://api.klen.ai", api_key=KEY, db_path=tmp_path / "cache.sqlite3")
    async with httpx.AsyncClient(verify=False) as http:
        with pytest.raises(InsecureConnection):
            CoreServices(config, http=http)


async def test_verified_clients_and_loopback_stay_allowed() -> None:
    async with httpx.AsyncClient() as verified, httpx.AsyncClient(verify=False) as unverified:
        assert KlenClient("https://api.klen.ai", KEY, http=verified).base_url
        # The emulator on this machine: nothing leaves it, so a test's unverified client is fine.
        assert KlenClient("https://127.0.0.1:8443", KEY, http=unverified).base_url
        assert KlenClient("http://localhost:8000", KEY, http=unverified).base_url


async def test_a_client_built_by_klen_always_verifies() -> None:
    client = KlenClient("https://api.klen.ai", KEY)
    try:
        http = client._http  # the built client, read to check what it verifies
        context = http._transport.ssl_context  # type: ignore[attr-defined]
        assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    finally:
        await client.aclose()
