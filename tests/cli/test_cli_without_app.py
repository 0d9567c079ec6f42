"""The command line with the app closed: it reads the cache itself and talks to the API (here the demo emulator,
started as the app starts it) with the same outbox; a server that cannot be reached leaves the change queued."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cli_support import answer, cli, user_env

from klen_desktop.command_line.commands import run
from klen_desktop.command_line.exit_codes import Exit
from klen_desktop.command_line.json_times import utc_text
from klen_desktop.command_line.protocol import Request
from klen_desktop.command_line.standalone import session_calendar
from klen_desktop.core import CoreConfig, CoreServices
from klen_desktop.session.calendar import CalendarSession


def test_commands_without_the_app_use_the_cache_and_the_api(tmp_path: Path) -> None:
    env = user_env(tmp_path)
    first = cli(env, "next", "--json", "--demo")
    empty = answer(first)
    assert empty["source"] == "cache" and empty["synced_at"] is None and empty["class"] == "none"
    assert "never synced" in first.stderr
    synced = answer(cli(env, "sync", "--json", "--demo"))
    assert synced["source"] == "cache" and synced["synced_at"]

    added = answer(cli(env, "add", "--yes", "--json", "--demo", "Demo for Acme tomorrow 10:00-11:00 at Office"))
    event = added["event"]
    assert added["state"] == "sent" and event["id"] > 0
    assert (event["type"], event["location"], event["customer"]["name"]) == ("meeting", "Office", "Acme")
    confirmed = answer(cli(env, "status", str(event["id"]), "confirmed", "--json", "--demo"))
    assert confirmed["event"]["status"] == "confirmed"

    agenda = answer(cli(env, "agenda", "--days", "2", "--json", "--demo"))
    assert agenda["source"] == "cache"
    assert [e["status"] for e in agenda["events"] if e["id"] == event["id"]] == ["confirmed"]
    text = cli(env, "agenda", "--days", "2", "--demo")
    assert text.returncode == 0 and f"[{event['id']}]" in text.stdout and "Demo for Acme" in text.stdout
    assert cli(env, "cancel", "424242", "--demo").returncode == 3


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.asyncio
async def test_a_change_made_offline_is_queued_with_its_own_exit_code(tmp_path: Path) -> None:
    config = CoreConfig(base_url=f"http://127.0.0.1:{_closed_port()}", api_key="klen_test", db_path=tmp_path / "c.db")
    start = datetime.now(UTC) + timedelta(days=1)
    request = Request(
        "add",
        {
            "title": "Call",
            "type": "voice_call",
            "start": utc_text(start),
            "end": utc_text(start + timedelta(minutes=30)),
        },
    )
    async with session_calendar(CalendarSession(CoreServices(config), probe_access=False), 15) as calendar:
        queued = await asyncio.wait_for(run(request, calendar), 30)
        assert queued.exit is Exit.QUEUED and queued.data["state"] == "queued"
        assert queued.data["event"]["pending"] and queued.data["event"]["id"] < 0
        sync = await asyncio.wait_for(run(Request("sync"), calendar), 30)
        assert sync.exit is Exit.OFFLINE and sync.error
    # The change is still in the outbox on disk, for the app (or the next command) to send.
    core = CoreServices(config)
    try:
        assert len(await core.outbox_entries()) == 1
    finally:
        await core.stop()


def test_the_command_line_reads_the_cache_file_the_app_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from klen_desktop.command_line.standalone import cache_file
    from klen_desktop.core import cache_path

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert cache_file(True) == cache_path(True) and cache_file(False) == cache_path(False)
