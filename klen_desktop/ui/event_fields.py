"""The event editor's fields: local date-times read back without losing what the user did not touch, the duration
shortcut, and the form rows that name them.

They hold no rules: what is valid is decided in :mod:`klen_desktop.drafts`; these only show values and read them
back without losing precision the user did not touch.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QDateTime, Signal
from PySide6.QtWidgets import QComboBox, QDateTimeEdit, QFormLayout, QLabel, QVBoxLayout, QWidget

from klen_desktop.date_texts import duration_text, local_zone_text, qt_date_time_format
from klen_desktop.i18n import _
from klen_desktop.ui.form_widgets import ErrorLabel

DURATION_CHOICES = (15, 30, 45, 60, 90)
CUSTOM = -1


def labelled(form: QFormLayout, field: QWidget, text: str) -> None:
    """Make the label of the row just added to ``form`` the label of ``field`` itself, not of the cell around it.

    The label's shortcut letter (Alt+T) then focuses the input, and a screen reader names the input by the label:
    Qt looks for a label only beside the widget, and a field with its error label under it sits in a cell of its
    own. An editable combo box's line edit is named too (a screen reader meets it as a field of its own).
    """
    item = form.itemAt(form.rowCount() - 1, QFormLayout.ItemRole.LabelRole)
    label = item.widget() if item is not None else None
    if isinstance(label, QLabel):
        label.setBuddy(field)
    name = text.replace("&", "")
    field.setAccessibleName(name)
    inner = field.lineEdit() if isinstance(field, QComboBox) else None
    if inner is not None:
        inner.setAccessibleName(name)


def with_error(field: QWidget, error: ErrorLabel) -> QWidget:
    """``field`` with its error label right under it, as one form cell."""
    cell = QWidget()
    layout = QVBoxLayout(cell)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(field)
    layout.addWidget(error)
    return cell


class DateTimeField(QDateTimeEdit):
    """A date-time shown in the local time zone, read back as an aware UTC datetime.

    :meth:`value` returns exactly the datetime last given to :meth:`set_value` while the user has not
    changed the minute shown, so milliseconds from the server never look like an edit.
    """

    value_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat(qt_date_time_format())
        self._given: datetime | None = None
        self.dateTimeChanged.connect(lambda _qdt: self.value_changed.emit(self.value()))

    def set_value(self, value: datetime) -> None:
        self._given = value
        self.setDateTime(QDateTime.fromSecsSinceEpoch(int(value.timestamp())))

    def value(self) -> datetime:
        shown = self.dateTime().toSecsSinceEpoch()
        given = self._given
        if given is not None and shown // 60 == int(given.timestamp()) // 60:
            return given
        return datetime.fromtimestamp(shown - shown % 60, UTC)


def zone_description(at: datetime) -> str:
    """The local time zone at ``at`` as a person reads it: ``UTC``, ``Berlin (UTC+1)``; the same name the
    agenda and the slot finder give the zone their times are in."""
    return local_zone_text(at)


class DurationCombo(QComboBox):
    """15/30/45/60/90 minutes or Custom. ``duration_chosen`` fires only for a fixed length the user picks."""

    duration_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        for minutes in DURATION_CHOICES:
            self.addItem(duration_text(timedelta(minutes=minutes)), minutes)
        self.addItem(_("Custom"), CUSTOM)
        self._quiet = False
        self.currentIndexChanged.connect(self._on_index)

    def show_duration(self, minutes: int) -> None:
        """Reflect the current start/end without emitting ``duration_chosen``."""
        index = self.findData(minutes)
        self._quiet = True
        try:
            self.setCurrentIndex(index if index >= 0 else self.findData(CUSTOM))
            label = _("Custom")
            if minutes not in DURATION_CHOICES and minutes > 0:
                label = _("Custom ({duration})").format(duration=duration_text(timedelta(minutes=minutes)))
            self.setItemText(self.findData(CUSTOM), label)
        finally:
            self._quiet = False

    def _on_index(self, index: int) -> None:
        minutes = self.itemData(index)
        if not self._quiet and isinstance(minutes, int) and minutes != CUSTOM:
            self.duration_chosen.emit(minutes)
