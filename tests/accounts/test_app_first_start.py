"""The real app's first start after an install from before accounts: the same key, cache and queued booking."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from before_accounts import QUEUED_TITLE, install_from_before_accounts
from PySide6.QtWidgets import QApplication
from waiting import until

from klen_desktop.app import KlenDesktop
from klen_desktop.emulator import EmulatorServer
from klen_desktop.options import AppOptions
from klen_desktop.paths import database_path
from klen_desktop.secrets import ACCOUNT_NAME, KeyStore
from klen_desktop.session.connection import Connection

pytestmark = [pytest.mark.asyncio, pytest.mark.session]


async def test_the_app_starts_on_account_one_with_the_key_cache_and_queued_booking_of_before(
    qapp: QApplication, emulator: EmulatorServer, rw_key: str, key_service: str, user_folders: Path
) -> None:
    await install_from_before_accounts(emulator, rw_key, key_service)
    prefs = user_folders / "config" / "settings.json"
    desktop = KlenDesktop(
        qapp,
        AppOptions(base_url=emulator.url, single_instance=False),
        key_store=KeyStore(service=key_service),
        prefs_path=prefs,
    )
    seen: dict[str, object] = {}

    async def check(app: KlenDesktop, connection: Connection) -> int:
        controller = app.controller
        assert controller is not None
        seen["live"] = not connection.demo
        seen["cache"] = controller.session.config.db_path
        await until(lambda: [event["title"] for event in emulator.admin.all_events()] == [QUEUED_TITLE], "sent")
        await until(lambda: not controller.outbox, "the outbox emptied", explain=lambda: repr(controller.outbox))
        seen["titles"] = [event.title for event in controller.events]
        seen["outbox"] = len(controller.outbox)
        return 0

    assert await desktop.main(check) == 0

    assert seen == {"live": True, "cache": database_path(), "titles": [QUEUED_TITLE], "outbox": 0}
    accounts = json.loads(prefs.with_name("accounts.json").read_text(encoding="utf-8"))["accounts"]
    assert [(account["id"], account["key_entry"]) for account in accounts] == [("1", ACCOUNT_NAME)]
    assert await KeyStore(service=key_service).get() == rw_key
