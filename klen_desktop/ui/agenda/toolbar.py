"""The agenda's top bar: quick add (an event typed in words), the view switch, date navigation, search, status
and type filters, and the window's main actions. One row where it fits; where it does not (a small screen at
200 %), the search and filters go to a second row with the actions, so the window can be as narrow as the wider
of the two."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QDate, QSize, Qt, Signal
from PySide6.QtGui import QAction, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from klen_desktop.api.models import EventStatus, EventType
from klen_desktop.i18n import N_, _
from klen_desktop.labels import STATUS_LABELS, TYPE_LABELS
from klen_desktop.ui.agenda.filters import AgendaAccount, AgendaFilter
from klen_desktop.ui.date_button import DateButton
from klen_desktop.ui.form_widgets import add_clear_button
from klen_desktop.ui.line_edits import LineEdit
from klen_desktop.ui.quick_add_box import QuickAddBox

if TYPE_CHECKING:
    from PySide6.QtWidgets import QComboBox

K = TypeVar("K")


class AgendaView(StrEnum):
    """How the agenda shows its range: the list, or a time grid of one day or of the week. Keys 1, 2, 3."""

    AGENDA = "agenda"
    DAY = "day"
    WEEK = "week"


VIEW_LABELS = {AgendaView.AGENDA: N_("Agenda"), AgendaView.DAY: N_("Day"), AgendaView.WEEK: N_("Week")}


class AgendaToolbar(QWidget):
    """Emits ``filter_changed(AgendaFilter)`` and navigation requests; holds no events."""

    filter_changed = Signal(object)
    today_clicked = Signal()
    week_step = Signal(int)  # -1 the previous range shown (a week, or a day in the Day view), +1 the next
    date_picked = Signal(object)  # datetime.date
    view_changed = Signal(object)  # AgendaView

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Quick add first (on top, and first in the Tab order): an event typed in words.
        self.quick_add = QuickAddBox(self)
        self.today_button = QPushButton(_("Today"))
        self.prev_button = QToolButton()
        self.prev_button.setText("◀")
        self.next_button = QToolButton()
        self.next_button.setText("▶")
        self._name_steps(AgendaView.WEEK)
        self.date_edit = DateButton()
        self.date_edit.setToolTip(_("Go to a date"))
        self.date_edit.setAccessibleName(_("Go to date"))
        self.date_edit.setAccessibleDescription(_("The first day shown; another date shows its week"))
        self.search_edit = LineEdit()
        self.search_edit.setPlaceholderText(_("Search title, customer, location  (Ctrl+F)"))
        self.search_edit.setAccessibleName(_("Search events"))
        self.search_edit.setAccessibleDescription(_("Title, customer or location, in the week shown (Ctrl+F)"))
        add_clear_button(self.search_edit)
        self.search_edit.setMinimumWidth(140)
        self.status_button, self.status_actions = _checklist(_("Status"), {s: STATUS_LABELS[s] for s in EventStatus})
        self.type_button, self.type_actions = _checklist(_("Type"), {t: TYPE_LABELS[t] for t in EventType})
        # Which account's events: shown only where there are several (one account looks as before accounts), and
        # built only then: a combo box is Qt's costliest control here to make the first time (some 1.4 MiB).
        self._account_combo: QComboBox | None = None
        self.view_buttons = _view_switch(self)
        for view, button in self.view_buttons.items():
            button.clicked.connect(lambda _=False, v=view: self._view_clicked(v))
        self.new_button = QPushButton(_("New event"))
        self.slot_button = QPushButton(_("Find a free slot…"))
        self.sync_button = QPushButton(_("Sync now"))
        self.today_button.clicked.connect(self.today_clicked.emit)
        self.prev_button.clicked.connect(lambda: self.week_step.emit(-1))
        self.next_button.clicked.connect(lambda: self.week_step.emit(1))
        self.date_edit.dateChanged.connect(self._picked)
        self.search_edit.textChanged.connect(self._changed)
        for action in (*self.status_actions.values(), *self.type_actions.values()):
            action.toggled.connect(self._changed)
        self._rows = (QHBoxLayout(), QHBoxLayout(), QHBoxLayout())
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.quick_add)
        for row in self._rows:
            column.addLayout(row)
        self._row_count: int | None = None
        self._arrange(1)
        self._quiet = False
        self._shown_once = False

    def _parts(self) -> tuple[list[QWidget], list[QWidget], list[QWidget]]:
        """The navigation (with the view switch); the search and filters; the actions."""
        views = list(self.view_buttons.values())
        navigation: list[QWidget] = [*views, self.today_button, self.prev_button, self.next_button, self.date_edit]
        finding = [self.search_edit, self.status_button, self.type_button]
        if self._account_combo is not None and self._account_combo.count() > 2:
            finding.append(self._account_combo)
        return navigation, finding, [self.new_button, self.slot_button, self.sync_button]

    def _arrange(self, rows: int) -> None:
        """One row; or the navigation above the rest; or, where even that is too wide (a longer language at a
        large scale), the navigation, the search and filters, and the actions each on a row of their own."""
        if rows == self._row_count:
            return
        self._row_count = rows
        navigation, finding, actions = self._parts()
        first, second, third = self._rows
        for row in self._rows:
            while row.count():
                row.takeAt(0)
        for i, widget in enumerate(navigation):
            first.addWidget(widget)
            if i == len(self.view_buttons) - 1:
                first.addSpacing(12)
        first.addSpacing(12)
        if rows > 1:
            first.addStretch(1)
        for widget in finding:
            (second if rows > 1 else first).addWidget(widget, 1 if widget is self.search_edit else 0)
        for widget in actions:
            (third if rows > 2 else second if rows > 1 else first).addWidget(widget)
        if rows > 2:
            third.addStretch(1)

    def _widths(self) -> tuple[int, int, int]:
        """The least width of one row, of two, and of three."""
        navigation, finding, actions = self._parts()
        spacing = max(0, self._rows[0].spacing())

        def width(widgets: list[QWidget]) -> int:
            return sum(max(w.minimumSizeHint().width(), w.minimumWidth()) + spacing for w in widgets) + 24

        one = width(navigation + finding + actions)
        return one, max(width(navigation), width(finding + actions)), max(map(width, (navigation, finding, actions)))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            # The agenda opens with the keyboard on the view switch, as it did before quick add came first in the
            # Tab order: the window's bare keys (N, 1, 2, 3, the arrows) then act at once instead of typing into
            # the box; the box is one Shift+Tab away.
            self._shown_once = True
            if self.window().focusWidget() in (None, self.quick_add.line):
                self.view_buttons[self.view].setFocus(Qt.FocusReason.OtherFocusReason)

    def minimumSizeHint(self) -> QSize:
        width = max(self._widths()[2], self.quick_add.minimumSizeHint().width())
        return QSize(width, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        one, two, _three = self._widths()
        width = event.size().width()
        self._arrange(1 if width >= one else 2 if width >= two else 3)

    @property
    def account_combo(self) -> QComboBox:
        """The choice of account, built on first use (see ``__init__``)."""
        if self._account_combo is None:
            from PySide6.QtWidgets import QComboBox  # its class too: built only where there are several accounts

            combo = self._account_combo = QComboBox()
            combo.setAccessibleName(_("Show the events of"))
            combo.addItem(_("All accounts"), None)
            combo.setVisible(False)
            combo.currentIndexChanged.connect(self._changed)
        return self._account_combo

    def current_filter(self) -> AgendaFilter:
        account = None if self._account_combo is None else self._account_combo.currentData()
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
            if self._account_combo is not None:  # else one account at most: all of them is that one
                self._account_combo.setCurrentIndex(max(0, self._account_combo.findData(chosen)))
        finally:
            self._quiet = False
        self._changed()

    def set_accounts(self, accounts: list[AgendaAccount]) -> None:
        """The accounts to choose from (the choice shows only for two or more; a chosen one that is gone goes
        back to all)."""
        if self._account_combo is None and len(accounts) < 2:
            return  # nothing to choose from: the choice is not made at all
        from klen_desktop.ui.accounts_page import swatch  # with the choice, which one account never needs

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
            self._row_count = None  # the rows' widgets changed: lay them out again
            one, two, _three = self._widths()
            self._arrange(1 if self.width() >= one else 2 if self.width() >= two else 3)
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
        # Tab enters the switch at its first button in the focus chain and leaves it from there (the arrows move
        # inside it): that first button is made the one that is on.
        QWidget.setTabOrder(self.quick_add.cancel_button, self.view_buttons[view])
        self._name_steps(
            AgendaView.DAY if view is AgendaView.DAY else AgendaView.WEEK, keys=view is not AgendaView.AGENDA
        )
        self.view_changed.emit(view)

    def _name_steps(self, unit: AgendaView, *, keys: bool = False) -> None:
        """◀ and ▶ are glyphs: their names say what they step (a screen reader would read "left-pointing")."""
        day = unit is AgendaView.DAY
        names = (_("Previous day"), _("Next day")) if day else (_("Previous week"), _("Next week"))
        for button, name, key in ((self.prev_button, names[0], "PageUp"), (self.next_button, names[1], "PageDown")):
            button.setAccessibleName(name)
            button.setToolTip(_("{action} ({key})").format(action=name, key=key) if keys else name)

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
        self.status_button.setText(_("Status") if len(flt.statuses) == len(EventStatus) else _("Status (filtered)"))
        self.type_button.setText(_("Type") if len(flt.types) == len(EventType) else _("Type (filtered)"))
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
        button.setText(_(label))
        button.setCheckable(True)
        button.setChecked(view is AgendaView.AGENDA)
        name = _("{view} view").format(view=_(label))
        button.setToolTip(_("{action} ({key})").format(action=name, key=number))
        button.setAccessibleName(name)
        group.addButton(button)
        buttons[view] = button
    return buttons
