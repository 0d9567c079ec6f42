"""The tray icon and its menu: status at a glance, today's next events, and the quick actions.

The tray renders the controller's state and emits intentions; the composition root acts on them. The menu is
updated when what it shows changes (an event, the sync status, Do not disturb, the free-slot offer, the minute
its texts turn; rows that stay keep their items, see :mod:`~klen_desktop.ui.menu_rows`), never while it opens: a
StatusNotifierItem host (xfce4-panel's Status Tray) reads and sizes the menu before it shows it, so a menu
rebuilt in ``aboutToShow`` opened with the previous rows, cut off behind a scroll arrow, its items pointing at
actions already gone. :meth:`Tray.fill_menu` fills any menu, so the no-tray window offers exactly the same one.

"Next free 30 minutes" books in two clicks: the first looks the slot up and puts it in the item's text
("Book 14:30–15:00 today"); the second books it through the outbox. What the item says and what a click does
(no slot today, a failed look-up, an offer gone stale) is the session's rule,
:class:`~klen_desktop.session.free_slot_offer.FreeSlotOffer`; the tray only shows it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from klen_desktop import markup
from klen_desktop.api.models import EventType
from klen_desktop.date_texts import clock
from klen_desktop.i18n import _, ngettext, pgettext
from klen_desktop.labels import TYPE_LABELS
from klen_desktop.links import web_link
from klen_desktop.session.free_slot_offer import Click, FreeSlotOffer, SlotAnswer
from klen_desktop.store.events import StoredEvent
from klen_desktop.sync.status import SyncPhase
from klen_desktop.ui.controller import Controller
from klen_desktop.ui.due_timer import LONGEST_WAIT, DueTimer
from klen_desktop.ui.formatting import isolate, local, one_line, starts_in, starts_in_changes, time_range
from klen_desktop.ui.icons import TrayState, tray_icon, type_icon
from klen_desktop.ui.menu_rows import MenuRows, Row, separator

log = logging.getLogger(__name__)

MENU_EVENTS = 5

_OFFLINE_PHASES = (SyncPhase.OFFLINE, SyncPhase.SERVER_ERROR, SyncPhase.RATE_LIMITED)
_ERROR_PHASES = (SyncPhase.AUTH_ERROR, SyncPhase.PERMISSION_ERROR)


def dialable(phone: str | None) -> str | None:
    """The phone number as a ``tel:`` target (digits and a leading +), or None when there is none."""
    if not phone:
        return None
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) < 3:
        return None
    return ("+" if phone.strip().startswith("+") else "") + digits


def tray_state(controller: Controller, now: datetime) -> TrayState:
    """The icon's state: what most needs the user's eye wins (a key problem, offline, unsent work, DND)."""
    phase = controller.status.phase
    if phase in _ERROR_PHASES:
        return TrayState.ERROR
    if phase in _OFFLINE_PHASES:
        return TrayState.OFFLINE
    if controller.outbox:
        return TrayState.PENDING
    if controller.dnd.active(now):
        return TrayState.DND  # a mode the user chose outranks a sync of a second
    if phase is SyncPhase.SYNCING:
        return TrayState.SYNCING
    return TrayState.DEMO if controller.demo else TrayState.NORMAL


def today_events(controller: Controller, now: datetime, limit: int = MENU_EVENTS) -> list[StoredEvent]:
    """Active events that have not ended and start today (local time)."""
    today = local(now).date()
    return [e for e in controller.upcoming(now, limit * 4) if local(e.start_time).date() <= today][:limit]


class Tray(QObject):
    """The status icon. ``clock`` gives the current time (tests pass a fixed one); ``icon`` an icon to adopt."""

    toggle_agenda = Signal()  # left click
    open_agenda = Signal()
    show_event = Signal(int)
    new_event = Signal()
    find_slot = Signal()
    settings = Signal()
    enter_key = Signal()  # demo mode: Settings on the Account tab, the key field focused
    sync_now = Signal()
    quit_requested = Signal()
    join = Signal(str)  # http(s) url
    call = Signal(str)  # tel: number
    copy_text = Signal(str)
    dnd = Signal(int)  # minutes; 0 = off; -1 = until tomorrow
    free_slot_wanted = Signal()  # first click: look the slot up, then call offer_slot
    book = Signal(object, object)  # second click: start, end

    def __init__(
        self,
        controller: Controller,
        *,
        clock: Callable[[], datetime] | None = None,
        icon: QSystemTrayIcon | None = None,
    ) -> None:
        super().__init__()
        self._controller = controller
        self._clock = clock or (lambda: datetime.now(UTC))
        self._state: TrayState | None = None
        self._icons: dict[TrayState, QIcon] = {}
        self.free_slot = FreeSlotOffer()
        # The icon shown at boot (see app.py) is taken over, so the tray never blinks out and back.
        self.icon = icon or QSystemTrayIcon()
        # Its menu too: a tray host holds on to the menu it was given at registration (its D-Bus path), so
        # the boot menu is refilled rather than replaced.
        adopted = self.icon.contextMenu()
        self.menu = adopted if adopted is not None else QMenu()
        self._menu_opened_at: datetime | None = None
        self._menu_shows: tuple[object, ...] | None = None  # what the menu was last built from
        self._menu_rows: dict[QMenu, MenuRows] = {}
        # A rebuild waits for the event loop: a click on the menu changes the state from inside the clicked
        # action's signal, which must not delete that action under it; a burst of changes costs one rebuild.
        self._rebuild = QTimer(self)
        self._rebuild.setSingleShot(True)
        self._rebuild.setInterval(0)
        self._rebuild.timeout.connect(lambda: self._update_menu(self._clock(), now=True))
        self.menu.aboutToShow.connect(self._menu_opens)
        self.menu.aboutToHide.connect(self._menu_closes)
        if adopted is None:
            self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_activated)
        for signal in (
            controller.events_changed,
            controller.status_changed,
            controller.outbox_changed,
            controller.dnd_changed,
            controller.access_changed,
            controller.connection_changed,
            controller.accounts_changed,
        ):
            signal.connect(self.refresh)
        # No fixed period: the icon and tooltip are redrawn when the state changes and when their text would.
        self._due = DueTimer(self.refresh, self)
        self.refresh()

    # -- showing -----------------------------------------------------------------------------------------

    @staticmethod
    def available() -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def show(self) -> None:
        self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    @property
    def state(self) -> TrayState:
        assert self._state is not None  # set by refresh() in __init__
        return self._state

    @property
    def next_refresh(self) -> datetime | None:
        """When the icon and tooltip are next redrawn unless the state changes first (None: not before then)."""
        return self._due.due_at if self._due.active() else None

    def refresh(self, *_args: object) -> None:
        """Icon, tooltip and menu from the controller's latest state, and the timer for the next time their
        text changes by itself."""
        now = self._clock()
        self._update_menu(now)
        state = tray_state(self._controller, now)
        if state is not self._state:
            self._state = state
            if state not in self._icons:
                self._icons[state] = tray_icon(state)
            self.icon.setIcon(self._icons[state])
        upcoming = self._controller.upcoming(now, 1)
        next_event = upcoming[0] if upcoming else None
        self.icon.setToolTip(self.tooltip(now, next_event))
        due = self._changes_at(now, next_event)
        if due is None:
            self._due.stop()
        else:
            self._due.arm(due, now)

    def _changes_at(self, now: datetime, next_event: StoredEvent | None) -> datetime | None:
        """The next instant the icon or tooltip reads differently with no change of state: the countdown to
        the next event, the end of Do not disturb, and while the menu is open, each minute (its offer expires)."""
        due = [starts_in_changes(next_event, now) if next_event is not None else None, self._controller.dnd.until]
        if self._menu_opened_at is not None and now - self._menu_opened_at < LONGEST_WAIT:
            due.append(now.replace(second=0, microsecond=0) + timedelta(minutes=1))
        return min((at for at in due if at is not None and at >= now), default=None)

    def _menu_opens(self) -> None:
        self._menu_opened_at = self._clock()
        # The first look after a wake or a flight may come before the next timed check. The menu is rebuilt
        # here only if what it shows changed and the rebuild is still pending (rare): right away, so a D-Bus
        # host's GetLayout after AboutToShow reads the menu its Event clicks. refresh() starts the minute tick.
        self._controller.check_time()
        self._update_menu(self._clock(), now=True)
        self.refresh()

    def _menu_closes(self) -> None:
        self._menu_opened_at = None
        self.refresh()

    def tooltip(self, now: datetime, event: StoredEvent | None) -> str:
        """Plain text escaped for Qt, which may take a tooltip for rich text; ``event`` is the next one."""
        lines = [_("Klen Desktop (Demo)") if self._controller.demo else "Klen Desktop"]
        if event is not None:
            lines.append(
                _("Next: {title} {starts_in} ({time})").format(
                    title=isolate(one_line(event.title, 60)), starts_in=starts_in(event, now), time=time_range(event)
                )
            )
        else:
            lines.append(_("Nothing else scheduled"))
        problem = self._status_line(now)
        if problem:
            lines.append(problem)
        return markup.escape("\n".join(lines), quote=False)

    def _status_line(self, now: datetime) -> str | None:
        status = self._controller.status
        if status.phase in _ERROR_PHASES or status.phase in _OFFLINE_PHASES:
            return one_line(status.last_error or _("Cannot reach Klen"), 100)
        count = len(self._controller.outbox)
        if count:
            return ngettext("{n} change not yet on the server", "{n} changes not yet on the server", count).format(
                n=count
            )
        if self._controller.dnd.active(now) and self._controller.dnd.until is not None:
            return _("Do not disturb until {time}").format(time=clock(local(self._controller.dnd.until)))
        return None

    # -- the two-click booking -----------------------------------------------------------------------------

    def slot_answered(self, answer: SlotAnswer) -> None:
        """The answer to ``free_slot_wanted``, shown in the item the next time the menu opens."""
        self.free_slot.answered(answer, self._clock())
        self._update_menu(self._clock())

    def _slot_clicked(self) -> None:
        click, slot = self.free_slot.click(self._clock())
        if click is Click.BOOK and slot is not None:
            self.book.emit(slot.start, slot.end)
        elif click is Click.LOOK:
            self.free_slot_wanted.emit()
        self._update_menu(self._clock())  # "Looking…" while the look-up runs

    # -- the menu ---------------------------------------------------------------------------------------------

    def _shows(self, now: datetime) -> tuple[object, ...]:
        """Everything the menu's rows are built from at ``now``: equal tuples give the same menu."""
        controller = self._controller
        last = controller.status.last_success
        return (
            controller.demo,
            controller.access.read_only,
            self._status_line(now),
            tuple(controller.account_problems()),
            tuple(_event_shows(event, controller) for event in today_events(controller, now)),
            self.free_slot.label(now),
            self.free_slot.looking(now),
            None if last is None else clock(local(last)),
            controller.dnd.active(now),
            controller.dnd.until,
        )

    def _update_menu(self, at: datetime, *, now: bool = False) -> None:
        """Rebuild the tray's menu if what it shows changed (a tray host is told of each rebuild and reads
        the menu again, so an unchanged state costs nothing); soon, or with ``now`` right away."""
        if self._shows(at) == self._menu_shows:
            return
        if now or self._menu_shows is None:
            self._rebuild.stop()
            self.fill_menu(self.menu)
        else:
            self._rebuild.start()

    def fill_menu(self, menu: QMenu) -> None:
        """Bring ``menu`` to the latest state (the tray's own menu, or the no-tray window's); rows that stay keep
        their items, so a host's click that lands during the update still finds its item."""
        now = self._clock()
        if menu is self.menu:
            self._menu_shows = self._shows(now)
        rows = self._menu_rows.get(menu)
        if rows is None:
            rows = self._menu_rows[menu] = MenuRows(menu)
            menu.destroyed.connect(lambda *_: self._menu_rows.pop(menu, None))
        rows.show(self._rows(now))

    def _rows(self, now: datetime) -> list[Row]:
        controller = self._controller
        head: list[Row] = []
        if controller.demo:
            head += [
                Row("demo", _("Demo mode: a sample calendar")),
                Row("enter-key", _("Enter API key…"), self.enter_key.emit),
            ]
        if controller.access.read_only:
            head.append(Row("read-only", _("Read-only key: changes are off")))
        problem = self._status_line(now)
        if problem:
            head.append(Row("problem", problem))
        for name, trouble in controller.account_problems():
            # One account's bad key marks that account only; Settings is where its key is entered again.
            head.append(
                Row(
                    ("account-problem", name),
                    one_line(_("{account}: {problem}").format(account=name, problem=trouble), 100),
                    self.settings.emit,
                )
            )
        rows = [*head, separator("after-head")] if head else []
        events = today_events(controller, now)
        for event in events:
            rows += self._event_rows_or_none(event)
        if not events:
            rows.append(Row("no-events", _("Nothing else today")))
        writable = not controller.access.read_only
        last = controller.status.last_success
        sync = _("Sync now") if last is None else _("Sync now (last sync {time})").format(time=clock(local(last)))
        rows += [
            separator("after-events"),
            Row(
                "free-slot", self.free_slot.label(now), self._slot_clicked, writable and not self.free_slot.looking(now)
            ),
            Row("new-event", _("New event…"), self.new_event.emit, writable),
            Row("find-slot", _("Find a free slot…"), self.find_slot.emit),
            separator("after-booking"),
            Row("open-agenda", _("Open agenda"), self.open_agenda.emit),
            Row("sync", sync, self.sync_now.emit),
            self._dnd_row(now),
            Row("settings", _("Settings…"), self.settings.emit),
            separator("before-quit"),
            Row("quit", _("Quit Klen Desktop"), self.quit_requested.emit),
        ]
        return rows

    def _event_rows_or_none(self, event: StoredEvent) -> list[Row]:
        # Server data decides an event's lines; whatever one event trips on, Quit, Sync now and Settings stay.
        try:
            return self._event_rows(event)
        except Exception:
            log.exception("left event %s out of the tray menu", event.id)
            return []

    def _event_rows(self, event: StoredEvent) -> list[Row]:
        summary = event.summary
        label = f"{time_range(event)}  {isolate(one_line(event.title, 48))}"
        account = self._controller.account_label(event.id)
        if account:
            label += f"  · {isolate(one_line(account, 24))}"
        kind = summary.event_type
        rows = [
            Row(
                ("event", event.id),
                label,
                partial(self.show_event.emit, event.id),
                icon=type_icon(kind),
                icon_key=kind,
                tooltip=TYPE_LABELS[kind],
            )
        ]
        url = web_link(summary.video_conference_url)
        if url is not None:
            join = _("Join {title}").format(title=isolate(one_line(event.title, 40)))
            rows.append(Row(("join", event.id), f"    {join}", partial(self.join.emit, url)))
        phone = summary.customer.phone if summary.customer else None
        number = dialable(phone)
        if summary.event_type is EventType.VOICE_CALL and number is not None and phone is not None:
            who = isolate(one_line(summary.customer.name if summary.customer else None, 30)) or number
            call = "    " + _("Call {who}").format(who=who)
            rows.append(Row(("call", event.id), call, partial(self.call.emit, number)))
            copy = "    " + _("Copy phone")
            rows.append(Row(("copy-phone", event.id), copy, partial(self.copy_text.emit, phone.strip())))
        return rows

    def _dnd_row(self, now: datetime) -> Row:
        active = self._controller.dnd.active(now) and self._controller.dnd.until is not None
        title = _("Do not disturb")
        if active and self._controller.dnd.until is not None:
            title = _("Do not disturb (until {time})").format(time=clock(local(self._controller.dnd.until)))
        return Row(
            "dnd",
            title,
            children=(
                Row("dnd-hour", _("For 1 hour"), partial(self.dnd.emit, 60)),
                Row("dnd-tomorrow", _("Until tomorrow"), partial(self.dnd.emit, -1)),
                Row("dnd-off", pgettext("do not disturb", "Off"), partial(self.dnd.emit, 0), active),
            ),
        )

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason is QSystemTrayIcon.ActivationReason.Trigger:
            self.toggle_agenda.emit()


def _event_shows(event: StoredEvent, controller: Controller) -> tuple[object, ...]:
    """The fields an event's rows in the menu are built from: a detail fetched in the background or a status
    change the menu does not show must not rebuild it (each rebuild gives a D-Bus host new item ids)."""
    summary = event.summary
    customer = summary.customer
    return (
        event.id,
        event.title,
        event.start_time,
        event.end_time,
        summary.event_type,
        summary.video_conference_url,
        customer.name if customer else None,
        customer.phone if customer else None,
        controller.account_label(event.id),
    )
