"""Two accounts in the real app: added in Settings (the key checked first), shown side by side in the agenda with a
stripe and a filter, named in notifications and in the tray when one key fails, renamed, recoloured and removed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from notify_support import RecordingBackend
from PySide6.QtWidgets import QApplication, QFormLayout
from waiting import until

from klen_desktop.accounts.storage import load_accounts
from klen_desktop.app import KlenDesktop
from klen_desktop.emulator import ApiKeySpec, EmulatorServer
from klen_desktop.options import AppOptions
from klen_desktop.secrets import KeyStore
from klen_desktop.session.connection import Connection
from klen_desktop.ui.agenda import AgendaWindow
from klen_desktop.ui.settings_dialog import ACCOUNTS_TAB

pytestmark = [pytest.mark.asyncio, pytest.mark.session]

SECOND_KEY = "klen_test_roofing_client"


def tomorrow_at(hour: int) -> datetime:
    day = datetime.now().astimezone() + timedelta(days=1)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0).astimezone(UTC)


def book(server: EmulatorServer, title: str, hour: int) -> None:
    start = tomorrow_at(hour)
    server.admin.insert_events([{"title": title, "start_time": start, "end_time": start + timedelta(hours=1)}])


@dataclass
class Setting:
    """What the story's app is made of: the first account's server and key, the second's server, the folders."""

    qapp: QApplication
    first: EmulatorServer
    second: EmulatorServer
    first_key: str
    key_service: str
    folders: Path


@pytest.fixture
def setting(
    qapp: QApplication,
    emulator: EmulatorServer,
    make_emulator: Callable[..., EmulatorServer],
    rw_key: str,
    key_service: str,
    user_folders: Path,
) -> Setting:
    second = make_emulator(keys=(ApiKeySpec(SECOND_KEY, rpm=100_000),))
    book(emulator, "Dental check-up", 10)
    book(second, "Roof inspection", 11)
    return Setting(qapp, emulator, second, rw_key, key_service, user_folders)


@asynccontextmanager
async def running_app(setting: Setting) -> AsyncIterator[tuple[KlenDesktop, RecordingBackend]]:
    """The app on the first account's calendar; a key typed in Settings is for the second server's. Started and
    shut down inside the test's coroutine (qasync steps nothing of it after the loop stopped)."""
    notifier = RecordingBackend()
    desktop = KlenDesktop(
        setting.qapp,
        AppOptions(base_url=setting.second.url, single_instance=False),
        key_store=KeyStore(service=setting.key_service),
        prefs_path=setting.folders / "config" / "settings.json",
        notifier=notifier,
    )
    desktop.start(Connection(base_url=setting.first.url, api_key=setting.first_key, demo=False))
    try:
        yield desktop, notifier
    finally:
        await desktop.shutdown()


def titles(desktop: KlenDesktop) -> set[str]:
    assert desktop.controller is not None
    return {event.title for event in desktop.controller.events}


async def test_a_second_account_added_in_settings_shows_beside_the_first_and_leaves_again(setting: Setting) -> None:
    async with running_app(setting) as (desktop, notifier):
        await two_accounts_story(desktop, setting.second, notifier, setting.key_service)


async def two_accounts_story(
    desktop: KlenDesktop, second: EmulatorServer, notifier: RecordingBackend, key_service: str
) -> None:
    controller, windows = desktop.controller, desktop.windows
    assert controller is not None and windows is not None
    await until(lambda: titles(desktop) == {"Dental check-up"}, "the first account's calendar")
    agenda: AgendaWindow = windows.open_agenda()
    await until(lambda: agenda.model.visible_events == 1, "the agenda filled")
    first_row = agenda.model.row_of(next(iter(controller.events)).id)
    assert first_row is not None and agenda.model.paint_info(first_row).stripe is None, "one account: no stripe"
    assert not agenda.toolbar.account_combo.isVisibleTo(agenda)

    page = windows.open_settings(tab=ACCOUNTS_TAB).accounts_page
    assert (
        page.list.count() == 1 and not page.remove_button.isEnabled()
    )  # the first account: its key is forgotten on the Account tab
    page.new_name.setText("Roofing client")
    page.new_key.setText("klen_typo")
    page.add_button.click()
    await until(lambda: "did not accept" in page.answer.text(), "the refused key said", timeout=20)
    assert page.list.count() == 1
    page.new_key.setText(SECOND_KEY)
    page.add_button.click()
    await until(lambda: page.list.count() == 2, "the account listed", timeout=20)
    await until(lambda: titles(desktop) == {"Dental check-up", "Roof inspection"}, "both calendars shown")
    assert await KeyStore(service=key_service, account="account:2").get() == SECOND_KEY

    events = {event.title: event for event in controller.events}
    dental, roof = events["Dental check-up"], events["Roof inspection"]
    await until(lambda: agenda.model.visible_events == 2, "both accounts' events in the agenda")
    accounts = {overview.name: overview for overview in controller.accounts()}
    stripes = {
        title: agenda.model.paint_info(agenda.model.row_of(event.id) or 0).stripe for title, event in events.items()
    }
    assert stripes == {"Dental check-up": accounts["Klen"].colour, "Roof inspection": accounts["Roofing client"].colour}
    assert agenda.toolbar.account_combo.isVisibleTo(agenda) and agenda.toolbar.account_combo.count() == 3
    agenda.toolbar.account_combo.setCurrentIndex(agenda.toolbar.account_combo.findData(accounts["Roofing client"].id))
    assert agenda.model.visible_events == 1 and agenda.model.row_of(roof.id) is not None
    agenda.toolbar.account_combo.setCurrentIndex(0)
    assert (controller.account_label(dental.id), controller.account_label(roof.id)) == ("Klen", "Roofing client")
    agenda.show_event(roof.id)
    form = agenda.pane.form
    assert (
        form.itemAt(0, QFormLayout.ItemRole.LabelRole).widget().text(),
        form.itemAt(0, QFormLayout.ItemRole.FieldRole).widget().text(),
    ) == ("Account", "Roofing client")

    # A new event: the editor asks which account (the first is chosen); it goes to the one picked.
    editor = windows.new_event(tomorrow_at(15), tomorrow_at(16))
    assert editor.account_choice.isVisibleTo(editor) and editor.account_choice.chosen() == "1"
    editor.account_choice.combo.setCurrentIndex(editor.account_choice.combo.findData(accounts["Roofing client"].id))
    editor.title_edit.setText("Quote visit")
    editor.save_button.click()
    await until(lambda: "Quote visit" in [e["title"] for e in second.admin.all_events()], "created in the second")
    edit = windows.edit_event(dental.id)
    assert edit is not None and edit.account_choice.chosen() == "1" and not edit.account_choice.combo.isEnabled()
    edit.reject()
    # The slot finder asks the chosen account's calendar.
    finder = windows.find_slot()
    assert finder.account_choice.isVisibleTo(finder)
    finder.account_choice.combo.setCurrentIndex(finder.account_choice.combo.findData(accounts["Roofing client"].id))
    second.admin.clear_request_log()
    finder.search_button.click()
    await until(lambda: any("availability" in r.path for r in second.admin.request_log()), "asked the second")
    finder.close()

    # An agent books in the second account: the notification names it.
    book(second, "Gutter repair", 14)
    controller.sync_now()
    await until(lambda: any("Gutter repair" in m.title for m in notifier.messages), "the booking notified")
    booked = next(m for m in notifier.messages if "Gutter repair" in m.title)
    assert booked.body.startswith("Roofing client\n")

    # The second account's key is revoked: only that account is marked, in the tray and in Settings.
    second.admin.revoke_key(SECOND_KEY)
    controller.sync_now()
    await until(lambda: controller.account_problems() != [], "the revoked account marked")
    assert [name for name, _problem in controller.account_problems()] == ["Roofing client"]
    assert controller.status.phase.value != "auth_error", "the app as a whole still syncs"
    tray = desktop.tray
    assert tray is not None
    tray.fill_menu(tray.menu)
    assert any(action.text().startswith("Roofing client: ") for action in tray.menu.actions())
    await until(lambda: "Roofing client: " in page.list.item(1).text(), "the problem in Settings")

    page.list.setCurrentRow(1)
    page.name_edit.setText("Roofers & Sons")
    page.rename_button.click()
    await until(lambda: page.list.item(1).text().startswith("Roofers & Sons"), "renamed")
    page.colour_combo.setCurrentIndex(5)
    page.colour_combo.activated.emit(5)
    await until(lambda: controller.accounts()[1].colour == page.colour_combo.itemData(5), "recoloured")
    saved = load_accounts(desktop.accounts_path)
    assert saved is not None and [a.name for a in saved] == ["Klen", "Roofers & Sons"]

    asked: list[tuple[str, int]] = []
    page.confirm_remove = lambda _parent, name, unsent: asked.append((name, unsent)) or True
    page.list.setCurrentRow(1)
    page.remove_button.click()
    await until(lambda: page.list.count() == 1, "removed")
    assert asked == [("Roofers & Sons", 0)]
    await until(lambda: titles(desktop) == {"Dental check-up"}, "only the first account's calendar")
    editor = windows.new_event()
    assert not editor.account_choice.isVisibleTo(editor), "one account: the editor asks nothing"
    editor.reject()
    assert await KeyStore(service=key_service, account="account:2").get() is None
    await until(
        lambda: not agenda.toolbar.account_combo.isVisibleTo(agenda),
        "the account filter gone",
    )

    # The demo calendar, as one account among others (once).
    page.demo_button.click()
    await until(lambda: page.list.count() == 2 and not page.demo_button.isEnabled(), "the demo account listed")
    await until(lambda: len(titles(desktop)) > 1, "the demo calendar beside the first", timeout=20)
    assert not controller.demo, "a demo account beside a keyed one: not demo mode"
