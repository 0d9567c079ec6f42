"""Small form widgets: plain-text labels (every window's), and the event editor's inline error labels, local
date-time fields and duration shortcut.

They hold no rules: what is valid is decided in :mod:`klen_desktop.drafts`; these only show values and
read them back without losing precision the user did not touch.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QDateTime, QEvent, Qt, QTimeZone, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QComboBox, QDateTimeEdit, QLabel, QVBoxLayout, QWidget

DURATION_CHOICES = (15, 30, 45, 60, 90)
CUSTOM = -1


def error_color(palette: QPalette) -> QColor:
    """A red that reads on the palette's window colour (Qt has no "error" role)."""
    dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
    return QColor("#ff8a80") if dark else QColor("#b3261e")


def plain_label(text: str = "", *, wrap: bool = True, selectable: bool = False) -> QLabel:
    """A label that shows its text exactly as given: server and user text are never read as rich text."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    label.setText(text)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class ErrorLabel(QLabel):
    """An inline message under a field; hidden while empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setVisible(False)
        self._recolouring = False
        self._recolour()

    def show_message(self, message: str) -> None:
        self.setText(message)
        self.setVisible(bool(message))

    def clear_message(self) -> None:
        self.show_message("")

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and not self._recolouring:
            self._recolour()

    def _recolour(self) -> None:
        # Setting the palette raises another PaletteChange; the flag keeps that from recursing.
        self._recolouring = True
        try:
            palette = self.palette()
            palette.setColor(QPalette.ColorRole.WindowText, error_color(palette))
            self.setPalette(palette)
        finally:
            self._recolouring = False


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
        self.setDisplayFormat("ddd yyyy-MM-dd  HH:mm")
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
    """The local time zone by name and offset at ``at``: ``Europe/Berlin (UTC+01:00)``."""
    zone_id = bytes(QTimeZone.systemTimeZoneId().data()).decode("ascii", "replace") or "Local time"
    offset = at.astimezone().utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"{zone_id} (UTC{sign}{hours:02d}:{rest:02d})"


class DurationCombo(QComboBox):
    """15/30/45/60/90 minutes or Custom. ``duration_chosen`` fires only for a fixed length the user picks."""

    duration_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        for minutes in DURATION_CHOICES:
            self.addItem(_duration_text(minutes), minutes)
        self.addItem("Custom", CUSTOM)
        self._quiet = False
        self.currentIndexChanged.connect(self._on_index)

    def show_duration(self, minutes: int) -> None:
        """Reflect the current start/end without emitting ``duration_chosen``."""
        index = self.findData(minutes)
        self._quiet = True
        try:
            self.setCurrentIndex(index if index >= 0 else self.findData(CUSTOM))
            label = "Custom" if minutes in DURATION_CHOICES or minutes <= 0 else f"Custom ({_duration_text(minutes)})"
            self.setItemText(self.findData(CUSTOM), label)
        finally:
            self._quiet = False

    def _on_index(self, index: int) -> None:
        minutes = self.itemData(index)
        if not self._quiet and isinstance(minutes, int) and minutes != CUSTOM:
            self.duration_chosen.emit(minutes)


def _duration_text(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"
