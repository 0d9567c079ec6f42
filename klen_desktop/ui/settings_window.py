"""The Settings dialog while it is open: built on first use, wired to the controller, told what changes under it.

The window manager owns one of these. The dialog shows the key of the first account (Account tab), every account
side by side (Accounts tab) and the preferences (General tab); the answers to what it asked (a key tested, an
account added or refused) and changes made elsewhere (a key saved, an account's trouble, its unsent changes) reach
the open dialog here, and a dialog closed is forgotten so the next opening reads everything afresh.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from klen_desktop.settings import KeyState, Preferences
from klen_desktop.ui.controller import Controller

if TYPE_CHECKING:
    from klen_desktop.ui.settings_dialog import SettingsDialog


class SettingsSources(NamedTuple):
    """Where the dialog's values come from and go: the preferences and the key's state as they are when it opens,
    and how saved preferences are applied."""

    prefs: Callable[[], Preferences]
    key_state: Callable[[], KeyState]
    save_prefs: Callable[[Preferences], Any]


class SettingsWindow:
    """See the module docstring. ``dialog`` is the open dialog, None while none is open."""

    def __init__(
        self,
        controller: Controller,
        sources: SettingsSources,
        *,
        on_created: list[Callable[[SettingsDialog], None]] | None = None,
    ) -> None:
        """``on_created``: called with each new dialog once it is wired (kept by reference: hooks added later count)."""
        self._controller = controller
        self._prefs, self._key_state, self._save_prefs = sources
        self._on_created = on_created if on_created is not None else []
        self.dialog: SettingsDialog | None = None
        controller.key_tested.connect(self._key_tested)
        controller.accounts_changed.connect(self.accounts_changed)
        controller.outbox_changed.connect(self.accounts_changed)  # how many changes each account has unsent
        controller.account_answer.connect(self._account_answer)

    def open(self, tab: str | None = None) -> SettingsDialog:
        """The dialog on ``tab`` when given ("account", "accounts" or "general"), raised and switched when open."""
        if self.dialog is None:
            self.dialog = self._build()
        if tab is not None:
            self.dialog.show_tab(tab)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        return self.dialog

    def _build(self) -> SettingsDialog:
        from klen_desktop.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self._prefs(), key_state=self._key_state())
        c = self._controller
        dialog.test_key_requested.connect(c.test_key)
        dialog.save_key_requested.connect(c.save_key)
        dialog.forget_key_requested.connect(c.forget_key)
        dialog.preferences_saved.connect(self._save_prefs)
        accounts = dialog.accounts_page
        accounts.add_requested.connect(c.add_account)
        accounts.rename_requested.connect(c.rename_account)
        accounts.recolour_requested.connect(c.recolour_account)
        accounts.key_requested.connect(c.set_account_key)
        accounts.remove_requested.connect(c.remove_account)
        accounts.add_demo_requested.connect(c.add_demo_account)
        accounts.set_accounts(c.accounts())
        dialog.finished.connect(lambda _result: self._forget())
        for hook in self._on_created:
            hook(dialog)
        return dialog

    def _forget(self) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
            self.dialog = None

    def key_state_changed(self) -> None:
        """A key saved or forgotten from the open dialog: it shows the new state at once, not on reopening."""
        if self.dialog is not None:
            self.dialog.set_key_state(self._key_state())

    def accounts_changed(self, *_args: object) -> None:
        if self.dialog is not None:
            self.dialog.accounts_page.set_accounts(self._controller.accounts())

    def _account_answer(self, ok: bool, message: str) -> None:
        if self.dialog is not None:
            self.dialog.accounts_page.show_answer(ok, message)

    def _key_tested(self, result: object) -> None:
        from klen_desktop.key_check import KeyCheck

        if self.dialog is not None and isinstance(result, KeyCheck):
            self.dialog.show_key_test(
                result.ok, result.can_read, result.can_write, result.message, answered=result.answered
            )

    def hide(self) -> None:
        if self.dialog is not None:
            self.dialog.hide()
