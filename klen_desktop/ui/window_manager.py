"""The app's windows, each built on first use and wired to the controller: agenda, editor, slot finder, settings.

Windows only render values and emit intentions; this module turns those intentions into controller calls
and the controller's answers back into window updates. Each window module is imported the first time it
is needed, so the tray comes up without paying for them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from klen_desktop.accounts.model import AccountError
from klen_desktop.api.errors import KlenError
from klen_desktop.background_tasks import BackgroundTasks
from klen_desktop.drafts import EventDraft
from klen_desktop.event_rules import blocks_time
from klen_desktop.i18n import N_, _
from klen_desktop.links import web_link
from klen_desktop.session.draft_save import DraftSave
from klen_desktop.session.files import ics_file_name
from klen_desktop.session.outcomes import SaveState, WriteRefused, daily_limit_wait
from klen_desktop.settings import KeyState, Preferences
from klen_desktop.store.errors import DatabaseClosed
from klen_desktop.store.events import StoredEvent
from klen_desktop.store.outbox import NEEDS_USER
from klen_desktop.ui.controller import Controller
from klen_desktop.ui.formatting import local_midnight
from klen_desktop.ui.qt_language import first_day_of_week
from klen_desktop.ui.quick_add_flow import QuickAddFlow, next_half_hour, tell_if_kept
from klen_desktop.ui.settings_window import SettingsSources, SettingsWindow

if TYPE_CHECKING:
    from klen_desktop.ui.agenda import AgendaWindow
    from klen_desktop.ui.agenda.filters import AgendaAccount
    from klen_desktop.ui.agenda_feed import AgendaFeed
    from klen_desktop.ui.editor import EventEditor
    from klen_desktop.ui.quick_add_window import QuickAddWindow
    from klen_desktop.ui.settings_dialog import SettingsDialog
    from klen_desktop.ui.slots import SlotFinder

log = logging.getLogger(__name__)

DEFAULT_LENGTH = timedelta(minutes=30)
# An open slot finder asks the server again after the calendar changed: soon, but at most this often.
SLOT_REFRESH_DELAY_MS = 1_000
SLOT_REFRESH_MS = 30_000
SLOT_SPAN = "slots"  # the name the free-slot finder's days are held under (see Controller.hold)


class Windows(QObject):
    """Opens and wires the windows. ``prefs`` and ``key_state`` are read when a window opens."""

    def __init__(
        self,
        controller: Controller,
        *,
        prefs: Callable[[], Preferences],
        key_state: Callable[[], KeyState],
        save_prefs: Callable[[Preferences], Any],
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__()
        self._controller = controller
        self._prefs = prefs
        self._save_prefs = save_prefs
        self._clock = clock or (lambda: datetime.now(UTC))
        self.agenda: AgendaWindow | None = None
        self._agenda_feed: AgendaFeed | None = None
        self.slot_finder: SlotFinder | None = None
        self.editors: list[EventEditor] = []
        self.on_agenda_created: list[Callable[[QWidget], None]] = []
        self.on_settings_created: list[Callable[[SettingsDialog], None]] = []
        self._settings = SettingsWindow(
            controller, SettingsSources(prefs, key_state, save_prefs), on_created=self.on_settings_created
        )
        self._tasks = BackgroundTasks(log, "a window task failed")
        self._quick = QuickAddFlow(controller, self._tasks, prefs=prefs, clock=self._clock, editor=self._quick_editor)
        self._slot_refresh = QTimer(self)
        self._slot_refresh.setSingleShot(True)
        self._slots_refreshed_at = 0.0
        controller.events_changed.connect(self._events_changed)
        controller.status_changed.connect(self._status_changed)
        controller.outbox_changed.connect(self._outbox_changed)
        controller.access_changed.connect(self._access_changed)
        controller.detail_loaded.connect(self._detail_loaded)
        controller.connection_changed.connect(self._connection_changed)
        controller.accounts_changed.connect(self._accounts_changed)

    # -- agenda -----------------------------------------------------------------------------------------

    def ensure_agenda(self) -> AgendaWindow:
        if self.agenda is None:
            from klen_desktop.ui.agenda import AgendaWindow  # heavy: built on first use
            from klen_desktop.ui.agenda.toolbar import AgendaView
            from klen_desktop.ui.agenda_feed import AgendaFeed

            window = AgendaWindow(clock=self._clock, week_starts_on=first_day_of_week())
            window.set_view(AgendaView(self._prefs().agenda_view))
            window.view_changed.connect(lambda v: self._save_prefs(replace(self._prefs(), agenda_view=str(v))))
            c = self._controller
            window.new_event_requested.connect(self.new_event)
            window.edit_requested.connect(self.edit_event)
            window.status_requested.connect(c.change_status)
            window.cancel_requested.connect(c.cancel_event)
            window.join_requested.connect(self.open_link)
            window.ics_requested.connect(self.save_ics)
            window.detail_needed.connect(c.load_detail)
            window.refresh_requested.connect(c.sync_now)
            window.find_slot_requested.connect(self.find_slot)
            # The agenda asks from its demo and key-problem banners: both are about the key.
            window.settings_requested.connect(lambda: self.open_settings(tab="account"))
            window.outbox_resend_requested.connect(c.resend)
            window.outbox_discard_requested.connect(c.discard)
            window.visibility_changed.connect(c.set_agenda_visible)
            self._quick.wire(window.toolbar.quick_add, window.toolbar.quick_add.clear)
            self.agenda = window
            self._agenda_feed = AgendaFeed(window, c, self._tasks, self._clock)
            self._connection_changed()
            self._access_changed()
            self._status_changed()
            self._outbox_changed()
            self._accounts_changed()
            self._events_changed()
            for hook in self.on_agenda_created:
                hook(window)
        return self.agenda

    def open_agenda(self) -> AgendaWindow:
        window = self.ensure_agenda()
        window.showNormal()
        window.raise_()
        window.activateWindow()
        return window

    def toggle_agenda(self) -> None:
        if self.agenda is not None and self.agenda.isVisible():
            self.agenda.hide()
        else:
            self.open_agenda()

    def show_event(self, event_id: int) -> None:
        self.open_agenda()
        if self._agenda_feed is not None:
            self._agenda_feed.show_event(event_id)

    def _events_changed(self) -> None:
        if self._agenda_feed is not None:
            self._agenda_feed.events_changed()
        if self.slot_finder is not None and self.slot_finder.isVisible():
            self.slot_finder.set_busy_times(self._busy_times())
            self._refresh_slots_soon()

    def _status_changed(self, *_args: object) -> None:
        if self.agenda is not None:
            self.agenda.set_sync_status(self._controller.status)
            # A create kept for the daily limit says how long is left: each sync's news keeps that current.
            self._outbox_changed()

    def _outbox_changed(self, *_args: object) -> None:
        if self.agenda is not None:
            problems = [e for e in self._controller.outbox if e.state in NEEDS_USER]
            now = self._clock()
            waiting = [(e.seq, text) for e in self._controller.outbox if (text := daily_limit_wait(e, now))]
            self.agenda.set_outbox_problems(problems, waiting)

    def _access_changed(self, *_args: object) -> None:
        access = self._controller.access
        reason = (access.reason or "This key may only read.") if access.read_only else None
        if self.agenda is not None:
            self.agenda.set_read_only(access.read_only, access.reason or "")
            self.agenda.toolbar.quick_add.set_read_only(reason)
        if self.quick_add_window is not None:
            self.quick_add_window.box.set_read_only(reason)

    def _detail_loaded(self, stored: object) -> None:
        from klen_desktop.store.events import StoredEvent

        if self.agenda is not None and isinstance(stored, StoredEvent):
            self.agenda.set_event_detail(stored)

    def _connection_changed(self) -> None:
        if self.agenda is not None:
            self.agenda.set_demo(self._controller.demo)
            self.agenda.start_over()
        self._settings.key_state_changed()

    def _accounts_changed(self) -> None:
        if self.agenda is not None:
            self.agenda.set_accounts(self._accounts(), self._controller.account_of)

    # -- quick add ----------------------------------------------------------------------------------------

    def quick_add(self) -> QuickAddWindow:
        """The small "New event" window: an event typed in words (the tray's New event…, a global shortcut)."""
        window = self._quick.open_window()
        self._access_changed()
        return window

    @property
    def quick_add_window(self) -> QuickAddWindow | None:
        return self._quick.window

    def _quick_editor(self, draft: EventDraft | None) -> None:
        if draft is None:
            self.new_event()
        else:
            self.open_editor(draft)

    # -- editor -------------------------------------------------------------------------------------------

    def new_event(self, start: object = None, end: object = None, account_id: str | None = None) -> EventEditor:
        """An editor for a new event from ``start`` to ``end`` (dragged on a time grid), else the next half hour;
        in ``account_id`` (where several accounts are shown, the editor asks, the first one chosen)."""
        begin = start if isinstance(start, datetime) else next_half_hour(self._clock())
        finish = end if isinstance(end, datetime) and end > begin else begin + DEFAULT_LENGTH
        draft = EventDraft.new(begin, finish, default_reminder=self._prefs().default_reminder_minutes)
        return self.open_editor(draft, account_id)

    def edit_event(self, event_id: int) -> EventEditor | None:
        """The editor of a held event at once; one no span holds (a notification's booking weeks ahead) opens once
        read from the cache (None is returned then)."""
        stored = self._controller.cached_event(event_id)
        if stored is None:
            self._tasks.spawn(self._edit_from_cache(event_id))
            return None
        return self._edit(stored)

    async def _edit_from_cache(self, event_id: int) -> None:
        stored = await self._controller.find_event(event_id)
        if stored is not None:
            self._edit(stored)

    def _edit(self, stored: StoredEvent) -> EventEditor:
        event_id = stored.id
        if stored.detail is None and not stored.is_local:
            self._controller.load_detail(event_id)  # the draft is partial; later opens get everything
        return self.open_editor(EventDraft.from_event(stored), base=stored)

    def open_editor(
        self, draft: EventDraft, account_id: str | None = None, base: StoredEvent | None = None
    ) -> EventEditor:
        """An editor of ``draft``; an edit's ``base`` (the event as the user saw it) is the held copy if not given."""
        from klen_desktop.ui.editor import EventEditor

        if base is None and draft.event_id is not None:
            base = self._controller.cached_event(draft.event_id)
        access = self._controller.access
        editor = EventEditor(draft, read_only_reason=access.reason if access.read_only else None)
        if draft.event_id is None:
            editor.account_choice.set_accounts(self._accounts(), account_id)
        else:  # an event stays in its account: named, not changeable
            editor.account_choice.set_accounts(
                self._accounts(), self._controller.account_of(draft.event_id), fixed=True
            )

        async def queue(draft: EventDraft, base: StoredEvent | None, resend_seq: int | None) -> int:
            chosen = editor.account_choice.chosen()
            return await self._controller.save_draft(draft, base, resend_seq=resend_seq, account_id=chosen)

        flow = DraftSave(queue, self._controller.session.wait_for_send, base)
        editor.save_requested.connect(lambda d: self._save(editor, d, flow))
        editor.finished.connect(lambda _result: self._forget_editor(editor))
        self.editors.append(editor)
        editor.show()
        editor.raise_()
        editor.activateWindow()
        return editor

    def _save(self, editor: EventEditor, draft: object, flow: DraftSave) -> None:
        if isinstance(draft, EventDraft):
            self._tasks.spawn(self._save_draft(editor, draft, flow))

    async def _save_draft(self, editor: EventEditor, draft: EventDraft, flow: DraftSave) -> None:
        """Keep the dialog open for a moment to hear from the server: a refusal comes back to the field it
        names (the draft intact), anything else closes the dialog (sent, or kept until the server is reached)."""
        editor.set_saving(True)
        try:
            outcome = await flow.save(draft)
        except WriteRefused as exc:
            editor.show_field_errors({exc.field or "": exc.message})
            return
        except DatabaseClosed:
            return  # the app is quitting (or switching accounts); what was queued is on disk
        except Exception as exc:  # the draft must survive anything: keep the dialog, say what happened
            log.exception("saving an event failed")
            if editor in self.editors:
                editor.show_field_errors({"": _("The event could not be saved: {error}").format(error=exc)})
            return
        if editor not in self.editors:
            return  # closed meanwhile
        if outcome.state is SaveState.REFUSED:
            editor.show_field_errors({outcome.field or "": outcome.message or _("The server refused the change.")})
            return
        tell_if_kept(self._controller, outcome)
        editor.saved()

    def _forget_editor(self, editor: EventEditor) -> None:
        if editor in self.editors:
            self.editors.remove(editor)
        editor.deleteLater()

    # -- free slots ---------------------------------------------------------------------------------------

    def find_slot(self) -> SlotFinder:
        if self.slot_finder is None:
            from klen_desktop.ui.slots import SlotFinder

            finder = SlotFinder()
            finder.search_requested.connect(lambda s, e, d: self._tasks.spawn(self._search(finder, s, e, d)))
            finder.slot_chosen.connect(self._slot_chosen)
            # Another account is another calendar: its busy times, and its free slots asked again.
            finder.account_choice.changed.connect(lambda _account: self._slot_account_changed(finder))
            self.slot_finder = finder
            self._slot_refresh.timeout.connect(finder.refresh)
        self.slot_finder.account_choice.set_accounts(self._accounts())
        start, end, _duration = self.slot_finder.search_range()
        self._hold_slot_days(start, end)
        self.slot_finder.set_busy_times(self._busy_times())
        self.slot_finder.show()
        self.slot_finder.raise_()
        self.slot_finder.activateWindow()
        return self.slot_finder

    def _accounts(self) -> list[AgendaAccount]:
        from klen_desktop.ui.agenda.filters import AgendaAccount  # the agenda package loads with its window

        return [AgendaAccount(a.id, a.name, a.colour) for a in self._controller.accounts()]

    def _busy_times(self) -> tuple[tuple[datetime, datetime], ...]:
        chosen = self.slot_finder.account_choice.chosen() if self.slot_finder is not None else None
        events = self._controller.events
        mine = [e for e in events if chosen is None or self._controller.account_of(e.id) == chosen]
        return tuple((e.start_time, e.end_time) for e in mine if blocks_time(e.status))

    def _hold_slot_days(self, start: date, end: date) -> None:
        # The finder drops the slots the cache shows taken: the events of its days are held while it searches them
        # (its busy times are set again once they are read).
        self._controller.hold(SLOT_SPAN, local_midnight(start), local_midnight(end + timedelta(days=1)))

    def _slot_account_changed(self, finder: SlotFinder) -> None:
        finder.set_busy_times(self._busy_times())
        finder.refresh()

    def _refresh_slots_soon(self) -> None:
        # The calendar changed under an open finder: ask the server again, at most every SLOT_REFRESH_MS, so a
        # burst of changes costs one request (the list already dropped what the cache shows as taken).
        if self._slot_refresh.isActive():
            return
        since = time.monotonic() - self._slots_refreshed_at
        self._slot_refresh.start(max(SLOT_REFRESH_DELAY_MS, SLOT_REFRESH_MS - int(since * 1000)))

    async def _search(self, finder: SlotFinder, start: object, end: object, duration: int) -> None:
        if not isinstance(start, date) or not isinstance(end, date):
            return
        self._slots_refreshed_at = time.monotonic()
        self._hold_slot_days(start, end)
        try:
            account = finder.account_choice.chosen()
            found = await self._controller.session.find_slots(start, end, duration, account_id=account)
        except (KlenError, AccountError) as exc:  # the server's answer, or the account removed meanwhile
            finder.show_error(exc.message)
            return
        finder.show_availability(found)

    def _slot_chosen(self, start: object, end: object) -> None:
        if isinstance(start, datetime) and isinstance(end, datetime):
            draft = EventDraft.new(start, end, default_reminder=self._prefs().default_reminder_minutes)
            finder = self.slot_finder
            self.open_editor(draft, finder.account_choice.chosen() if finder is not None else None)

    # -- ICS ----------------------------------------------------------------------------------------------

    def save_ics(self, event_id: int) -> None:
        stored = self._controller.cached_event(event_id)  # the agenda's or a reminder's event: held
        title = stored.title if stored is not None else _("event")
        suggested = str(Path.home() / ics_file_name(title, event_id))
        parent = self.agenda if self.agenda is not None else None
        from PySide6.QtWidgets import QFileDialog  # loaded when first asked for, like every window

        path, _filter = QFileDialog.getSaveFileName(parent, _("Save calendar file"), suggested, _("iCalendar (*.ics)"))
        if path:
            self._tasks.spawn(self._save_ics(event_id, Path(path)))

    async def _save_ics(self, event_id: int, path: Path) -> None:
        try:
            written = await self._controller.session.save_ics(event_id, path)
        except (KlenError, WriteRefused, OSError) as exc:
            self._controller.notice.emit(_("Could not save the calendar file"), str(exc))
            return
        self._controller.notice.emit(_("Calendar file saved"), str(written))

    # -- links -------------------------------------------------------------------------------------------

    def open_link(self, url: str) -> None:
        """Open a link from server data; a refused one (not http(s)) is said, not silently dropped."""
        if not open_web_link(url):
            self._controller.notice.emit(_(REFUSED_LINK_TITLE), _(REFUSED_LINK_TEXT))

    # -- settings -----------------------------------------------------------------------------------------

    @property
    def settings(self) -> SettingsDialog | None:
        """The open Settings dialog (None while none is open)."""
        return self._settings.dialog

    def open_settings(self, tab: str | None = None) -> SettingsDialog:
        """Settings, on ``tab`` ("account", "accounts", "general", "shortcuts" or "zones") when given; an open
        dialog is raised and switched."""
        return self._settings.open(tab)

    def second_zone_changed(self) -> None:
        """Show the second time zone now set in :mod:`klen_desktop.date_texts` in the open windows."""
        if self.agenda is not None:
            self.agenda.refresh_time()  # remakes the rows' texts and the week's hour column
        for editor in self.editors:
            editor.show_second_zone()

    # -- teardown ------------------------------------------------------------------------------------------

    def close_all(self) -> None:
        """Close every window and end what they still wait for (a search, a save), before the session stops."""
        self._slot_refresh.stop()
        self._tasks.cancel_all()
        for editor in list(self.editors):
            editor.done(0)
        for window in (self.slot_finder, self.agenda, self.quick_add_window):
            if window is not None:
                window.hide()
        self._settings.hide()


REFUSED_LINK_TITLE = N_("Link not opened")
REFUSED_LINK_TEXT = N_("Only web links (http or https) from the calendar are opened.")


def open_web_link(url: str) -> bool:
    """Open an http(s) link in the browser; anything else from server data is refused (returns False)."""
    link = web_link(url)
    if link is not None:
        _open_url(link)
        return True
    log.warning("refused to open a link that is not http(s)")
    return False


def open_phone(number: str) -> None:
    _open_url(f"tel:{number}")


def _open_url(text: str) -> None:
    # Qt's URL types load with the first link opened: a tray that never opens one keeps 50 KiB less.
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    QDesktopServices.openUrl(QUrl(text))


def copy_text(text: str) -> None:
    QGuiApplication.clipboard().setText(text)


__all__ = ["Windows", "copy_text", "next_half_hour", "open_phone", "open_web_link"]
