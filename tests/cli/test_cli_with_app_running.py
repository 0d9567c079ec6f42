"""The command line while the app runs: every command goes through the app's single-instance socket (the app's
cache keeps one writer), and what it changes reaches the server (the demo emulator, over loopback)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cli_support import answer, cli, user_env, wait_until


@pytest.fixture
def running_app(tmp_path: Path) -> Iterator[dict[str, str]]:
    env = user_env(tmp_path)
    log = tmp_path / "app.log"
    with log.open("w") as out:
        app = subprocess.Popen([sys.executable, "-m", "klen_desktop", "--demo"], env=env, stdout=out, stderr=out)
    try:
        wait_until(
            lambda: app.poll() is not None or cli(env, "next", "--json", "--timeout", "10").stdout.count('"app"'),
            60,
            "the app to answer",
        )
        assert app.poll() is None, log.read_text()
        yield env
    finally:
        if app.poll() is None:
            cli(env, "--quit")
            try:
                app.wait(timeout=30)
            except subprocess.TimeoutExpired:
                app.terminate()
                app.wait(timeout=30)


def test_a_day_of_commands_through_the_running_app(running_app: dict[str, str]) -> None:
    env = running_app
    nxt = answer(cli(env, "next", "--json"))
    assert nxt["source"] == "app" and nxt["demo"] is True
    assert {"text", "tooltip", "class"} <= set(nxt) and nxt["class"] in {"ongoing", "soon", "today", "later", "none"}

    added = answer(cli(env, "add", "--yes", "--json", "Call with Jane Doe tomorrow 3pm 30 min video"))
    assert added["state"] == "sent" and added["source"] == "app"
    event = added["event"]
    assert event["id"] > 0 and not event["pending"]
    assert (event["type"], event["title"], event["customer"]["name"]) == (
        "video_call",
        "Call with Jane Doe",
        "Jane Doe",
    )
    start_local = datetime.fromisoformat(event["start_local"])
    assert (start_local.hour, start_local.minute) == (15, 0)
    answered = datetime.fromisoformat(added["now"]).astimezone()
    # "tomorrow" of the moment it was typed, a little before the answer (the test may run across midnight)
    assert start_local.date() in {
        (answered + timedelta(days=1, minutes=-1)).date(),
        (answered + timedelta(days=1)).date(),
    }
    assert event["start"].endswith("Z")

    agenda = answer(cli(env, "agenda", "--days", "3", "--json"))
    assert event["id"] in [e["id"] for e in agenda["events"]]

    # The app's requests are limited (10 a minute, shared with its sync): a change may wait its turn (exit 4).
    confirmed = answer_or_queued(cli(env, "status", str(event["id"]), "confirmed", "--json"))
    assert confirmed["event"]["status"] == "confirmed"
    cancelled = answer_or_queued(cli(env, "cancel", str(event["id"]), "--reason", "Client asked to move", "--json"))
    assert cancelled["event"]["status"] == "cancelled"
    wait_until(lambda: not _pending(env), 120, "the app to send the queued changes")

    missing = cli(env, "status", "987654", "confirmed")
    assert missing.returncode == 3 and len(missing.stderr.strip().splitlines()) == 1 and "987654" in missing.stderr

    tomorrow = (datetime.fromisoformat(added["now"]).astimezone() + timedelta(days=1)).date().isoformat()
    free = answer(cli(env, "free", "--duration", "30", "--date", tomorrow, "--json"))
    assert free["date"] == tomorrow and all(slot["start"].endswith("Z") for slot in free["slots"])
    synced = answer(cli(env, "sync", "--json"))
    assert synced["pending_changes"] == 0

    # The app quits; the command line alone, syncing from the server, sees what the app sent there.
    assert cli(env, "--quit").returncode == 0
    wait_until(lambda: cli(env, "--quit").returncode == 1, 30, "the app to quit")
    answer(cli(env, "sync", "--json"))
    after = answer(cli(env, "agenda", "--days", "3", "--all", "--json"))
    assert after["source"] == "cache"
    assert [e["status"] for e in after["events"] if e["id"] == event["id"]] == ["cancelled"]


def answer_or_queued(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    value = answer(result, 4 if result.returncode == 4 else 0)
    assert value["state"] == ("queued" if result.returncode == 4 else "sent")
    return value


def _pending(env: dict[str, str]) -> bool:
    return any(e["pending"] for e in answer(cli(env, "agenda", "--days", "3", "--all", "--json"))["events"])


def test_add_never_saves_a_guess_or_without_a_confirmation(running_app: dict[str, str]) -> None:
    env = running_app
    before = answer(cli(env, "agenda", "--days", "8", "--json"))["events"]
    ambiguous = cli(env, "add", "--yes", "Call with Ann at 3")
    assert ambiguous.returncode == 2 and "could be 03:00 or 15:00" in ambiguous.stderr
    unconfirmed = cli(env, "add", "Call with Ann tomorrow 4pm")
    assert unconfirmed.returncode == 2 and "--yes" in unconfirmed.stderr
    assert "Customer: Ann" in unconfirmed.stderr  # what was read is shown even so
    assert answer(cli(env, "agenda", "--days", "8", "--json"))["events"] == before


def test_next_through_the_app_is_plain_text_for_a_panel(running_app: dict[str, str]) -> None:
    result = cli(running_app, "next")
    assert result.returncode == 0 and result.stderr == ""
    assert len(result.stdout.splitlines()) <= 1
