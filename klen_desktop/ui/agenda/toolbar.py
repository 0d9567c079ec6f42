"""The agenda's top bar: date navigation, search, status and type filters, and the window's main actions."""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from PySide6.QtCore import QDate, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDateEdit, QHBoxLayout, QLineEdit, QMenu, QPushButton, QToolButton, QWidget

from klen_desktop.api.models import EventStatus, EventType
from klen_desktop.date_texts import qt_date_format
from klen_desktop.labels import STATUS_LABELS, TYPE_LABELS
from klen_desktop.ui.agenda.filters import AgendaFilter

K = TypeVar("K")


class AgendaToolbar(QWidget):
    """Emits ``filter_changed(AgendaFilter)`` and navigation requests; holds no events."""

    filter_changed = Signal(object)
    today_clicked = Signal()
    week_step = Signal(int)  # -1 previous week, +1 next week
    date_picked = Signal(object)  # datetime.date

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.today_button = QPushButton("Today")
        self.prev_button = QToolButton()
        self.prev_button.setText("◀")
        self.prev_button.setToolTip("Previous week")
        self.next_button = QToolButton()
        self.next_button.setText("▶")
        self.next_button.setToolTip("Next week")
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat(qt_date_format())
        self.date_edit.setToolTip("Go to a date")
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search title, customer, location  (Ctrl+F)")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(140)
        self.status_button, self.status_actions = _checklist("Status", {s: STATUS_LABELS[s] for s in EventStatus})
        self.type_button, self.type_actions = _checklist("Type", {t: TYPE_LABELS[t] for t in EventType})
        self.new_button = QPushButton("New event")
        self.slot_button = QPushButton("Find a free slot…")
        self.sync_button = QPushButton("Sync now")
        self.today_button.clicked.connect(self.today_clicked.emit)
        self.prev_button.clicked.connect(lambda: self.week_step.emit(-1))
        self.next_button.clicked.connect(lambda: self.week_step.emit(1))
        self.date_edit.dateChanged.connect(self._picked)
        self.search_edit.textChanged.connect(self._changed)
        for action in (*self.status_actions.values(), *self.type_actions.values()):
            action.toggled.connect(self._changed)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.today_button, self.prev_button, self.next_button, self.date_edit):
            row.addWidget(widget)
        row.addSpacing(12)
        row.addWidget(self.search_edit, 1)
        for widget in (self.status_button, self.type_button, self.new_button, self.slot_button, self.sync_button):
            row.addWidget(widget)
        self._quiet = False

    def current_filter(self) -> AgendaFilter:
        return AgendaFilter(
            statuses=frozenset(s for s, a in self.status_actions.items() if a.isChecked()),
            types=frozenset(t for t, a in self.type_actions.items() if a.isChecked()),
            text=self.search_edit.text(),
        )

    def set_filter(self, flt: AgendaFilter) -> None:
        """Show ``flt`` in the controls and emit one ``filter_changed``."""
        self._quiet = True
        try:
            self.search_edit.setText(flt.text)
            for status, action in self.status_actions.items():
                action.setChecked(status in flt.statuses)
            for event_type, action in self.type_actions.items():
                action.setChecked(event_type in flt.types)
        finally:
            self._quiet = False
        self._changed()

    def show_date(self, day: date) -> None:
        """Reflect the day at the top of the list without navigating again."""
        self.date_edit.blockSignals(True)
        self.date_edit.setDate(QDate(day.year, day.month, day.day))
        self.date_edit.blockSignals(False)

    def _picked(self, value: QDate) -> None:
        self.date_picked.emit(date(value.year(), value.month(), value.day()))

    def _changed(self) -> None:
        if self._quiet:
            return
        flt = self.current_filter()
        self.status_button.setText("Status" if len(flt.statuses) == len(EventStatus) else "Status (filtered)")
        self.type_button.setText("Type" if len(flt.types) == len(EventType) else "Type (filtered)")
        self.filter_changed.emit(flt)


def _checklist(title: str, labels: dict[K, str]) -> tuple[QToolButton, dict[K, QAction]]:
    button = QToolButton()
    button.setText(title)
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    menu = QMenu(button)
    actions: dict[K, QAction] = {}
    for key, label in labels.items():
        action = menu.addAction(label)
        action.setCheckable(True)
        action.setChecked(True)
        actions[key] = action
    button.setMenu(menu)
    return button, actions
