"""The Settings tab for the global shortcuts: a key field per action, Clear, and what the desktop answered.

A field takes one combination (``Ctrl+Alt+K``); what it holds is saved as Qt's portable text, which the
Qt-free backends read (:mod:`klen_desktop.shortcuts.keys`). Under each field: a problem with the combination
itself (checked on Save), else what came of registering it (``Registered``, ``Already taken by another
application``, or how to set it in the desktop's own keyboard settings where the desktop allows no
application to do it).
"""

from __future__ import annotations

import contextlib

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from klen_desktop.i18n import N_, _
from klen_desktop.settings import Preferences
from klen_desktop.shortcuts.base import Registration
from klen_desktop.shortcuts.keys import KeyCombo, KeyComboError
from klen_desktop.ui.form_widgets import ErrorLabel, plain_label
from klen_desktop.ui.shortcuts_actions import ACTIONS, LABELS, PREFERENCE_OF

SHORTCUTS_NOTE = N_(
    "These work in every application while Klen Desktop runs. None is set at first: pick combinations that "
    "your desktop and your other applications do not use."
)


class ShortcutsPage(QWidget):
    """``values()`` are the shortcut preferences shown (not validated)."""

    def __init__(self, prefs: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edits: dict[str, QKeySequenceEdit] = {}
        self.results: dict[str, QLabel] = {}
        self.errors: dict[str, ErrorLabel] = {}
        box = QGroupBox(_("Global shortcuts"))
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        for index, action in enumerate(ACTIONS):
            edit = QKeySequenceEdit()
            edit.setObjectName(PREFERENCE_OF[action])
            edit.setMaximumSequenceLength(1)
            edit.setAccessibleName(_(LABELS[action]))
            # A screen reader lands on the field's own line edit: it must carry the name too.
            for line in edit.findChildren(QLineEdit):
                line.setAccessibleName(_(LABELS[action]))
            clear = QPushButton(_("Clear"))
            clear.setObjectName(f"{PREFERENCE_OF[action]}_clear")
            clear.setAccessibleName(_("Clear the shortcut: {action}").format(action=_(LABELS[action])))
            clear.clicked.connect(edit.clear)
            label = plain_label(_("{action}:").format(action=_(LABELS[action])), wrap=False)
            label.setBuddy(edit)
            self.edits[action] = edit
            self.errors[action] = ErrorLabel()
            self.results[action] = plain_label()
            self.results[action].setObjectName(f"{PREFERENCE_OF[action]}_result")
            edit.keySequenceChanged.connect(lambda _seq, a=action: self._edited(a))
            row = 3 * index
            grid.addWidget(label, row, 0)
            grid.addWidget(edit, row, 1)
            grid.addWidget(clear, row, 2)
            grid.addWidget(self.errors[action], row + 1, 1, 1, 2)
            grid.addWidget(self.results[action], row + 2, 1, 1, 2)
        inner = QVBoxLayout(box)
        inner.addWidget(plain_label(_(SHORTCUTS_NOTE)))
        inner.addLayout(grid)
        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addStretch(1)
        self.set_preferences(prefs)

    def set_preferences(self, prefs: Preferences) -> None:
        for action, edit in self.edits.items():
            edit.setKeySequence(QKeySequence.fromString(getattr(prefs, PREFERENCE_OF[action])))
            self.errors[action].clear_message()

    def values(self) -> dict[str, str]:
        """Preference name -> the combination shown, in the settings' spelling (``""`` for none)."""
        values: dict[str, str] = {}
        for action, edit in self.edits.items():
            text = edit.keySequence().toString(QKeySequence.SequenceFormat.PortableText)
            with contextlib.suppress(KeyComboError):  # kept as typed: Save explains what is wrong with it
                text = KeyCombo.parse(text).text() if text else ""
            values[PREFERENCE_OF[action]] = text
        return values

    def show_errors(self, errors: dict[str, str]) -> None:
        for action in ACTIONS:
            self.errors[action].show_message(errors.get(PREFERENCE_OF[action], ""))

    def show_results(self, results: dict[str, Registration]) -> None:
        """What the desktop answered for each saved shortcut (nothing under an action without one); a refusal
        reads as an error under the field."""
        for action in ACTIONS:
            result = results.get(action)
            # A fixed outcome ("Registered") is marked N_ where it is made: translated here, where it shows.
            self.results[action].setText(_(result.message) if result is not None and result.ok else "")
            self.errors[action].show_message(_(result.message) if result is not None and not result.ok else "")

    def _edited(self, action: str) -> None:
        # What the desktop said was about the saved combination, not the one being typed.
        self.errors[action].clear_message()
        self.results[action].clear()
