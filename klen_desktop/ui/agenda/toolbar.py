"""The agenda's top bar: the view switch, date navigation, search, status and type filters, and the window's main
actions. One row where it fits; where it does not (a small screen at 200 %), the search and filters go to a second
row with the actions, so the window can be as narrow as the wider of the two."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import TypeVar

from PySide6.QtCore import QDate, QSize, Signal
from PySide6.QtGui import QAction, QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from klen_desktop.api.models import EventStatus, EventType
from klen_desktop.date_texts import qt_date_format
from klen_desktop.labels import STATUS_LABELS, TYPE_LABELS
from klen_desktop.ui.accounts_page import swatch
from klen_desktop.ui.agenda.filters import AgendaAccount, AgendaFilter

K = TypeVar("K")


class AgendaView(StrEnum):
    """How the agenda shows its range: the list, or a time grid of one day or of the week. Keys 1, 2, 3."""

    AGENDA = "agenda"
    DAY = "day"
    WEEK = "week"


VIEW_LABELS = {AgendaView.AGENDA: "Agenda", AgendaView.DAY: "Day", AgendaView.WEEK: "Week"}


class AgendaToolbar(QWidget):
    """Emits ``filter_changed(AgendaFilter)`` and navigation requests; holds no events."""

    filter_changed = Signal(object)
    today_clicked = Signal()
    week_step = Signal(int)  # -1 the previous range shown (a week, or a day in the Day view), +1 the next
    date_picked = Signal(object)  # datetime.date
    view_changed = Signal(object)  # AgendaView

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.today_button = QPushButton("Today")
        self.prev_button = QToolButton()
        self.prev_button.setText("◀")
        self.next_button = QToolButton()
        self.next_button.setText("▶")
        self._name_steps("week")
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat(qt_date_format())
        self.date_edit.setToolTip("Go to a date")
        self.date_edit.setAccessibleName("Go to date")
        self.date_edit.setAccessibleDescription("The first day shown; another date shows its week")
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search title, customer, location  (Ctrl+F)")
        self.search_edit.setAccessibleName("Search events")
        self.search_edit.setAccessibleDescription("Title, customer or location, in the week shown (Ctrl+F)")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(140)
        self.status_button, self.status_actions = _checklist("Status", {s: STATUS_LABELS[s] for s in EventStatus})
        self.type_button, self.type_actions = _checklist("Type", {t: TYPE_LABELS[t] for t in EventType})
        # Which account's events: shown only where there are several (one account looks as before accounts).
        self.account_combo = QComboBox()
        self.account_combo.setAccessibleName("Show the events of")
        self.account_combo.addItem("All accounts", None)
        self.account_combo.setVisible(False)
        self.view_buttons = _view_switch(self)
        for view, button in self.view_buttons.items():
            button.clicked.connect(lambda _=False, v=view: self._view_clicked(v))
        self.new_button = QPushButton("New event")
        self.slot_button = QPushButton("Find a free slot…")
        self.sync_button = QPushButton("Sync now")
        self.today_button.clicked.connect(self.today_clicked.emit)
        self.prev_button.clicked.connect(lambda: self.week_step.emit(-1))
        self.next_button.clicked.connect(lambda: self.week_step.emit(1))
        self.date_edit.dateChanged.connect(self._picked)
        self.search_edit.textChanged.connect(self._changed)
        self.account_combo.currentIndexChanged.connect(self._changed)
        for action in (*self.status_actions.values(), *self.type_actions.values()):
            action.toggled.connect(self._changed)
        self._rows = (QHBoxLayout(), QHBoxLayout())
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        for row in self._rows:
            column.addLayout(row)
        self._two_rows: bool | None = None
        self._arrange(two_rows=False)
        self._quiet = False

    def _parts(self) -> tuple[list[QWidget], list[QWidget]]:
        """The navigation (with the view switch); the search, filters and actions."""
        views = list(self.view_buttons.values())
        navigation = [*views, self.today_button, self.prev_button, self.next_button, self.date_edit]
        rest = [self.search_edit, self.status_button, self.type_button]
        if self.account_combo.count() > 2:
            rest.append(self.account_combo)
        rest += [self.new_button, self.slot_button]
        return navigation, [*rest, self.sync_button]

    def _arrange(self, *, two_rows: bool) -> None:
        if two_rows == self._two_rows:
            return
        self._two_rows = two_rows
        navigation, rest = self._parts()
        first, second = self._rows
        for row in self._rows:
            while row.count():
                row.takeAt(0)
        for i, widget in enumerate(navigation):
            first.addWidget(widget)
            if i == len(self.view_buttons) - 1:
                first.addSpacing(12)
        first.addSpacing(12)
        if two_rows:
            first.addStretch(1)
        for widget in rest:
            (second if two_rows else first).addWidget(widget, 1 if widget is self.search_edit else 0)

    def _widths(self) -> tuple[int, int]:
        """The least width of one row, and of two."""
        navigation, rest = self._parts()
        spacing = max(0, self._rows[0].spacing())

        def width(widgets: list[QWidget]) -> int:
            return sum(max(w.minimumSizeHint().width(), w.minimumWidth()) + spacing for w in widgets) + 24

        return width(navigation + rest), max(width(navigation), width(rest))

    def minimumSizeHint(self) -> QSize:
        return QSize(self._widths()[1], super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange(two_rows=event.size().width() < self._widths()[0])

    def current_filter(self) -> AgendaFilter:
        account = self.account_combo.currentData()
        return AgendaFilter(
            statuses=frozenset(s for s, a in self.status_actions.items() if a.isChecked()),
            types=frozenset(t for t, a in self.type_actions.items() if a.isChecked()),
            text=self.search_edit.text(),
            accounts=None if account is None else frozenset({account}),
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
            chosen = None if flt.accounts is None or len(flt.accounts) != 1 else next(iter(flt.accounts))
            self.account_combo.setCurrentIndex(max(0, self.account_combo.findData(chosen)))
        finally:
            self._quiet = False
        self._changed()

    def set_accounts(self, accounts: list[AgendaAccount]) -> None:
        """The accounts to choose from (the choice shows only for two or more; a chosen one that is gone goes
        back to all)."""
        chosen = self.account_combo.currentData()
        self.account_combo.blockSignals(True)
        while self.account_combo.count() > 1:
            self.account_combo.removeItem(1)
        for account in accounts:
            self.account_combo.addItem(swatch(account.colour), account.name, account.id)
        found = self.account_combo.findData(chosen)
        self.account_combo.setCurrentIndex(max(0, found))
        self.account_combo.blockSignals(False)
        shown = len(accounts) > 1
        if shown != self.account_combo.isVisible():
            self.account_combo.setVisible(shown)
            self._two_rows = None  # the row's widgets changed: lay them out again
            self._arrange(two_rows=self.width() < self._widths()[0])
        if found < 0 and chosen is not None:
            self._changed()

    @property
    def view(self) -> AgendaView:
        return next((v for v, b in self.view_buttons.items() if b.isChecked()), AgendaView.AGENDA)

    def set_view(self, view: AgendaView) -> None:
        """Check ``view``'s button; ``view_changed`` is emitted when that changes what is shown."""
        if view is not self.view:
            self.view_buttons[view].click()

    def _view_clicked(self, view: AgendaView) -> None:
        self._name_steps("day" if view is AgendaView.DAY else "week", keys=view is not AgendaView.AGENDA)
        self.view_changed.emit(view)

    def _name_steps(self, unit: str, *, keys: bool = False) -> None:
        """◀ and ▶ are glyphs: their names say what they step (a screen reader would read "left-pointing")."""
        for button, step, key in ((self.prev_button, "Previous", "PageUp"), (self.next_button, "Next", "PageDown")):
            button.setAccessibleName(f"{step} {unit}")
            button.setToolTip(f"{step} {unit} ({key})" if keys else f"{step} {unit}")

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


def _view_switch(bar: AgendaToolbar) -> dict[AgendaView, QToolButton]:
    """Three buttons, one checked: Agenda / Day / Week."""
    group = QButtonGroup(bar)
    group.setExclusive(True)
    buttons = {}
    for number, (view, label) in enumerate(VIEW_LABELS.items(), start=1):
        button = QToolButton()
        button.setText(label)
        button.setCheckable(True)
        button.setChecked(view is AgendaView.AGENDA)
        button.setToolTip(f"{label} view ({number})")
        button.setAccessibleName(f"{label} view")
        group.addButton(button)
        buttons[view] = button
    return buttons
