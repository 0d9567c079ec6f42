"""The Accounts tab of Settings: the Klen accounts shown side by side, and adding, renaming, recolouring, removing.

It renders :class:`~klen_desktop.session.merged.AccountOverview` rows and emits intentions; the controller carries
them out and answers with :meth:`AccountsPage.show_answer`. A new account's key is checked on the service before
it is stored (in the keyring, under the account's own entry). Removing asks first, and says how many changes the
account has not yet sent, since they would be lost; the first account's key is on the Account tab.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from klen_desktop.accounts.model import PALETTE
from klen_desktop.i18n import N_, _, ngettext
from klen_desktop.session.merged import AccountOverview
from klen_desktop.ui.form_widgets import ErrorLabel, plain_label

ACCOUNTS_NOTE = N_(
    "Each Klen account has its own API key, calendar and sync. With more than one, the agenda, the tray and "
    "the notifications show them side by side, each in its colour. The first account's key is on the Account tab."
)
COLOUR_NAMES = (
    N_("Blue"),
    N_("Orange"),
    N_("Green"),
    N_("Pink"),
    N_("Sky blue"),
    N_("Vermilion"),
    N_("Yellow"),
    N_("Black"),
)

ConfirmRemove = Callable[[QWidget, str, int], bool]


def ask_remove(parent: QWidget, name: str, unsent: int) -> bool:
    """Ask before removing ``name``; ``unsent`` changes not yet sent are named, as they would be lost."""
    text = _("Remove {name}? Its API key and its cached calendar are deleted from this computer.").format(name=name)
    if unsent:
        lost = ngettext(
            "{name} has {n} change not yet sent to Klen. Removing it now loses it.",
            "{name} has {n} changes not yet sent to Klen. Removing it now loses them.",
            unsent,
        )
        text += "\n\n" + lost.format(name=name, n=unsent)
    box = QMessageBox(QMessageBox.Icon.Question, _("Remove the account?"), text, parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    return box.exec() == QMessageBox.StandardButton.Yes


def swatch(colour: str, size: int = 16) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


class AccountsPage(QWidget):
    """See the module docstring. ``confirm_remove(parent, name, unsent)`` is asked before a removal (tests
    replace the message box)."""

    add_requested = Signal(str, str)  # name, API key
    rename_requested = Signal(str, str)  # account id, name
    recolour_requested = Signal(str, str)  # account id, #rrggbb
    key_requested = Signal(str, str)  # account id, API key
    remove_requested = Signal(str, bool)  # account id, lose what it has not sent
    add_demo_requested = Signal()

    def __init__(self, *, confirm_remove: ConfirmRemove = ask_remove, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.confirm_remove = confirm_remove
        self._rows: list[AccountOverview] = []
        self.list = QListWidget()
        self.list.setAccessibleName(_("Accounts"))
        self.list.setMaximumHeight(140)
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName(_("Account name"))
        self.colour_combo = QComboBox()
        self.colour_combo.setAccessibleName(_("Account colour"))
        for colour, name in zip(PALETTE, COLOUR_NAMES, strict=True):
            self.colour_combo.addItem(swatch(colour), _(name), colour)
        self.rename_button = QPushButton(_("Rename"))
        self.key_edit = _key_field(_("New API key for this account"))
        self.key_button = QPushButton(_("Replace key"))
        self.remove_button = QPushButton(_("Remove…"))
        self.new_name = QLineEdit()
        self.new_name.setAccessibleName(_("New account's name"))
        self.new_name.setPlaceholderText(_("The business or client it books for"))
        self.new_key = _key_field(_("New account's API key"))
        self.add_button = QPushButton(_("Check key and add"))
        self.demo_button = QPushButton(_("Add the demo calendar"))
        self.demo_button.setToolTip(_("A sample calendar on this computer, to try things without touching a real one"))
        self.answer = ErrorLabel(lines=2)
        self._build()
        self.list.currentRowChanged.connect(self._selected)
        self.rename_button.clicked.connect(self._rename)
        self.colour_combo.activated.connect(self._recolour)
        self.key_button.clicked.connect(self._replace_key)
        self.remove_button.clicked.connect(self._remove)
        self.add_button.clicked.connect(self._add)
        self.demo_button.clicked.connect(self.add_demo_requested.emit)
        self._selected(-1)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label(_(ACCOUNTS_NOTE)))
        layout.addWidget(self.list)
        chosen = QGroupBox(_("Selected account"))
        grid = QGridLayout(chosen)
        grid.setColumnStretch(1, 1)
        for row, (text, field, button) in enumerate(
            (
                (_("&Name:"), self.name_edit, self.rename_button),
                (_("Co&lour:"), self.colour_combo, None),
                (_("API &key:"), self.key_edit, self.key_button),
            )
        ):
            label = plain_label(text, wrap=False)
            label.setBuddy(field)
            grid.addWidget(label, row, 0)
            grid.addWidget(field, row, 1)
            if button is not None:
                grid.addWidget(button, row, 2)
        remove_row = QHBoxLayout()
        remove_row.addStretch(1)
        remove_row.addWidget(self.remove_button)
        grid.addLayout(remove_row, 3, 0, 1, 3)
        layout.addWidget(chosen)
        adding = QGroupBox(_("Add an account"))
        add_grid = QGridLayout(adding)
        add_grid.setColumnStretch(1, 1)
        for row, (text, field) in enumerate(((_("Na&me:"), self.new_name), (_("API ke&y:"), self.new_key))):
            label = plain_label(text, wrap=False)
            label.setBuddy(field)
            add_grid.addWidget(label, row, 0)
            add_grid.addWidget(field, row, 1)
        add_grid.addWidget(self.add_button, 1, 2)
        add_grid.addWidget(self.demo_button, 2, 2)
        layout.addWidget(adding)
        layout.addWidget(self.answer)
        layout.addStretch(1)

    # -- what the controller tells ------------------------------------------------------------------------

    def set_accounts(self, rows: list[AccountOverview]) -> None:
        """Show ``rows``, keeping the selection on the same account where it still exists."""
        current = self.selected()
        self._rows = list(rows)
        self.list.blockSignals(True)
        self.list.clear()
        for row in rows:
            text = _("{name} (demo)").format(name=row.name) if row.demo else row.name
            if row.problem:
                text = _("{account}: {problem}").format(account=text, problem=row.problem)
            item = QListWidgetItem(swatch(row.colour), text)
            item.setToolTip(text)
            self.list.addItem(item)
        self.list.blockSignals(False)
        ids = [row.id for row in rows]
        self.list.setCurrentRow(ids.index(current.id) if current is not None and current.id in ids else 0)
        # The demo calendar once: not when it is an account already, nor while the first account shows it.
        self.demo_button.setEnabled(not any(row.demo for row in rows))
        self._selected(self.list.currentRow())

    def show_answer(self, ok: bool, message: str) -> None:
        if ok:
            self.answer.show_notice(message)
            self.new_name.clear()
            self.new_key.clear()
            self.key_edit.clear()
        else:
            self.answer.show_message(message)
        self.add_button.setEnabled(True)

    def selected(self) -> AccountOverview | None:
        row = self.list.currentRow()
        return self._rows[row] if 0 <= row < len(self._rows) else None

    # -- the user's actions ---------------------------------------------------------------------------------

    def _selected(self, _row: int) -> None:
        chosen = self.selected()
        for widget in (self.name_edit, self.colour_combo, self.rename_button, self.remove_button):
            widget.setEnabled(chosen is not None)
        keyed = chosen is not None and not chosen.first and not chosen.demo
        self.key_edit.setEnabled(keyed)
        self.key_button.setEnabled(keyed)
        # The first account's key is on the Account tab (forgotten there); the others can be removed.
        self.remove_button.setEnabled(chosen is not None and not chosen.first)
        if chosen is not None:
            self.name_edit.setText(chosen.name)
            index = self.colour_combo.findData(chosen.colour)
            if index < 0:
                self.colour_combo.addItem(swatch(chosen.colour), chosen.colour, chosen.colour)
                index = self.colour_combo.count() - 1
            self.colour_combo.setCurrentIndex(index)

    def _rename(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self.rename_requested.emit(chosen.id, self.name_edit.text())

    def _recolour(self, index: int) -> None:
        chosen = self.selected()
        colour = self.colour_combo.itemData(index)
        if chosen is not None and isinstance(colour, str) and colour != chosen.colour:
            self.recolour_requested.emit(chosen.id, colour)

    def _replace_key(self) -> None:
        chosen = self.selected()
        if chosen is not None and self.key_edit.text().strip():
            self.key_requested.emit(chosen.id, self.key_edit.text())

    def _remove(self) -> None:
        chosen = self.selected()
        if chosen is not None and self.confirm_remove(self, chosen.name, chosen.unsent):
            self.remove_requested.emit(chosen.id, chosen.unsent > 0)

    def _add(self) -> None:
        if not self.new_key.text().strip():
            self.answer.show_message(_("Paste the new account's API key (Klen: Settings > API keys)."))
            return
        self.add_button.setEnabled(False)  # until the answer: the key is being checked on the service
        self.answer.show_notice(_("Checking the key…"))
        self.add_requested.emit(self.new_name.text(), self.new_key.text())


def _key_field(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(name)
    field.setPlaceholderText(_("klen_…"))
    return field
