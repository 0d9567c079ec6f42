"""The command line while the app runs: every command goes through the app's single-instance socket (the app's
cache keeps one writer), and what it changes reaches the server: the emulator over loopback, with a key stored in
the session's keyring as a user stores it, so the app and the command line take it from there."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cli_support import answer, cli, user_env, wait_until

from klen_desktop.autostart import launch_command
from klen_desktop.emulator import EmulatorServer
from klen_desktop.secrets import ACCOUNT_NAME, SERVICE_NAME

pytestmark = pytest.mark.session


@pytest.fixture
def stored_key(rw_key: str) -> Iterator[str]:
    if not (os.environ.get("SESSION_DIR") and os.environ.get("DBUS_SESSION_BUS_ADDRESS")):
        pytest.skip("needs the throw-away test session of `make test` (its keyring is ours to write)")
    import keyring

    if keyring.get_password(SERVICE_NAME, ACCOUNT_NAME) is not None:
        pytest.skip("a Klen API key is stored in this keyring already; not touching it")
    keyring.set_password(SERVICE_NAME, ACCOUNT_NAME, rw_key)
    try:
        yield rw_key
    finally:
        keyring.delete_password(SERVICE_NAME, ACCOUNT_NAME)


@pytest.fixture
def running_app(tmp_path: Path, emulator: EmulatorServer, stored_key: str) -> Iterator[dict[str, str]]:
    yield from _app_running(user_env(tmp_path), tmp_path, emulator)


@pytest.fixture
def app_on_screen(tmp_path: Path, emulator: EmulatorServer, stored_key: str) -> Iterator[dict[str, str]]:
    """The app on the session's X server, where its windows can be seen."""
    yield from _app_running({**user_env(tmp_path), "QT_QPA_PLATFORM": "xcb"}, tmp_path, emulator)


def _app_running(env: dict[str, str], tmp_path: Path, emulator: EmulatorServer) -> Iterator[dict[str, str]]:
    log = tmp_path / "app.log"
    command = [*launch_command(), "--base-url", emulator.url]
    with log.open("w") as out:
        app = subprocess.Popen(command, env=env, stdout=out, stderr=out)
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


def test_a_day_of_commands_through_the_running_app(running_app: dict[str, str], emulator: EmulatorServer) -> None:
    env = running_app
    nxt = answer(cli(env, "next", "--json"))
    assert nxt["source"] == "app" and nxt["demo"] is False
    assert {"text", "tooltip", "class"} <= set(nxt) and nxt["class"] in {"ongoing", "soon", "today", "later", "none"}

    synced = answer(cli(env, "sync", "--json"))
    assert synced["state"] in {"done", "started"} and synced["pending_changes"] == 0 and synced["source"] == "app"

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

    on_server = _on_server(emulator, event["id"])
    assert on_server["event_type"] == "video_call" and on_server["customer"]["name"] == "Jane Doe"

    confirmed = answer(cli(env, "status", str(event["id"]), "confirmed", "--json"))
    assert confirmed["state"] == "sent" and confirmed["event"]["status"] == "confirmed"
    assert _on_server(emulator, event["id"])["status"] == "confirmed"
    cancelled = answer(cli(env, "cancel", str(event["id"]), "--reason", "Client asked to move", "--json"))
    assert cancelled["event"]["status"] == "cancelled"
    cancelled_on_server = _on_server(emulator, event["id"])
    assert cancelled_on_server["status"] == "cancelled"
    assert "Client asked to move" in cancelled_on_server["customer"]["notes"]

    missing = cli(env, "status", "987654", "confirmed")
    assert missing.returncode == 3 and len(missing.stderr.strip().splitlines()) == 1 and "987654" in missing.stderr

    tomorrow = (datetime.fromisoformat(added["now"]).astimezone() + timedelta(days=1)).date().isoformat()
    free = answer(cli(env, "free", "--duration", "30", "--date", tomorrow, "--json"))
    assert free["date"] == tomorrow and all(slot["start"].endswith("Z") for slot in free["slots"])

    # The app quits; the command line alone (the same key, from the keyring) reads the server and the cache.
    assert cli(env, "--quit").returncode == 0
    wait_until(lambda: cli(env, "--quit").returncode == 1, 30, "the app to quit")
    emulator.admin.update_event(event["id"], {"title": "Call with Jane Doe (moved)"})
    answer(cli(env, "sync", "--json", "--base-url", emulator.url))
    after = answer(cli(env, "agenda", "--days", "3", "--all", "--json"))
    assert after["source"] == "cache"
    assert [(e["status"], e["title"]) for e in after["events"] if e["id"] == event["id"]] == [
        ("cancelled", "Call with Jane Doe (moved)")
    ]


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


def _on_server(emulator: EmulatorServer, event_id: int) -> dict[str, object]:
    found = emulator.admin.event(event_id)
    assert found is not None, f"event {event_id} is not on the server"
    return found


def test_the_app_s_own_actions_for_a_desktop_s_keyboard_settings(app_on_screen: dict[str, str], tmp_path: Path) -> None:
    # Where a desktop lets no application bind global keys, Settings names these commands to bind there instead.
    env = app_on_screen
    opened = cli(env, "quick-add")
    assert opened.returncode == 0 and opened.stdout.strip() == "Quick add is open.", opened.stderr
    wait_until(lambda: _visible_windows("New event"), 15, "the quick-add window")
    joined = cli(env, "join-next-call")
    assert joined.returncode == 0 and "join the next call" in joined.stdout, joined.stderr
    # Without the app there is nothing to open: said in one line, exit 1.
    # A short folder of its own: the socket's path must fit a Unix socket address (108 bytes), as a user's does.
    with tempfile.TemporaryDirectory(prefix="klen-", dir="/tmp") as elsewhere:
        result = cli(user_env(Path(elsewhere)), "quick-add")
    assert result.returncode == 1 and "Klen Desktop is not running" in result.stderr


def _visible_windows(title: str) -> list[str]:
    found = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--name", title], capture_output=True, text=True, timeout=10
    )
    return found.stdout.split()
