"""What a key may do, asked of the real emulator over loopback: read, write, or nothing, and nothing changes."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest
from fixtures_emulator import CREATE, EVENTS, event_body

from klen_desktop.emulator import ApiKeySpec, EmulatorServer
from klen_desktop.key_check import check_key


@pytest.mark.asyncio
async def test_read_write_key_may_read_and_write(emulator: EmulatorServer, rw_key: str) -> None:
    result = await check_key(emulator.url, rw_key)
    assert (result.ok, result.can_read, result.can_write) == (True, True, True)
    assert "read your calendar" in result.message


@pytest.mark.asyncio
async def test_read_only_key_is_ok_but_cannot_write(emulator: EmulatorServer, ro_key: str) -> None:
    result = await check_key(emulator.url, ro_key)
    assert (result.ok, result.can_read, result.can_write) == (True, True, False)
    assert "read-only" in result.message and "can_write_calendar" in result.message


@pytest.mark.asyncio
async def test_revoked_key_is_refused(emulator: EmulatorServer, revoked_key: str) -> None:
    result = await check_key(emulator.url, revoked_key)
    assert (result.ok, result.can_read, result.can_write) == (False, False, False)
    assert "did not accept" in result.message
    assert revoked_key not in result.message


@pytest.mark.asyncio
async def test_probe_changes_nothing_on_the_server(
    emulator: EmulatorServer, rw_key: str, api: Callable[..., httpx.Client]
) -> None:
    created = api().post(CREATE, json=event_body(title="Untouched"))
    assert created.status_code == 201
    before = api().get(EVENTS).json()
    await check_key(emulator.url, rw_key)
    assert api().get(EVENTS).json() == before


@pytest.mark.asyncio
async def test_key_with_spaces_is_refused_before_sending(emulator: EmulatorServer) -> None:
    result = await check_key(emulator.url, "klen one two")
    assert not result.ok
    assert "Nothing was sent" in result.message
    assert "one two" not in result.message


@pytest.mark.asyncio
async def test_unreachable_server_says_so(make_emulator: Callable[..., EmulatorServer], rw_key: str) -> None:
    server = make_emulator()
    url = server.url
    server.stop()
    result = await check_key(url, rw_key, timeout=10)
    assert not result.ok
    assert "not tested" in result.message


@pytest.mark.asyncio
async def test_insecure_address_is_refused(rw_key: str) -> None:
    result = await check_key("http://calendar.example.com", rw_key)
    assert not result.ok and not result.can_read
    assert rw_key not in result.message


@pytest.mark.asyncio
async def test_key_without_read_permission_is_not_ok(make_emulator: Callable[..., EmulatorServer]) -> None:
    server = make_emulator(
        keys=(
            ApiKeySpec("klen_write_only", can_read=False),
            ApiKeySpec("klen_nothing", can_read=False, can_write=False),
        )
    )
    write_only = await check_key(server.url, "klen_write_only")
    assert (write_only.ok, write_only.can_read, write_only.can_write) == (False, False, True)
    assert "can_read_calendar" in write_only.message
    nothing = await check_key(server.url, "klen_nothing")
    assert (nothing.ok, nothing.can_read, nothing.can_write) == (False, False, False)


@pytest.mark.asyncio
async def test_rate_limited_key_is_told_to_wait(make_emulator: Callable[..., EmulatorServer]) -> None:
    server = make_emulator(keys=(ApiKeySpec("klen_slow", rpm=1),))
    first = await check_key(server.url, "klen_slow")  # the read uses the one request of this minute
    assert not first.ok
    assert "Try the test again" in first.message
    # When, as the user reads it: the local clock time and the wait in minutes, never a count of seconds.
    # The minute's window may end after midnight: the time then names its day.
    assert re.search(r"again at \d\d:\d\d( tomorrow)? \(in (\d+ s|1 min)\)\.", first.message), first.message
