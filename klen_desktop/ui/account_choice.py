"""Which account a new event or a free-slot search is for: a labelled choice, shown only where there are several.

The editor and the slot finder put it at their top. For an existing event it names the event's account and is
fixed (an event stays in its account). With one account it is hidden, so those windows look as they did before
accounts.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QWidget

from klen_desktop.i18n import _
from klen_desktop.ui.accounts_page import swatch
from klen_desktop.ui.agenda.filters import AgendaAccount
from klen_desktop.ui.form_widgets import plain_label


class AccountChoice(QWidget):
    """See the module docstring. ``changed(account id)`` when the user picks another account."""

    changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox()
        self.combo.setAccessibleName(_("Account"))
        label = plain_label(_("Acco&unt:"), wrap=False)
        label.setBuddy(self.combo)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(label)
        row.addWidget(self.combo, 1)
        self.combo.currentIndexChanged.connect(self._picked)
        self.setVisible(False)

    def set_accounts(
        self, accounts: Sequence[AgendaAccount], chosen: str | None = None, *, fixed: bool = False
    ) -> None:
        """Offer ``accounts`` with ``chosen`` (else the first) selected; ``fixed``: shown, not changeable."""
        keep = chosen or self.chosen()
        self.combo.blockSignals(True)
        self.combo.clear()
        for account in accounts:
            self.combo.addItem(swatch(account.colour), account.name, account.id)
        self.combo.setCurrentIndex(max(0, self.combo.findData(keep)))
        self.combo.blockSignals(False)
        self.combo.setEnabled(not fixed)
        self.setVisible(len(accounts) > 1)

    def chosen(self) -> str | None:
        """The chosen account's id (None: no choice offered, the first account is meant)."""
        value = self.combo.currentData()
        return value if isinstance(value, str) and self.isVisibleTo(self.window()) else None

    def _picked(self, _index: int) -> None:
        value = self.combo.currentData()
        if isinstance(value, str):
            self.changed.emit(value)
