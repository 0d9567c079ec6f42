"""The command line with several accounts: ``--account`` picks the calendar (by name or number), each with its own
key from the session's keyring and its own cache; without it, the first account, as before accounts."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

_CLI = str(Path(__file__).parents[1] / "cli")
if _CLI not in sys.path:
    sys.path.insert(0, _CLI)

from cli_support import answer, cli, user_env, wait_until  # noqa: E402

from klen_desktop.accounts.migration import first_account  # noqa: E402
from klen_desktop.accounts.registry import AccountRegistry  # noqa: E402
from klen_desktop.accounts.storage import save_accounts  # noqa: E402
from klen_desktop.emulator import ApiKeySpec, EmulatorServer  # noqa: E402
from klen_desktop.secrets import SERVICE_NAME  # noqa: E402

pytestmark = pytest.mark.session

KEYS = ("klen_test_cli_first", "klen_test_cli_second")


@pytest.fixture
def real_entries() -> Iterator[list[str]]:
    """The app's own keyring entries of the session's keyring (a command line reads no other), emptied after."""
    if not (os.environ.get("SESSION_DIR") and os.environ.get("DBUS_SESSION_BUS_ADDRESS")):
        pytest.skip("needs the throw-away test session of `make test` (its keyring is ours to write)")
    import keyring

    entries: list[str] = []
    yield entries
    for entry in entries:
        keyring.delete_password(SERVICE_NAME, entry)


def titles(result: object) -> list[str]:
    return [str(event["title"]) for event in answer(result)["events"]]  # type: ignore[arg-type]


def test_each_command_reaches_the_account_it_names(
    tmp_path: Path,
    make_emulator: Callable[..., EmulatorServer],
    monkeypatch: pytest.MonkeyPatch,
    real_entries: list[str],
) -> None:
    import keyring

    soon = (datetime.now(UTC) + timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    servers = []
    for key, title in zip(KEYS, ("Dental check-up", "Roof inspection"), strict=True):
        server = make_emulator(keys=(ApiKeySpec(key, rpm=100_000),))
        server.admin.insert_events([{"title": title, "start_time": soon, "end_time": soon + timedelta(hours=1)}])
        servers.append(server)
    env = user_env(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", env["XDG_CONFIG_HOME"])
    monkeypatch.setenv("XDG_DATA_HOME", env["XDG_DATA_HOME"])
    registry = AccountRegistry((first_account(),))
    roofing = registry.new_account("Roofing client", base_url=servers[1].url)
    save_accounts(registry.with_account(roofing))
    for entry, key in ((first_account().key_entry, KEYS[0]), (roofing.key_entry, KEYS[1])):
        if keyring.get_password(SERVICE_NAME, entry) is not None:
            pytest.skip(f"the keyring holds a Klen key under {entry!r} already; not touching it")
        keyring.set_password(SERVICE_NAME, entry, key)
        real_entries.append(entry)

    first_url = ("--base-url", servers[0].url)
    assert cli(env, "sync", *first_url).returncode == 0
    assert cli(env, "sync", "--account", "roofing CLIENT").returncode == 0  # a name in any case
    assert titles(cli(env, "agenda", "--json", *first_url)) == ["Dental check-up"]
    assert titles(cli(env, "agenda", "--json", "--account", roofing.id)) == ["Roof inspection"]  # or its number

    unknown = cli(env, "agenda", "--account", "Plumbing")
    assert unknown.returncode == 2 and "Roofing client" in unknown.stderr and "Klen" in unknown.stderr

    # With the app running, the same commands go through it, each to the account it names.
    log = tmp_path / "app.log"
    with log.open("w") as out:
        app = subprocess.Popen([sys.executable, "-m", "klen_desktop", *first_url], env=env, stdout=out, stderr=out)
    try:
        wait_until(
            lambda: app.poll() is not None or '"app"' in cli(env, "next", "--json", "--timeout", "10").stdout,
            60,
            "the app to answer",
        )
        assert app.poll() is None, log.read_text()
        through_app = cli(env, "agenda", "--json", "--account", "Roofing client")
        assert answer(through_app)["source"] == "app"
        wait_until(lambda: titles(cli(env, "agenda", "--json", "--account", "2")) == ["Roof inspection"], 30, "it")
        assert titles(cli(env, "agenda", "--json")) == ["Dental check-up"]
    finally:
        cli(env, "--quit")
        app.wait(timeout=30)
