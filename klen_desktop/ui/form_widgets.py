"""Small form widgets: plain-text labels (every window's), and the event editor's inline error labels, local
date-time fields and duration shortcut.

They hold no rules: what is valid is decided in :mod:`klen_desktop.drafts`; these only show values and
read them back without losing precision the user did not touch.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QDateTime, QEvent, Qt, Signal
from PySide6.QtGui import QAction, QColor, QPalette
from PySide6.QtWidgets import QComboBox, QDateTimeEdit, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from klen_desktop.date_texts import duration_text, local_zone_text, qt_date_time_format
from klen_desktop.i18n import _
from klen_desktop.ui.icons import clear_icon

DURATION_CHOICES = (15, 30, 45, 60, 90)
ONE_LINE_MESSAGE = 56
CUSTOM = -1


def error_color(palette: QPalette) -> QColor:
    """A red that reads on the palette's window colour (Qt has no "error" role)."""
    dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
    return QColor("#ff8a80") if dark else QColor("#b3261e")


def notice_color(palette: QPalette) -> QColor:
    """An amber that reads on the palette's window colour and is not mistaken for an error's red."""
    dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
    return QColor("#ffcc80") if dark else QColor("#8a4b00")


def add_clear_button(line: QLineEdit) -> QAction:
    """A button at the end of ``line`` that empties it, shown while there is text, as Qt's own clear button is.

    Qt's own (``setClearButtonEnabled``) loads the style's standard icon for it: measured alone, 1.3 MiB more
    resident than this one, for a cross. This one is painted
    (:func:`klen_desktop.ui.icons.clear_icon`) and, as Qt's, says the text was edited when it empties the field.
    """
    action = line.addAction(clear_icon(), QLineEdit.ActionPosition.TrailingPosition)
    action.setText(_("Clear"))
    action.setToolTip(_("Clear"))
    action.setVisible(bool(line.text()))
    line.textChanged.connect(lambda text: action.setVisible(bool(text)))

    def clear() -> None:
        if line.text():
            line.clear()
            line.textEdited.emit("")

    action.triggered.connect(clear)
    return action


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
    """An inline message under a field, in a space kept for it whether a message shows or not.

    With ``lines`` > 0 the space is that many lines of the label's own font (so it follows the font size and the
    screen's scale): in a form, a message appearing or clearing must never move the fields around it, or the
    user's next click lands in the wrong one. With 0 the label takes no space while empty. A notice (a question
    about the value, not a refusal) uses the same space in another colour.
    The whole text is also the tooltip, for a server message longer than the space.
    """

    def __init__(self, lines: int = 0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        policy = self.sizePolicy()
        policy.setRetainSizeWhenHidden(lines > 0)
        self.setSizePolicy(policy)
        self.setVisible(False)
        self._lines = lines
        self._notice = False
        self._recolouring = False
        self._keep_space()
        self._recolour()

    @property
    def is_notice(self) -> bool:
        return self._notice and self.isVisibleTo(self.parentWidget() or self)

    def show_message(self, message: str) -> None:
        self._show(message, notice=False)

    def show_notice(self, message: str) -> None:
        self._show(message, notice=True)

    def clear_message(self) -> None:
        self._show("", notice=False)

    def _show(self, message: str, *, notice: bool) -> None:
        changed = notice != self._notice
        self._notice = notice
        self.setText(message)
        self.setToolTip(message)
        self.setVisible(bool(message))
        if changed:
            self._recolour()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and not self._recolouring:
            self._recolour()
        elif event.type() == QEvent.Type.FontChange:
            self._keep_space()

    def _keep_space(self) -> None:
        if self._lines > 0:
            metrics = self.fontMetrics()
            self.setFixedHeight(self._lines * metrics.lineSpacing())
            # Room for a one-line message of the drafts' rules (under 48 characters, wider than the average one),
            # so a narrow window or a large scale does not push a message past the space kept for it.
            self.setMinimumWidth(metrics.averageCharWidth() * ONE_LINE_MESSAGE)

    def _recolour(self) -> None:
        # Setting the palette raises another PaletteChange; the flag keeps that from recursing.
        self._recolouring = True
        try:
            palette = self.palette()
            colour = notice_color(palette) if self._notice else error_color(palette)
            palette.setColor(QPalette.ColorRole.WindowText, colour)
            self.setPalette(palette)
        finally:
            self._recolouring = False


def room_for_mnemonics(window: QWidget) -> None:
    """A pixel more for every field label of ``window`` that underlines a shortcut letter (``&To``, ``T&ype``).

    Qt sizes such a label by its text as one run, kerned, but draws the underlined letter as a run of its own,
    which undoes the kerning there (T and o, T and y): the drawn text is up to a pixel wider than the label, and
    its last letter is cut (two device pixels at 200 % scale).
    """
    for label in window.findChildren(QLabel):
        if label.buddy() is not None and "&" in label.text():
            label.setMinimumWidth(label.sizeHint().width() + 1)  # a margin would not do: the text is clipped to it


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
