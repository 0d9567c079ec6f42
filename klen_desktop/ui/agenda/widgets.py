"""Small plain-text building blocks of the agenda window: tooltips, write buttons, and the cancel confirmation."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from klen_desktop import markup
from klen_desktop.i18n import _
from klen_desktop.store.events import StoredEvent
from klen_desktop.ui.agenda.event_facts import when_text
from klen_desktop.ui.form_widgets import plain_label
from klen_desktop.ui.formatting import breakable, one_line


def plain_tooltip(text: str) -> str:
    """Tooltip text Qt renders literally: escaped, then wrapped so Qt reads the entities as rich text."""
    return f"<p>{markup.escape(text)}</p>" if text else ""


def set_write_enabled(widget: QWidget, enabled: bool, reason: str) -> None:
    """Enable a write action, or disable it with the reason as its tooltip and what a screen reader says of it."""
    widget.setEnabled(enabled)
    widget.setToolTip("" if enabled else plain_tooltip(reason))
    widget.setAccessibleDescription("" if enabled else reason)


class CancelDialog(QDialog):
    """Asks before cancelling an event, with an optional reason (the server adds it to the customer notes).

    Opened with :meth:`open` (window-modal, no nested event loop: the app runs on qasync); read :meth:`reason`
    once it is accepted.
    """

    def __init__(self, event: StoredEvent, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.event_id = event.id
        self.setWindowTitle(_("Cancel event"))
        title = breakable(one_line(event.title, 300))
        question = plain_label(_("Cancel “{title}”?").format(title=title) + f"\n{when_text(event.summary)}")
        note = plain_label(_("The customer may be notified. The reason is added to the customer notes."))
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText(_("Reason (optional)"))
        self.reason_edit.setMaxLength(500)
        self.reason_edit.setAccessibleName(_("Reason"))  # a placeholder is no name: it goes once the user types
        self.reason_edit.setAccessibleDescription(_("Optional; added to the customer notes"))
        buttons = QDialogButtonBox()
        self.confirm_button = QPushButton(_("Cancel event"))
        self.keep_button = QPushButton(_("Keep event"))
        buttons.addButton(self.confirm_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.keep_button, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(question)
        layout.addWidget(note)
        layout.addWidget(self.reason_edit)
        layout.addWidget(buttons)
        # Enter must not cancel someone's appointment by accident; set once the buttons belong to the dialog.
        self.confirm_button.setAutoDefault(False)
        self.keep_button.setDefault(True)

    def reason(self) -> str:
        return " ".join(self.reason_edit.text().split())


def default_window_size() -> QSize:
    """1100 x 700, or less on a small screen (a laptop at 200 % scale): never open larger than 90 % of it."""
    screen = QGuiApplication.primaryScreen()
    wanted = QSize(1100, 700)
    if screen is None:
        return wanted
    room = screen.availableGeometry().size() * 0.9
    return wanted.boundedTo(room)


def page_stack(listing: QWidget, message: QWidget, button: QWidget) -> QStackedWidget:
    """The agenda's pages by index: 0 the list, 1 a message instead of it (a third of the way down, its button
    under it); the day or week grid is added as page 2 when it is built."""
    page = QWidget()
    column = QVBoxLayout(page)
    column.addStretch(1)
    column.addWidget(message)
    column.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
    column.addStretch(2)
    stack = QStackedWidget()
    for widget in (listing, page):
        stack.addWidget(widget)
    return stack


def beside(main: QWidget, pane: QWidget) -> QSplitter:
    """``main`` and the detail pane beside it, 3 : 2."""
    splitter = QSplitter()
    splitter.addWidget(main)
    splitter.addWidget(pane)
    splitter.setStretchFactor(0, 3)
    splitter.setStretchFactor(1, 2)
    splitter.setSizes([680, 420])
    return splitter
