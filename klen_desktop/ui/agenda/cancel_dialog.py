"""The question asked before an event is cancelled from the agenda.

A module of its own, imported when the question is first asked: a dialog and its button box are Qt classes that
PySide6 would otherwise build for every agenda opened (some 0.2 MiB), most of them never cancelling anything.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QPushButton, QVBoxLayout, QWidget

from klen_desktop.i18n import _
from klen_desktop.store.events import StoredEvent
from klen_desktop.ui.agenda.event_facts import when_text
from klen_desktop.ui.form_widgets import plain_label
from klen_desktop.ui.formatting import breakable, one_line


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
