"""The keyring's helper process (klen_desktop/key_helper.py) against the session's real Secret Service.

The app reads, stores and forgets keys through a short-lived child so that keyring, secretstorage and cryptography
(about 15 MiB resident) never load in the app; a keyring that never answers costs a killed child, not a blocked
thread; and the key crosses only the child's pipes, never its command line or environment.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from klen_desktop import key_helper
from klen_desktop.accounts.registry import AccountRegistry
from klen_desktop.accounts.storage import save_accounts
from klen_desktop.key_helper_runs import (
    ACCOUNT_NAME,
    drop_early_reads,
    helper_command,
    start_early_read,
    take_early_read,
)
from klen_desktop.launch import read_the_first_key_early
from klen_desktop.secrets import KeyringTimeout, KeyringUnavailable, KeyStore, KeyStoreError

pytestmark = pytest.mark.session

KEYRING_MODULES = ("keyring", "secretstorage", "cryptography", "jeepney")


# How the helper finds the keyring: on a plain Linux desktop the Secret Service at once; with a backend named in
# the environment, or on KDE, through keyring's own choice (which here too comes to the Secret Service).
WAYS = {
    "plain desktop": {},
    "backend named": {"PYTHON_KEYRING_BACKEND": "keyring.backends.SecretService.Keyring"},
    "KDE": {"XDG_CURRENT_DESKTOP": "KDE"},
}


@pytest.mark.parametrize("way", WAYS)
def test_a_fresh_app_process_stores_reads_and_forgets_a_key_without_loading_the_keyring_libraries(way: str) -> None:
    service = f"klen-desktop-test-{secrets.token_hex(4)}"
    program = textwrap.dedent(
        f"""
        import asyncio, sys
        from klen_desktop.secrets import KeyStore

        async def main():
            store = KeyStore(service={service!r})
            assert await store.get() is None
            await store.set("klen_helper_test_key")
            assert await store.get() == "klen_helper_test_key"
            assert await store.for_entry("account:2").get() is None, "each entry is its own"
            assert await store.delete() is True
            assert await store.delete() is False
            assert await store.get() is None
            print(sorted({{name.split(".")[0] for name in sys.modules}} & set({KEYRING_MODULES!r})))

        asyncio.run(main())
        """
    )
    env = {**os.environ, **WAYS[way]}
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", "the keyring's libraries stay in the helper"


DEAF_SERVICE = """
import asyncio
from dbus_fast import MessageType
from dbus_fast.aio import MessageBus

async def main():
    bus = await MessageBus().connect()
    # Every call to the service is taken and never answered, as by a keyring stuck behind its unlock prompt.
    bus.add_message_handler(lambda message: message.message_type is MessageType.METHOD_CALL or None)
    await bus.request_name("org.freedesktop.secrets")
    print("ready", flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""


@pytest.fixture
def deaf_keyring() -> Iterator[str]:
    """A session bus of its own whose Secret Service takes every call and never answers; its address."""
    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--nopidfile", "--address=unix:tmpdir=/tmp", "--print-address=1"],
        stdout=subprocess.PIPE,
    )
    assert bus.stdout is not None
    address = bus.stdout.readline().decode().strip()
    service = subprocess.Popen(
        [sys.executable, "-c", DEAF_SERVICE],
        env={**os.environ, "DBUS_SESSION_BUS_ADDRESS": address},
        stdout=subprocess.PIPE,
    )
    try:
        assert service.stdout is not None and service.stdout.readline().strip() == b"ready"
        yield address
    finally:
        for process in (service, bus):
            process.kill()
            process.wait(5)


def helper_children() -> list[int]:
    """Our own children that are key helpers."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == os.getpid() and key_helper.HELPER_FLAG.encode() in cmdline:
            found.append(int(entry.name))
    return found


@pytest.mark.asyncio
async def test_a_keyring_that_never_answers_times_out_and_its_helper_is_gone(
    deaf_keyring: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", deaf_keyring)
    store = KeyStore(service=f"klen-desktop-test-{secrets.token_hex(4)}", timeout=1.5)
    key = f"klen_{secrets.token_hex(12)}"
    seen: list[tuple[bytes, bytes]] = []

    async def look_at_the_helper() -> None:  # what any process of the user can read about it
        while not seen:
            for pid in helper_children():
                try:
                    seen.append((Path(f"/proc/{pid}/cmdline").read_bytes(), Path(f"/proc/{pid}/environ").read_bytes()))
                except OSError:
                    continue
            await asyncio.sleep(0.02)

    watcher = asyncio.ensure_future(look_at_the_helper())
    started = time.monotonic()
    with pytest.raises(KeyringTimeout) as raised:
        await store.set(key)
    took = time.monotonic() - started
    watcher.cancel()
    assert 1.4 < took < 5, took
    assert "did not answer within 2 s" in raised.value.message and key not in raised.value.message
    assert seen, "the helper was running while the keyring kept silent"
    cmdline, environ = seen[0]
    assert key.encode() not in cmdline and key.encode() not in environ
    assert helper_children() == [], "the helper was killed at the timeout"
    with pytest.raises(KeyringTimeout):
        await store.get()


@pytest.mark.asyncio
async def test_no_session_bus_at_all_is_a_clear_keyring_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus-here'}")
    with pytest.raises(KeyStoreError) as raised:
        await KeyStore(service=f"klen-desktop-test-{secrets.token_hex(4)}", timeout=10).get()
    assert isinstance(raised.value, KeyringUnavailable)
    assert "keyring" in raised.value.message.lower()


@pytest.mark.parametrize(
    "request_body",
    [b"", b"not json", b"[1, 2]", b'{"op": "get"}', b'{"op": "explode", "service": "s", "account": "a"}'],
)
def test_the_helper_answers_a_bad_request_with_an_error_not_a_traceback(request_body: bytes) -> None:
    done = subprocess.run(helper_command(), input=request_body, capture_output=True, timeout=30)
    assert done.returncode == 0 and done.stderr == b""
    assert key_helper.BAD_REQUEST.encode() in done.stdout


@pytest.mark.asyncio
async def test_a_read_started_early_is_taken_by_the_first_read_of_its_entry_and_leftovers_are_ended() -> None:
    service = f"klen-desktop-test-{secrets.token_hex(4)}"
    store = KeyStore(service=service)
    await store.set("klen_early_read_key")
    try:
        start_early_read(service, ACCOUNT_NAME)  # as a launch does, before the app's modules are imported
        start_early_read(service, "account:9")  # an entry the app then never reads
        assert await store.get() == "klen_early_read_key"
        assert take_early_read(service, ACCOUNT_NAME) is None, "the read took the early answer"
        assert await store.get() == "klen_early_read_key", "a later read asks the keyring again"
        drop_early_reads()
        assert take_early_read(service, "account:9") is None
        assert helper_children() == [], "the unread helper was ended"
    finally:
        await store.delete()


@pytest.mark.parametrize("saved", ["nothing", "demo first, then a keyed account"])
def test_a_launch_starts_reading_the_key_of_the_account_it_shows_first(
    saved: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    service = f"klen-desktop-test-{secrets.token_hex(4)}"
    expected = ACCOUNT_NAME
    if saved != "nothing":
        registry = AccountRegistry()
        registry = registry.with_account(registry.new_demo())
        keyed = registry.new_account("Roofing")
        save_accounts(registry.with_account(keyed))
        expected = keyed.key_entry
    try:
        read_the_first_key_early(service)
        started = take_early_read(service, expected)
        assert started is not None
        started.stop()
    finally:
        drop_early_reads()
