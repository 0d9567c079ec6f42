"""Accounts stories share: a private data and config folder, a private keyring service, and the real sessions of
several accounts, each on the emulator its calendar lives on."""

from __future__ import annotations

import secrets
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path

import keyring
import keyring.errors
import pytest

# The notification stories' recording stand-in for the server is reused, not copied.
_NOTIFY = str(Path(__file__).parents[1] / "notify")
if _NOTIFY not in sys.path:
    sys.path.insert(0, _NOTIFY)

from accounts_harness import MakeSessions, build_session, no_demo  # noqa: E402

from klen_desktop.accounts.registry import AccountRegistry  # noqa: E402
from klen_desktop.secrets import KeyStore  # noqa: E402
from klen_desktop.session.accounts import AccountSessions  # noqa: E402


@pytest.fixture
def user_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's data and config folders, private to the test (the caches and accounts.json go there)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path


@pytest.fixture
def key_service() -> Iterator[str]:
    """A keyring service of the test's own; every entry left under it is deleted afterwards."""
    service = f"klen-desktop-test-{secrets.token_hex(4)}"
    yield service
    for entry in ("klen-api-key", *(f"account:{number}" for number in range(1, 10))):
        with suppress(keyring.errors.PasswordDeleteError):
            keyring.delete_password(service, entry)


@pytest.fixture
def make_sessions(user_folders: Path, key_service: str) -> MakeSessions:
    """``async with make_sessions(registry, live_base_url) as sessions``: every account started, all stopped after."""

    @asynccontextmanager
    async def make(registry: AccountRegistry, live_base_url: str) -> AsyncIterator[AccountSessions]:
        sessions = AccountSessions(
            registry,
            build=build_session,
            demo=no_demo,
            live_base_url=live_base_url,
            keys=KeyStore(service=key_service),
        )
        await sessions.start()
        try:
            yield sessions
        finally:
            await sessions.stop()

    return make
