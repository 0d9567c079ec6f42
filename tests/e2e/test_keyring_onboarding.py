"""Key onboarding in the real session: the key typed into the settings dialog is tested against the emulator,
stored in the real Secret Service, read back, and forgotten; it is in no file of the session and in no log line."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from waiting import exposed

from klen_desktop.emulator import ApiKeySpec, EmulatorServer
from klen_desktop.key_check import check_key
from klen_desktop.logging_setup import RedactingFilter
from klen_desktop.secrets import KeyStore
from klen_desktop.settings import KeyState, Preferences
from klen_desktop.ui.settings_dialog import ACCOUNT_TAB, SettingsDialog

pytestmark = pytest.mark.session


@pytest.fixture
def app_log() -> Iterator[io.StringIO]:
    """Everything logged at DEBUG, as the app's own handler (with its redacting filter) would write it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def files_containing(root: Path, needle: bytes) -> list[Path]:
    found = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink() and path.stat().st_size < 5_000_000:
            try:
                if needle in path.read_bytes():
                    found.append(path)
            except OSError:  # sockets and files vanishing under us are not ours to read
                continue
    return found


@pytest.mark.asyncio
async def test_key_typed_in_the_dialog_is_tested_stored_read_and_forgotten(
    qtbot: QtBot,
    make_emulator: Callable[..., EmulatorServer],
    caplog: pytest.LogCaptureFixture,
    app_log: io.StringIO,
) -> None:
    caplog.set_level(logging.DEBUG)
    key = "klen_" + secrets.token_hex(16)
    server = make_emulator(keys=(ApiKeySpec(key, rpm=10_000),))
    store = KeyStore(service=f"klen-desktop-test-{secrets.token_hex(4)}")
    loop = asyncio.get_running_loop()
    dialog = SettingsDialog(
        Preferences(), key_state=KeyState(stored=False, demo=True), open_tab=ACCOUNT_TAB, confirm_forget=lambda _: True
    )
    qtbot.addWidget(dialog)
    pending: list[asyncio.Task[None]] = []

    # What the controller does, in a few lines: each intention becomes a call, and its answer goes back.
    async def test_key(api_key: str) -> None:
        result = await check_key(server.url, api_key)
        dialog.show_key_test(result.ok, result.can_read, result.can_write, result.message)

    async def save_key(api_key: str) -> None:
        await store.set(api_key)
        dialog.set_key_state(KeyState(stored=True, demo=False))

    async def forget_key() -> None:
        await store.delete()
        dialog.set_key_state(KeyState(stored=False, demo=True))

    dialog.test_key_requested.connect(lambda api_key: pending.append(loop.create_task(test_key(api_key))))
    dialog.save_key_requested.connect(lambda api_key: pending.append(loop.create_task(save_key(api_key))))
    dialog.forget_key_requested.connect(lambda: pending.append(loop.create_task(forget_key())))
    dialog.show()
    await exposed(dialog)
    page = dialog.key_page
    try:
        page.key_edit.setFocus()
        qtbot.keyClicks(page.key_edit, key)
        assert page.key_edit.displayText() != key  # masked on screen

        page.test_button.click()
        await asyncio.wait_for(pending.pop(), 20)
        assert (page.read_value.text(), page.write_value.text()) == ("Yes", "Yes")

        page.save_button.click()
        await asyncio.wait_for(pending.pop(), 20)
        assert page.key_edit.text() == ""  # the stored key leaves the field
        assert await store.get() == key

        session_dir = Path(os.environ["SESSION_DIR"])
        assert files_containing(session_dir, key.encode()) == []
        assert_not_logged(key, caplog, app_log)

        assert page.forget_button.isEnabled()
        page.forget_button.click()
        await asyncio.wait_for(pending.pop(), 20)
        assert await store.get() is None
        assert page.demo_badge.isVisibleTo(dialog)
    finally:
        for task in pending:
            task.cancel()
        await store.delete()
    assert_not_logged(key, caplog, app_log)


def assert_not_logged(key: str, caplog: pytest.LogCaptureFixture, app_log: io.StringIO) -> None:
    # Our own modules never log the key, not even at DEBUG.
    ours = [record.getMessage() for record in caplog.records if record.name.startswith("klen_desktop")]
    assert ours and not any(key in message for message in ours)
    # qasync's executor logs every future's result at DEBUG (the key, when read from the keyring); what the app
    # writes goes through its redacting filter, so the key must not be in that output either.
    assert app_log.getvalue() and key not in app_log.getvalue()
