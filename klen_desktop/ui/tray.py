"""The tray icon: a status icon, a tooltip with the next event, and a menu rebuilt from the latest state."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from klen_desktop.api.models import EventSummary
from klen_desktop.ui.formatting import one_line, starts_in, time_range
from klen_desktop.ui.icons import TrayState, tray_icon

MENU_EVENTS = 5


def is_web_link(url: str | None) -> bool:
    """Only http(s) links from server data are ever opened."""
    if not url:
        return False
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def next_events(events: Sequence[EventSummary], now: datetime, limit: int) -> list[EventSummary]:
    active = [e for e in events if e.end_time > now and e.status in ("scheduled", "confirmed")]
    return sorted(active, key=lambda e: (e.start_time, e.id))[:limit]


class Tray(QObject):
    open_agenda = Signal()
    sync_now = Signal()
    quit_requested = Signal()

    def __init__(self, *, demo: bool) -> None:
        super().__init__()
        self._demo = demo
        self._state = TrayState.DEMO if demo else TrayState.NORMAL
        self.icon = QSystemTrayIcon(tray_icon(self._state))
        self.menu = QMenu()
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_activated)
        self._events: list[EventSummary] = []
        self._last_sync: datetime | None = None
        self._now: datetime | None = None
        self._rebuild_menu()
        self.icon.setToolTip("Klen Desktop: loading…")

    @property
    def available(self) -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def show(self) -> None:
        self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def set_state(self, state: TrayState) -> None:
        if self._demo and state is TrayState.NORMAL:
            state = TrayState.DEMO
        if state is not self._state:
            self._state = state
            self.icon.setIcon(tray_icon(state))

    def update_events(self, events: Sequence[EventSummary], now: datetime) -> None:
        self._now = now
        self._last_sync = now
        self._events = next_events(events, now, MENU_EVENTS)
        self.icon.setToolTip(self._tooltip(now))
        self._rebuild_menu()

    def _tooltip(self, now: datetime) -> str:
        prefix = "Klen Desktop (Demo)" if self._demo else "Klen Desktop"
        if not self._events:
            return f"{prefix}\nNothing else scheduled"
        event = self._events[0]
        return f"{prefix}\nNext: {one_line(event.title, 60)} {starts_in(event, now)} ({time_range(event)})"

    def _rebuild_menu(self) -> None:
        self.menu.clear()
        if self._demo:
            demo = self.menu.addAction("Demo mode: sample calendar")
            demo.setEnabled(False)
            self.menu.addSeparator()
        if self._events:
            for event in self._events:
                label = f"{time_range(event)}  {one_line(event.title, 50)}"
                if is_web_link(event.video_conference_url):
                    join = QAction(f"Join: {label}", self.menu)
                    url = QUrl(str(event.video_conference_url))
                    join.triggered.connect(lambda _checked=False, u=url: QDesktopServices.openUrl(u))
                    self.menu.addAction(join)
                else:
                    item = self.menu.addAction(label)
                    item.triggered.connect(self.open_agenda.emit)
        else:
            empty = self.menu.addAction("No upcoming events")
            empty.setEnabled(False)
        self.menu.addSeparator()
        self.menu.addAction("Open agenda", self.open_agenda.emit)
        sync_label = "Sync now" if self._last_sync is None else f"Sync now (last {self._last_sync.astimezone():%H:%M})"
        self.menu.addAction(sync_label, self.sync_now.emit)
        self.menu.addSeparator()
        self.menu.addAction("Quit Klen Desktop", self.quit_requested.emit)

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason is QSystemTrayIcon.ActivationReason.Trigger:
            self.open_agenda.emit()
