"""Small widgets every window uses: plain-text labels, inline error labels and a clear button for a line edit.

The event editor's own fields are in :mod:`klen_desktop.ui.event_fields`: imported here, their Qt classes (a date-time
editor, a combo box, a form layout) would be built for every window that shows a label.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor, QPalette
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from klen_desktop.i18n import _
from klen_desktop.ui.icons import clear_icon
from klen_desktop.ui.theme_watch import on_font_change, on_palette_change

ONE_LINE_MESSAGE = 56


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
        self._keep_space()
        self._recolour()
        on_palette_change(self, self._recolour)
        on_font_change(self, self._keep_space)

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

    def _keep_space(self) -> None:
        if self._lines > 0:
            metrics = self.fontMetrics()
            self.setFixedHeight(self._lines * metrics.lineSpacing())
            # Room for a one-line message of the drafts' rules (under 48 characters, wider than the average one),
            # so a narrow window or a large scale does not push a message past the space kept for it.
            self.setMinimumWidth(metrics.averageCharWidth() * ONE_LINE_MESSAGE)

    def _recolour(self) -> None:
        palette = self.palette()
        colour = notice_color(palette) if self._notice else error_color(palette)
        palette.setColor(QPalette.ColorRole.WindowText, colour)
        self.setPalette(palette)


def room_for_mnemonics(window: QWidget) -> None:
    """A pixel more for every field label of ``window`` that underlines a shortcut letter (``&To``, ``T&ype``).

    Qt sizes such a label by its text as one run, kerned, but draws the underlined letter as a run of its own,
    which undoes the kerning there (T and o, T and y): the drawn text is up to a pixel wider than the label, and
    its last letter is cut (two device pixels at 200 % scale).
    """
    for label in window.findChildren(QLabel):
        if label.buddy() is not None and "&" in label.text():
            label.setMinimumWidth(label.sizeHint().width() + 1)  # a margin would not do: the text is clipped to it
