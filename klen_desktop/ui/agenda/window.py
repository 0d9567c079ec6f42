"""The agenda window: the list of events by day (or a day or week time grid), its filters and banners, and the
detail pane.

It renders the values it is given (events, sync status, outbox problems) and emits intentions; the controller
connects those to the core. Nothing here talks to the network or the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QHideEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import QAbstractItemView, QPushButton, QVBoxLayout, QWidget

from klen_desktop.api.models import EventStatus, EventSummary
from klen_desktop.i18n import _
from klen_desktop.store.events import StoredEvent
from klen_desktop.store.outbox import OutboxEntry
from klen_desktop.sync.status import SyncStatus
from klen_desktop.timezone_watch import refresh_zone
from klen_desktop.ui.agenda.banners import DEMO_TEXT, Banner, BannerText, ProblemsBanner, Tone, sync_banner
from klen_desktop.ui.agenda.delegate import AgendaDelegate
from klen_desktop.ui.agenda.detail_pane import DetailPane
from klen_desktop.ui.agenda.event_facts import details_text
from klen_desktop.ui.agenda.filters import AgendaAccount, AgendaFilter
from klen_desktop.ui.agenda.grid_host import GridHost
from klen_desktop.ui.agenda.listview import AgendaListView
from klen_desktop.ui.agenda.model import AgendaModel
from klen_desktop.ui.agenda.navigation import DayNavigation
from klen_desktop.ui.agenda.states import GO_TO_MATCH, footer_text, nearest, page_message
from klen_desktop.ui.agenda.toolbar import AgendaToolbar, AgendaView
from klen_desktop.ui.agenda.widgets import beside, default_window_size, page_stack, set_write_enabled
from klen_desktop.ui.due_timer import DueTimer
from klen_desktop.ui.form_widgets import plain_label
from klen_desktop.ui.formatting import local

if TYPE_CHECKING:
    from klen_desktop.ui.agenda.cancel_dialog import CancelDialog
    from klen_desktop.ui.agenda.week_view import WeekView


class AgendaWindow(QWidget):
    """See the issue 4 UI contract: inputs are the ``set_*`` methods, outputs the signals below."""

    new_event_requested = Signal(object, object)  # suggested start and end (aware datetimes), or None, None
    edit_requested = Signal(int)
    status_requested = Signal(int, str)
    cancel_requested = Signal(int, str)
    join_requested = Signal(str)
    ics_requested = Signal(int)
    copy_details_requested = Signal(int)  # after the details were put on the clipboard
    detail_needed = Signal(int)
    refresh_requested = Signal()
    find_slot_requested = Signal()
    settings_requested = Signal()  # from the key-problem and demo banners
    outbox_resend_requested = Signal(int)
    outbox_discard_requested = Signal(int)
    visibility_changed = Signal(bool)
    view_changed = Signal(object)  # AgendaView, after the user switched
    range_changed = Signal()  # the days the rows are from moved (see shown_days)
    filter_changed = Signal(object)  # AgendaFilter, after the user changed the search or the filters

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
        week_starts_on: int | None = None,
    ) -> None:
        """``week_starts_on``: the Week view's first weekday (Monday 0), the locale's; None: the day picked."""
        super().__init__(parent)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._now = self._clock()
        self._status = SyncStatus()
        self._read_only: str | None = None
        self._demo = False
        self._detail_asked: dict[int, EventSummary] = {}
        self._pending_show: int | None = None
        self._scroll_on_show = False  # show_event was called while hidden: scroll to it once shown
        self.cancel_dialog: CancelDialog | None = None
        self.setWindowTitle(_("Klen — Agenda"))
        self.resize(default_window_size())
        self.model = AgendaModel(self)
        self.delegate = AgendaDelegate(self)
        self.list_view = AgendaListView(self.delegate.row_height(self.fontMetrics()))
        self.list_view.setModel(self.model)
        self.list_view.setItemDelegate(self.delegate)
        self.list_view.setAccessibleName(_("Agenda"))
        self.toolbar = AgendaToolbar()
        self.sync_banner = Banner()
        self.mode_banner = Banner()
        self.read_only_banner = Banner()
        self.problems = ProblemsBanner()
        self.pane = DetailPane()
        self.message = plain_label()
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message_button = QPushButton()
        self.footer = plain_label(wrap=False)
        self._account_colours: dict[str, str] = {}  # the grid's, kept for it until it is built
        self.navigation = DayNavigation(self.list_view, self.model, self.toolbar, self._today, self._range_moved)
        self.navigation.week_starts_on = week_starts_on
        self.grid = GridHost(self._build_grid, self.model, self.navigation, self.toolbar)
        self._build_layout()
        self._connect()
        # Armed for the next turn of the minute while shown: the now line moves as an event starts (events start
        # on the minute), the "Did it happen?" row comes as one ends, and "n min ago" ages on time.
        self._tick = DueTimer(self._minute_turned, self)
        # Search texts are made in idle slices, a few ms each, once the search field is entered (or holds a search)
        # instead of on the first keystroke; not after every load, where 10,000 of them (some 0.8 MiB) would be
        # kept for a search that mostly never comes. A keystroke before they are done makes the rest at once.
        self._search_prep = QTimer(self)
        self._search_prep.setInterval(0)
        self._search_prep.timeout.connect(self._prepare_search)
        self.toolbar.search_edit.entered.connect(self._search_prep.start)
        self._update_page()

    @property
    def search_prepared(self) -> bool:
        """True when no search texts are being made: a search now costs only the filter itself if the search
        field was entered first."""
        return not self._search_prep.isActive()

    def _prepare_search(self) -> None:
        if not self.model.prepare_search(1000):
            self._search_prep.stop()

    def _build_layout(self) -> None:
        self.stack = page_stack(self.list_view, self.message, self.message_button)
        layout = QVBoxLayout(self)
        for widget in (self.toolbar, self.mode_banner, self.read_only_banner, self.sync_banner, self.problems):
            layout.addWidget(widget)
        layout.addWidget(beside(self.stack, self.pane), 1)
        layout.addWidget(self.footer)

    def _connect(self) -> None:
        tb = self.toolbar
        tb.filter_changed.connect(self._filter_changed)
        tb.view_changed.connect(self._switch_view)
        tb.view_changed.connect(self.view_changed.emit)
        tb.new_button.clicked.connect(lambda: self._new_event())
        tb.slot_button.clicked.connect(self.find_slot_requested.emit)
        tb.sync_button.clicked.connect(self.refresh_requested.emit)
        self.sync_banner.action_clicked.connect(
            lambda: (self.settings_requested if self._status.halted else self.refresh_requested).emit()
        )
        self.mode_banner.action_clicked.connect(self.settings_requested.emit)
        self.problems.resend_requested.connect(self.outbox_resend_requested.emit)
        self.problems.discard_requested.connect(self.outbox_discard_requested.emit)
        self.message_button.clicked.connect(self._message_action)
        self.delegate.join_clicked.connect(self.join_requested.emit)
        self.delegate.outcome_clicked.connect(self.status_requested.emit)
        self.list_view.row_clicked.connect(self._row_clicked)
        self.list_view.selectionModel().currentChanged.connect(self._current_changed)
        self.list_view.open_requested.connect(self._open)
        self.list_view.doubleClicked.connect(self._open)
        self.list_view.delete_requested.connect(lambda index: self.ask_cancel(self.model.event_at(index.row())))
        self.pane.status_requested.connect(self.status_requested.emit)
        self.pane.cancel_clicked.connect(lambda _id: self.ask_cancel(self.pane.shown_event))
        self.pane.edit_requested.connect(self.edit_requested.emit)
        self.pane.join_requested.connect(self.join_requested.emit)
        self.pane.ics_requested.connect(self.ics_requested.emit)
        self.pane.copy_requested.connect(self._copy_details)
        QShortcut(QKeySequence("N"), self, self._new_event)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self, self.focus_search)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, self.refresh_requested.emit)
        # Bare keys, like N: a text field takes them as typing, so they switch only outside one.
        for key, view in zip("123", AgendaView, strict=True):
            QShortcut(QKeySequence(key), self, lambda v=view: self.toolbar.set_view(v))

    def _switch_view(self, view: AgendaView) -> None:
        picked = self.pane.shown_event  # before the switch: the list's rows change with the days shown
        self.grid.switch(view, getattr(picked, "id", 0))
        if view is not AgendaView.AGENDA:
            self.grid.view.setFocus()
            return
        # The event picked in the grid stays picked in the list; a list taking focus with no current row would
        # make its first event current, and the pane would jump to it.
        row = None if picked is None else self.model.row_of(picked.id)
        if row is not None:
            index = self.model.index(row)
            self.list_view.setCurrentIndex(index)
            self.list_view.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)
        self.list_view.setFocus()

    @property
    def week_view(self) -> WeekView:
        """The Day and Week views' grid (built on first use, see grid_host)."""
        return self.grid.view

    def _build_grid(self) -> WeekView:
        from klen_desktop.ui.agenda.week_view import WeekView  # built on first use (see grid_host)

        grid = WeekView()
        grid.account_colours = self._account_colours
        grid.selected.connect(lambda event_id: self._show_in_pane(self.model.find_event(event_id)))
        grid.open_requested.connect(self._open_event)
        grid.delete_requested.connect(lambda event_id: self.ask_cancel(self.model.find_event(event_id)))
        grid.create_requested.connect(self._new_event)
        self.stack.addWidget(grid)  # page 2 (see page_stack)
        QWidget.setTabOrder(self.list_view, grid)  # where the list is, not after the pane made before it
        return grid

    # -- inputs ------------------------------------------------------------------------------------------------
    def set_events(
        self, events: Sequence[StoredEvent], now: datetime, *, total: int | None = None, covered: bool = True
    ) -> None:
        """Show ``events`` as of ``now``; only changed rows are updated, selection and scroll are kept. Where they
        are a part of the calendar: ``total`` counts the whole, ``covered`` says whether they are all of the days
        shown (see :meth:`shown_days`)."""
        self._now = now
        moved = self._keeping_place(lambda: self.model.set_events(events, now, total=total, covered=covered))
        self._refresh_pane(zone_moved=moved)
        self._ask_detail(self.pane.shown_event)
        self._update_page()
        search = self.toolbar.search_edit
        if search.hasFocus() or search.text():
            self._search_prep.start()
        if self._pending_show is not None and self.model.find_event(self._pending_show) is not None:
            self.show_event(self._pending_show)

    def set_accounts(self, accounts: list[AgendaAccount], account_of: Callable[[int], str | None]) -> None:
        """The accounts shown and which one an event is of: a filter and a colour stripe where there are several."""
        self.toolbar.set_accounts(accounts)
        self._keeping_place(lambda: self.model.set_accounts(accounts, account_of))
        several = len(accounts) > 1
        self._account_colours = {a.id: a.colour for a in accounts} if several else {}
        if self.grid.built:
            self.week_view.account_colours = self._account_colours
            self.week_view.viewport().update()
        names = {a.id: a.name for a in accounts} if several else {}
        self.pane.account_name = lambda event_id: names.get(account_of(event_id) or "", "")
        self.pane.show_event(self.pane.shown_event, self._now)

    def set_event_detail(self, event: StoredEvent) -> None:
        """Fresh details for one event (after ``detail_needed``)."""
        self.model.update_event(event)
        shown = self.pane.shown_event
        if shown is not None and shown.id == event.id:
            self.pane.show_event(event, self._now)

    def set_sync_status(self, status: SyncStatus) -> None:
        self._status = status
        self.sync_banner.show_text(sync_banner(status, self._clock()))
        self._update_page()

    def set_demo(self, demo: bool) -> None:
        self._demo = demo
        self.setWindowTitle(_("Klen — Agenda (Demo)") if demo else _("Klen — Agenda"))
        self.mode_banner.show_text(BannerText(Tone.INFO, _(DEMO_TEXT), _("Enter API key…")) if demo else None)
        self._update_footer()

    def set_read_only(self, read_only: bool, reason: str) -> None:
        """Disable every write action, with ``reason`` as their tooltip and in a banner."""
        self._read_only = reason if read_only else None
        self.read_only_banner.show_text(
            BannerText(Tone.INFO, _("Read-only: {reason}").format(reason=reason)) if read_only else None
        )
        set_write_enabled(self.toolbar.new_button, not read_only, reason)
        self.delegate.set_read_only(read_only)
        self.pane.set_read_only(self._read_only)
        self.list_view.viewport().update()

    def set_outbox_problems(self, entries: Sequence[OutboxEntry], waiting: Sequence[tuple[int, str]] = ()) -> None:
        """Show the writes that need the user, and ``waiting``: (seq, what to say) of writes kept for later."""

        def title_of(entry: OutboxEntry) -> str | None:
            known = None if entry.event_id is None else self.model.find_event(entry.event_id)
            return known.title if known is not None else None

        self.problems.set_entries(entries, title_of, waiting)

    def set_match_days(self, flt: AgendaFilter, days: list[date]) -> None:
        """The local day of every event in the whole calendar that ``flt`` lets through (see
        :meth:`AgendaModel.set_match_days`): what "{n} do in other weeks" counts and "Go to the nearest match" goes
        to."""
        self.model.set_match_days(flt, days)
        self._update_page()

    @property
    def pending_show(self) -> int | None:
        """The event :meth:`show_event` waits for (its week not read yet), if any."""
        return self._pending_show

    def shown_days(self) -> tuple[date, date]:
        """The first local day the rows are from and the day after the last (a week, in every view)."""
        first, last = self.model.shown_range or self.shown_range()
        return first, last + timedelta(days=1)

    def show_event(self, event_id: int, day: date | None = None) -> None:
        """Select the event, scroll to it and show it in the pane (filters are cleared if they hide it). ``day``:
        its local day, where the events given do not hold it (it is shown once they do)."""
        self._pending_show = event_id
        day = self.model.day_of_event(event_id) or day
        if day is not None:
            self.navigation.reveal(day)
        if self.model.row_of(event_id) is None and self.model.find_event(event_id) is not None:
            self.toolbar.set_filter(AgendaFilter())
        row = self.model.row_of(event_id)
        if row is None:
            return  # not loaded yet: shown once set_events brings it
        self._pending_show = None
        if self.grid.shown:
            self._update_page()
            self.week_view.select(event_id)
            self._show_in_pane(self.model.find_event(event_id))
        index = self.model.index(row)
        self.list_view.setCurrentIndex(index)
        self.list_view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        self._scroll_on_show = not self.isVisible()

    def refresh_time(self) -> None:
        """What the minute tick does: re-read the local zone and the clock, and re-render what depends on them."""
        self._set_now(self._clock())

    def _minute_turned(self) -> None:
        self.refresh_time()
        self._arm_tick()

    def _arm_tick(self) -> None:
        now = self._clock()
        self._tick.arm(now.replace(second=0, microsecond=0) + timedelta(minutes=1), now)

    # -- navigation and actions -------------------------------------------------------------------------------
    def set_view(self, view: AgendaView) -> None:
        """Show the list, or the time grid of a day or a week (as the switch and the keys 1, 2, 3 do)."""
        self.toolbar.set_view(view)

    def shown_range(self) -> tuple[date, date]:
        """The first and the last day shown: a week, or one day in the Day view (the date box says the first)."""
        first = self.navigation.first_day
        return first, first + timedelta(days=self.navigation.span - 1)

    def go_to_date(self, day: date) -> None:
        """Show the week from ``day``, as picking it in the date box does."""
        self.navigation.go_to(day)

    def start_over(self) -> None:
        """Another calendar replaces this one: it opens on today's week."""
        self.navigation.go_to_today()

    def focus_search(self) -> None:
        self.toolbar.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.toolbar.search_edit.selectAll()

    def ask_cancel(self, event: StoredEvent | None) -> None:
        """Open the confirmation; ``cancel_requested`` is emitted only if the user confirms."""
        if event is None or self._read_only is not None or event.status is EventStatus.CANCELLED:
            return
        from klen_desktop.ui.agenda.cancel_dialog import CancelDialog  # see its module

        dialog = CancelDialog(event, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.cancel_requested.emit(dialog.event_id, dialog.reason()))
        dialog.finished.connect(lambda _: setattr(self, "cancel_dialog", None))
        self.cancel_dialog = dialog
        dialog.open()

    def _new_event(self, start: datetime | None = None, end: datetime | None = None) -> None:
        if self._read_only is None:
            self.new_event_requested.emit(start, end)

    def _row_clicked(self, index: QModelIndex, pos: QPoint) -> None:
        view = self.list_view
        self.delegate.click(index, view.visualRect(index), view.fontMetrics(), pos)

    def _open(self, index: QModelIndex) -> None:
        event = self.model.event_at(index.row())
        if event is not None:
            self._open_event(event.id)

    def _open_event(self, event_id: int) -> None:
        if self._read_only is None:
            self.edit_requested.emit(event_id)

    def _copy_details(self, event_id: int) -> None:
        event = self.model.find_event(event_id)
        if event is not None:
            QGuiApplication.clipboard().setText(details_text(event))
            self.copy_details_requested.emit(event_id)

    def _range_moved(self) -> None:
        self.range_changed.emit()
        self._update_page()

    def _filter_changed(self, flt: AgendaFilter) -> None:
        shown = self.pane.shown_event
        self.model.set_filter(flt)
        self.filter_changed.emit(flt)
        # A filter change may reset the model; keep the selected event selected while it is still listed.
        row = None if shown is None else self.model.row_of(shown.id)
        if row is None:
            self.pane.show_event(None, self._now)
        else:
            self.list_view.reselect(row)
        self._update_page()

    def _message_action(self) -> None:
        if self.message_button.text() == _(GO_TO_MATCH):
            match = nearest(self.model.matching_days(), *self.shown_range())
            if match is not None:
                self.navigation.reveal(match)
        elif not self.model.filter.is_default:
            self.toolbar.set_filter(AgendaFilter())
        elif self.model.loaded:
            self._new_event()

    def _set_now(self, now: datetime) -> None:
        """The minute tick: moves the now line, and ages the "as of … (n min ago)" texts. It also re-reads the
        local zone, so a zone changed while the window is open shows within a minute."""
        self._now = now
        refresh_zone()
        moved = self._keeping_place(lambda: self.model.set_now(now))
        self._refresh_pane(zone_moved=moved)
        self.sync_banner.show_text(sync_banner(self._status, now))
        self._update_page()

    def _keeping_place(self, update: Callable[[], None]) -> bool:
        """Run a model update; True if it remade the rows for a new local zone. Regrouping days may reset the
        model, so the selected event is put back where the user left it (the week shown stays the same)."""
        before, selected = self.model.zone_changes, self._current_event()
        update()
        if self.model.zone_changes == before:
            return False
        self.list_view.reselect(None if selected is None else self.model.row_of(selected.id))
        return True

    def _refresh_pane(self, *, zone_moved: bool = False) -> None:
        """Re-render the pane only when its event (or the zone its times are shown in) changed: rebuilding it
        on every poll would flicker."""
        current = self._current_event()
        if zone_moved or current is None or current != self.pane.shown_event:
            self.pane.show_event(current, self._now)
        else:
            self.pane.set_now(self._now)

    def _today(self) -> date:
        return local(self._now).date()

    def _current_event(self) -> StoredEvent | None:
        if self.grid.shown:
            return self.model.find_event(self.week_view.selected_id)
        return self.model.event_at(self.list_view.currentIndex().row())

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        event = self.model.event_at(current.row())
        if event is None and self.pane.shown_event is not None and self.model.row_of(self.pane.shown_event.id):
            return  # a heading got focus: keep showing the event
        self._show_in_pane(event)

    def _show_in_pane(self, event: StoredEvent | None) -> None:
        self.pane.show_event(event, self._now)
        self._ask_detail(event)

    def _ask_detail(self, event: StoredEvent | None) -> None:
        if event is None or event.is_local or event.detail_is_current:
            return
        if self._detail_asked.get(event.id) != event.summary:
            self._detail_asked[event.id] = event.summary
            self.detail_needed.emit(event.id)

    # -- states ------------------------------------------------------------------------------------------------
    def _update_page(self) -> None:
        text, button = page_message(self.model, self._status)
        grid = self.grid.shown and self.model.loaded
        if grid:  # an empty range is still a grid: free time to drag a new event in
            text, button = "", None
            self.grid.refresh(self._now)
        self.message.setText(text)
        self.message_button.setVisible(button is not None and not (button == _("New event") and self._read_only))
        self.message_button.setText(button or "")
        self.stack.setCurrentIndex(1 if text else 2 if grid else 0)
        self._update_footer()

    def _update_footer(self) -> None:
        on_grid = len(self.week_view.facts) if self.grid.shown else None  # the list counts its week, not the day
        self.footer.setText(footer_text(self.model, self._status, demo=self._demo, now=self._clock(), shown=on_grid))

    # -- window life -------------------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Scrolling to an event asked for while hidden needs the list's real size: it waits for the show.
        shown = self.pane.shown_event
        if self._scroll_on_show and shown is not None and self.model.row_of(shown.id) is not None:
            self.show_event(shown.id)
        self._scroll_on_show = False
        self._arm_tick()
        self.visibility_changed.emit(True)

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._tick.stop()
        self.visibility_changed.emit(False)

    def closeEvent(self, event: QCloseEvent) -> None:
        # Closing only hides: the app lives in the tray and the window is reopened from there.
        event.accept()
