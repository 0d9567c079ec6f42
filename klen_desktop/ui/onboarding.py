"""The API key page: paste the key (masked), test what it may do, store it in the keyring, or forget it.

Used as the Account tab of the settings dialog and on first run. It never sees the network or the keyring: it
emits ``test_key_requested(str)``, ``save_key_requested(str)`` and ``forget_key_requested()``, and the
controller answers with :meth:`KeyPage.show_key_test` and :meth:`KeyPage.set_key_state`. The key typed in
stays only in the line edit (masked, no copy out of it, no input-method prediction) and is cleared once the
controller reports it stored; nothing here logs it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from klen_desktop.i18n import N_, _
from klen_desktop.secrets import NO_BACKEND_HELP
from klen_desktop.settings import KeyState
from klen_desktop.ui.form_widgets import ErrorLabel, add_clear_button, plain_label

KEY_HELP = N_(
    "Create an API key in Klen (Settings > API keys) and paste it here. Klen Desktop keeps it only in your "
    "system keyring, never in a file."
)
DEMO_NOTE = N_("Demo mode: you are looking at a sample calendar. Paste your API key to see your own.")
STORED_NOTE = N_("An API key is stored in your system keyring. Paste a new one to replace it.")
NO_KEY_NOTE = N_("No API key is stored yet.")
READ_ONLY_NOTE = N_("With this key Klen Desktop is read-only: New event, Edit and Cancel stay disabled.")


def ask_forget(parent: QWidget) -> bool:
    answer = QMessageBox.question(
        parent,
        _("Forget the API key?"),
        _(
            "Remove the API key from the system keyring? Klen Desktop goes back to the demo calendar until you "
            "paste a key again."
        ),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Yes


def _bold(label: QLabel) -> QLabel:
    font = QFont(label.font())
    font.setBold(True)
    label.setFont(font)
    return label


class KeyPage(QWidget):
    """Key entry and status. ``confirm_forget`` is asked before forgetting (tests replace the message box)."""

    test_key_requested = Signal(str)
    save_key_requested = Signal(str)
    forget_key_requested = Signal()

    def __init__(
        self,
        key_state: KeyState,
        *,
        confirm_forget: Callable[[QWidget], bool] = ask_forget,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._confirm_forget = confirm_forget
        self._state = key_state
        self._busy = False

        self.demo_badge = _bold(plain_label(_("Demo"), wrap=False))
        self.demo_badge.setObjectName("demoBadge")
        self.demo_badge.setFrameShape(QFrame.Shape.StyledPanel)
        self.demo_badge.setContentsMargins(6, 1, 6, 1)
        self.status_label = plain_label()
        self.status_label.setObjectName("keyStatus")
        self.keyring_problem = ErrorLabel()
        self.keyring_problem.setObjectName("keyringProblem")

        self.key_edit = QLineEdit()
        self.key_edit.setObjectName("apiKey")
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText("klen_…")
        add_clear_button(self.key_edit)
        self.key_edit.setAccessibleName(_("API key"))
        # Keep the key out of on-screen keyboards' prediction and history.
        self.key_edit.setInputMethodHints(
            Qt.InputMethodHint.ImhHiddenText
            | Qt.InputMethodHint.ImhSensitiveData
            | Qt.InputMethodHint.ImhNoPredictiveText
            | Qt.InputMethodHint.ImhNoAutoUppercase
        )
        self.show_key = QPushButton(_("Show"))
        self.show_key.setCheckable(True)
        self.show_key.setToolTip(_("Show or hide the key you typed"))
        self.test_button = QPushButton(_("Test connection"))
        self.save_button = QPushButton(_("Save key"))
        self.forget_button = QPushButton(_("Forget key…"))
        for button in (self.show_key, self.test_button, self.save_button, self.forget_button):
            # Return in the key field must not press a dialog button that closes the dialog.
            button.setAutoDefault(False)

        self.connection_value = plain_label()
        self.connection_value.setObjectName("connection")
        self.stored_value = plain_label()
        self.stored_value.setObjectName("keyStored")
        self.result_label = plain_label()
        self.result_label.setObjectName("keyTestResult")
        self.error_label = ErrorLabel()
        self.read_value = plain_label(wrap=False)
        self.write_value = plain_label(wrap=False)
        self.read_caption = plain_label(_("Read the calendar:"), wrap=False)
        self.write_caption = plain_label(_("Create and change events:"), wrap=False)
        self.read_only_note = plain_label(_(READ_ONLY_NOTE))
        self._build()

        self.key_edit.textChanged.connect(self._on_text_changed)
        self.key_edit.returnPressed.connect(self._on_test)
        self.show_key.toggled.connect(self._on_show_toggled)
        self.test_button.clicked.connect(self._on_test)
        self.save_button.clicked.connect(self._on_save)
        self.forget_button.clicked.connect(self._on_forget)
        self.set_key_state(key_state)

    def _build(self) -> None:
        header = QHBoxLayout()
        header.addWidget(self.status_label, 1)
        header.addWidget(self.demo_badge, 0, Qt.AlignmentFlag.AlignTop)

        facts = QGridLayout()
        facts.addWidget(plain_label(_("Connection:"), wrap=False), 0, 0, Qt.AlignmentFlag.AlignTop)
        facts.addWidget(self.connection_value, 0, 1)
        facts.addWidget(plain_label(_("API key stored:"), wrap=False), 1, 0, Qt.AlignmentFlag.AlignTop)
        facts.addWidget(self.stored_value, 1, 1)
        facts.setColumnStretch(1, 1)

        entry = QHBoxLayout()
        entry.addWidget(self.key_edit, 1)
        entry.addWidget(self.show_key)

        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        buttons.addWidget(self.forget_button)

        self.result_box = QFrame()
        self.result_box.setFrameShape(QFrame.Shape.StyledPanel)
        grid = QGridLayout(self.result_box)
        grid.addWidget(self.result_label, 0, 0, 1, 2)
        grid.addWidget(self.read_caption, 1, 0)
        grid.addWidget(self.read_value, 1, 1)
        grid.addWidget(self.write_caption, 2, 0)
        grid.addWidget(self.write_value, 2, 1)
        grid.addWidget(self.read_only_note, 3, 0, 1, 2)
        grid.setColumnStretch(1, 1)
        self.result_box.setVisible(False)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addLayout(facts)
        layout.addWidget(self.keyring_problem)
        layout.addWidget(plain_label(_(KEY_HELP)))
        layout.addSpacing(6)
        layout.addWidget(_bold(plain_label(_("API key"), wrap=False)))
        layout.addLayout(entry)
        layout.addLayout(buttons)
        layout.addWidget(self.error_label)
        layout.addWidget(self.result_box)
        layout.addStretch(1)

    # -- answers from the controller ----------------------------------------------------------------------

    def set_key_state(self, state: KeyState) -> None:
        """Show whether a key is stored, demo mode and any keyring problem. A newly stored key clears the field."""
        newly_stored = state.stored and not self._state.stored
        self._state = state
        self._busy = False
        self.demo_badge.setVisible(state.demo)
        if state.keyring_problem is not None:
            self.status_label.setText(_(DEMO_NOTE if state.demo else NO_KEY_NOTE))
            problem = state.keyring_problem.strip() or _(NO_BACKEND_HELP)
            if "demo mode" not in problem.lower():
                problem += " " + _("Until then Klen Desktop keeps running in demo mode.")
            self.keyring_problem.show_message(problem)
        else:
            self.keyring_problem.clear_message()
            self.status_label.setText(_(STORED_NOTE if state.stored else DEMO_NOTE if state.demo else NO_KEY_NOTE))
        where = f" ({state.service_url})" if state.service_url else ""
        self.connection_value.setText(
            _("Demo: a sample calendar served on this computer{where}").format(where=where)
            if state.demo
            else _("Live: Klen{where}").format(where=where)
        )
        self.stored_value.setText(_("Yes, in the system keyring") if state.stored else _("No"))
        if newly_stored:
            self.key_edit.clear()
        self._update_enabled()

    def show_key_test(self, ok: bool, can_read: bool, can_write: bool, message: str, *, answered: bool = True) -> None:
        """Show the outcome of a connection test: what the key may do and the controller's ``message``.

        ``answered`` False (the key was refused, or no answer came): there is no Yes or No to show."""
        self._busy = False
        self.error_label.clear_message()
        self.result_label.setText(message)
        self.read_value.setText(_("Yes") if can_read else _("No"))
        self.write_value.setText(_("Yes") if can_write else _("No"))
        for widget in (self.read_caption, self.read_value, self.write_caption, self.write_value):
            widget.setVisible(answered)
        self.read_only_note.setVisible(ok and can_read and not can_write)
        self.result_box.setVisible(True)
        self.result_box.setProperty("ok", ok)
        self._update_enabled()

    def show_error(self, message: str) -> None:
        """Show a failure of a key action (e.g. the keyring refused); the typed key is kept."""
        self._busy = False
        self.error_label.show_message(message)
        self._update_enabled()

    def key_text(self) -> str:
        return self.key_edit.text().strip()

    # -- user actions ---------------------------------------------------------------------------------------

    def _on_text_changed(self, _text: str) -> None:
        # A result describes the key that was tested; once the text changes it would describe another key.
        self.result_box.setVisible(False)
        self.error_label.clear_message()
        self._update_enabled()

    def _on_show_toggled(self, shown: bool) -> None:
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.show_key.setText(_("Hide") if shown else _("Show"))

    def _on_test(self) -> None:
        # An empty field tests the connection in use (the demo calendar's, or the stored key's).
        key = self.key_text()
        if key and not self._key_usable(key):
            return
        if self._busy:
            return
        self._busy = True
        self.result_box.setVisible(False)
        self.error_label.clear_message()
        self.result_label.setText("")
        self._update_enabled()
        self.test_key_requested.emit(key)

    def _on_save(self) -> None:
        key = self.key_text()
        if not self._key_usable(key):
            return
        # Not marked busy: the controller may answer a failed save only with a notice, and the buttons must not
        # stay locked then. Storing the same key twice is harmless.
        self.error_label.clear_message()
        self.save_key_requested.emit(key)

    def _on_forget(self) -> None:
        if not self._state.stored or self._state.keyring_problem is not None:
            return
        if self._confirm_forget(self):
            self.forget_key_requested.emit()

    def _key_usable(self, key: str) -> bool:
        if self._busy or self._state.keyring_problem is not None or not key:
            return False
        if any(ch.isspace() for ch in key):
            self.error_label.show_message(_("An API key is one word with no spaces. Copy it again from Klen."))
            return False
        return True

    def _update_enabled(self) -> None:
        usable = self._state.keyring_problem is None
        has_text = bool(self.key_text())
        self.key_edit.setEnabled(usable)
        self.show_key.setEnabled(usable)
        self.test_button.setEnabled(not self._busy and (usable or not has_text))
        self.save_button.setEnabled(usable and has_text and not self._busy)
        self.forget_button.setEnabled(usable and self._state.stored and not self._busy)
        label = _("Test this key on the live service") if has_text else _("Test connection")
        self.test_button.setText(_("Testing…") if self._busy else label)
        self.test_button.setToolTip(
            _("Asks the live Klen service what the key typed above may do; nothing is changed.")
            if has_text
            else _("Checks the connection in use (demo or live) and what it may do; nothing is changed.")
        )
