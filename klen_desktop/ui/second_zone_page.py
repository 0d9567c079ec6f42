"""The Settings tab that picks the optional second time zone shown beside local times.

A search box over the IANA zone names (``new york``, ``tokyo``, ``kolkata`` find theirs: underscores read as
spaces) and the list, each zone with its offset from UTC now, "None" first. The list is filled when the tab is
first shown: the offsets of 600 zones take about 70 ms, which the other tabs need not pay.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from klen_desktop.date_texts import offset_text
from klen_desktop.i18n import N_, _
from klen_desktop.ui.form_widgets import ErrorLabel, add_clear_button, plain_label

NONE_TEXT = N_("None: local times only")
ZONE_NOTE = N_(
    "For working with customers abroad: their time is shown beside yours in the agenda, the week view, the event "
    "details and the editor. It follows daylight saving time there and here."
)


def zone_choice_text(zone_id: str, now: datetime) -> str:
    """``America/New_York (UTC−5)``: a zone in the list, with its offset at ``now``."""
    return f"{zone_id} ({offset_text(now.astimezone(zoneinfo.ZoneInfo(zone_id)))})"


def matches(zone_id: str, query: str) -> bool:
    """True when every word of ``query`` is in the zone's name (any case; ``_`` and ``/`` read as spaces)."""
    name = zone_id.replace("_", " ").replace("/", " ").lower()
    return all(word in name for word in query.lower().split())


class SecondZonePage(QWidget):
    """``second_zone()`` is the zone chosen (``""`` for none)."""

    def __init__(
        self,
        zone_id: str,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._chosen = zone_id
        self.search = QLineEdit()
        self.search.setObjectName("zone_search")
        self.search.setPlaceholderText(_("Search a city or region, e.g. New York"))
        add_clear_button(self.search)
        self.search.setAccessibleName(_("Search time zones"))
        self.zones = QListWidget()
        self.zones.setObjectName("second_zone")
        self.zones.setAccessibleName(_("Second time zone"))
        self.error = ErrorLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label(_(ZONE_NOTE)))
        layout.addWidget(self.search)
        layout.addWidget(self.zones, 1)
        layout.addWidget(self.error)
        self.search.textChanged.connect(self._filter)
        self.zones.currentItemChanged.connect(lambda *_args: self.error.clear_message())

    def showEvent(self, event: QShowEvent) -> None:
        self.fill()
        super().showEvent(event)

    def fill(self) -> None:
        """Fill the list (once) and select the chosen zone."""
        if self.zones.count():
            return
        now = self._clock()
        none = QListWidgetItem(_(NONE_TEXT))
        none.setData(Qt.ItemDataRole.UserRole, "")
        self.zones.addItem(none)
        names = sorted(zoneinfo.available_timezones())
        if self._chosen and self._chosen not in names:
            names.insert(0, self._chosen)  # kept visible, so the error under the list names something
        for name in names:
            try:
                text = zone_choice_text(name, now)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
                text = name
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.zones.addItem(item)
        self._select(self._chosen)

    def _select(self, zone_id: str) -> None:
        for row in range(self.zones.count()):
            item = self.zones.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == zone_id:
                self.zones.setCurrentItem(item)
                self.zones.scrollToItem(item)
                return

    def _filter(self, query: str) -> None:
        for row in range(self.zones.count()):
            item = self.zones.item(row)
            zone_id = str(item.data(Qt.ItemDataRole.UserRole))
            item.setHidden(bool(query.strip()) and not (zone_id and matches(zone_id, query)))
        current = self.zones.currentItem()
        if current is None or current.isHidden():
            shown = [self.zones.item(r) for r in range(self.zones.count()) if not self.zones.item(r).isHidden()]
            if len(shown) == 1:
                self.zones.setCurrentItem(shown[0])

    def set_zone(self, zone_id: str) -> None:
        self._chosen = zone_id
        if self.zones.count():
            self._select(zone_id)
        self.error.clear_message()

    def second_zone(self) -> str:
        item = self.zones.currentItem()
        if item is None:
            return self._chosen
        return str(item.data(Qt.ItemDataRole.UserRole))

    def show_error(self, message: str) -> None:
        self.error.show_message(message)
