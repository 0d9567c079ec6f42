"""The settings dialog: the API key (Account tab), the Klen accounts side by side (Accounts tab, see
:mod:`klen_desktop.ui.accounts_page`), the preferences (General tab), the global shortcuts
(:mod:`klen_desktop.ui.shortcuts_page`) and the second time zone (:mod:`klen_desktop.ui.second_zone_page`).

It renders a :class:`~klen_desktop.settings.Preferences` and a :class:`~klen_desktop.settings.KeyState` and
emits intentions; the controller stores them. Save checks the preferences with
:func:`klen_desktop.settings.validate_preferences`, shows any problem under its field and keeps the dialog
open; valid preferences are emitted as ``preferences_saved(Preferences)`` and the dialog closes. The key
signals come from :class:`~klen_desktop.ui.onboarding.KeyPage` unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from klen_desktop.i18n import LANGUAGE_NAMES, N_, _
from klen_desktop.settings import (
    MAX_POLL_SECONDS,
    MAX_REMINDER_MINUTES,
    MAX_WINDOW_DAYS_AHEAD,
    MAX_WINDOW_DAYS_BACK,
    KeyState,
    Preferences,
    validate_preferences,
)
from klen_desktop.ui.accounts_page import AccountsPage, ConfirmRemove, ask_remove
from klen_desktop.ui.form_widgets import ErrorLabel, plain_label
from klen_desktop.ui.onboarding import KeyPage, ask_forget
from klen_desktop.ui.screen_fit import FormScroll, room
from klen_desktop.ui.second_zone_page import SecondZonePage
from klen_desktop.ui.shortcuts_page import ShortcutsPage

MIN_WIDTH = 620
ACCOUNT_TAB = "account"
ACCOUNTS_TAB = "accounts"
GENERAL_TAB = "general"
SHORTCUTS_TAB = "shortcuts"
ZONES_TAB = "zones"
THEME_NOTE = N_("Klen Desktop follows your system's light or dark theme; change it in your desktop's settings.")
CADENCE_NOTE = N_(
    "Klen Desktop checks for changes more often while the agenda is open or an event starts soon, and less "
    "often otherwise. Every check uses part of the API's per-minute request budget."
)

# Spin boxes reach past what is valid so an out-of-range number reaches validation and is explained inline
# instead of being silently clamped.
_INT_FIELDS = {
    "fast_poll_seconds": (1, MAX_POLL_SECONDS * 2, N_(" s")),
    "slow_poll_seconds": (1, MAX_POLL_SECONDS * 2, N_(" s")),
    "window_days_back": (0, MAX_WINDOW_DAYS_BACK * 2, N_(" days")),
    "window_days_ahead": (0, MAX_WINDOW_DAYS_AHEAD * 2, N_(" days")),
    "default_reminder_minutes": (0, MAX_REMINDER_MINUTES * 2, N_(" min")),
}
_LABELS = {
    "fast_poll_seconds": N_("Check every (busy):"),
    "slow_poll_seconds": N_("Check every (quiet):"),
    "window_days_back": N_("Keep past events:"),
    "window_days_ahead": N_("Look ahead:"),
    "default_reminder_minutes": N_("Remind me before:"),
    "notify_reminders": N_("Reminders before events"),
    "notify_new_bookings": N_("New bookings"),
    "notify_changes": N_("Changed events"),
    "notify_cancellations": N_("Cancelled events"),
    "start_at_login": N_("Start Klen Desktop when I log in"),
}


class PreferencesPage(QWidget):
    """Editors for every preference, with an inline error under each numeric field."""

    def __init__(self, prefs: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._base = prefs
        self.spins: dict[str, QSpinBox] = {}
        self.checks: dict[str, QCheckBox] = {}
        self.errors: dict[str, ErrorLabel] = {}
        for name, (low, high, suffix) in _INT_FIELDS.items():
            spin = QSpinBox()
            spin.setObjectName(name)
            spin.setRange(low, high)
            spin.setSuffix(_(suffix))
            spin.setAccessibleName(_(_LABELS[name]).rstrip(":"))
            self.spins[name] = spin
            self.errors[name] = ErrorLabel()
            spin.valueChanged.connect(lambda _value, field=name: self.errors[field].clear_message())
        for name in ("notify_reminders", "notify_new_bookings", "notify_changes", "notify_cancellations"):
            self.checks[name] = QCheckBox(_(_LABELS[name]))
        self.checks["start_at_login"] = QCheckBox(_(_LABELS["start_at_login"]))
        for name, check in self.checks.items():
            check.setObjectName(name)
        self._build()
        self.set_preferences(prefs)

    def _fields(self, *names: str) -> QGridLayout:
        # A grid, not a QFormLayout: the form gives a word-wrapped error under a field too little height and
        # clips it, while the grid asks each row for its height at the width it really gets.
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        for index, name in enumerate(names):
            label = plain_label(_(_LABELS[name]), wrap=False)
            label.setBuddy(self.spins[name])
            grid.addWidget(label, 2 * index, 0)
            grid.addWidget(self.spins[name], 2 * index, 1)
            grid.addWidget(self.errors[name], 2 * index + 1, 1)
        return grid

    def _build(self) -> None:
        # Notes sit in the group's box layout, apart from the fields' grid, each getting the full width.
        sync = QGroupBox(_("Sync"))
        sync_layout = QVBoxLayout(sync)
        sync_layout.addWidget(plain_label(_(CADENCE_NOTE)))
        sync_layout.addLayout(
            self._fields("fast_poll_seconds", "slow_poll_seconds", "window_days_back", "window_days_ahead")
        )

        reminders = QGroupBox(_("Reminders"))
        reminder_layout = QVBoxLayout(reminders)
        reminder_layout.addLayout(self._fields("default_reminder_minutes"))
        reminder_layout.addWidget(plain_label(_("Used for new events; each event can still have its own.")))

        notifications = QGroupBox(_("Show notifications for"))
        notify_layout = QVBoxLayout(notifications)
        for name in ("notify_reminders", "notify_new_bookings", "notify_changes", "notify_cancellations"):
            notify_layout.addWidget(self.checks[name])

        system = QGroupBox(_("System"))
        system_layout = QVBoxLayout(system)
        system_layout.addWidget(self.checks["start_at_login"])
        system_layout.addLayout(self._language_row())
        self.theme_note = plain_label(_(THEME_NOTE))
        system_layout.addWidget(self.theme_note)

        layout = QVBoxLayout(self)
        for box in (sync, reminders, notifications, system):
            layout.addWidget(box)
        layout.addStretch(1)

    def _language_row(self) -> QGridLayout:
        """The language: the desktop's, or one the app speaks, each named in its own language; read at start."""
        self.language_combo = QComboBox()
        self.language_combo.setObjectName("language")
        for code, name in LANGUAGE_NAMES.items():
            self.language_combo.addItem(_("Same as the system") if not code else name, code)
        label = plain_label(_("&Language:"), wrap=False)
        label.setBuddy(self.language_combo)
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.addWidget(label, 0, 0)
        grid.addWidget(self.language_combo, 0, 1)
        # A tooltip, not a line of its own: the General tab must keep fitting a laptop's screen.
        self.language_combo.setToolTip(_("A new language shows the next time Klen Desktop starts."))
        self.language_combo.setAccessibleDescription(self.language_combo.toolTip())
        return grid

    def set_preferences(self, prefs: Preferences) -> None:
        self._base = prefs
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(prefs.language)))
        for name, spin in self.spins.items():
            spin.setValue(getattr(prefs, name))
        for name, check in self.checks.items():
            check.setChecked(getattr(prefs, name))
        self.show_errors({})

    def preferences(self) -> Preferences:
        """The values shown, as Preferences (not validated)."""
        spin, check = self.spins, self.checks
        return Preferences(
            fast_poll_seconds=spin["fast_poll_seconds"].value(),
            slow_poll_seconds=spin["slow_poll_seconds"].value(),
            window_days_back=spin["window_days_back"].value(),
            window_days_ahead=spin["window_days_ahead"].value(),
            default_reminder_minutes=spin["default_reminder_minutes"].value(),
            notify_reminders=check["notify_reminders"].isChecked(),
            notify_new_bookings=check["notify_new_bookings"].isChecked(),
            notify_changes=check["notify_changes"].isChecked(),
            notify_cancellations=check["notify_cancellations"].isChecked(),
            start_at_login=check["start_at_login"].isChecked(),
            agenda_view=self._base.agenda_view,  # chosen in the agenda, not here
            language=str(self.language_combo.currentData()),
            version=self._base.version,
        )

    def show_errors(self, errors: dict[str, str]) -> None:
        for name, label in self.errors.items():
            label.show_message(errors.get(name, ""))


class SettingsDialog(QDialog):
    """Account (API key), General (preferences), Shortcuts and Time zones tabs; ``open_tab`` picks the one shown first.

    ``preferences_saved(Preferences)`` fires on Save with valid preferences, and the dialog closes. The key
    signals and :meth:`show_key_test` / :meth:`set_key_state` / :meth:`show_key_error` are the Account tab's.
    """

    test_key_requested = Signal(str)
    save_key_requested = Signal(str)
    forget_key_requested = Signal()
    preferences_saved = Signal(object)

    def __init__(
        self,
        prefs: Preferences,
        *,
        key_state: KeyState,
        open_tab: str = GENERAL_TAB,
        confirm_forget: Callable[[QWidget], bool] = ask_forget,
        confirm_remove: ConfirmRemove = ask_remove,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Klen Desktop Settings"))
        self.setObjectName("settingsDialog")
        self.key_page = KeyPage(key_state, confirm_forget=confirm_forget)
        self.preferences_page = PreferencesPage(prefs)
        self.accounts_page = AccountsPage(confirm_remove=confirm_remove)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.preferences_page, _("General"))
        self.tabs.addTab(self.key_page, _("Account"))
        self.tabs.addTab(self.accounts_page, _("Accounts"))
        self.shortcuts_page = ShortcutsPage(prefs)
        self.tabs.addTab(self.shortcuts_page, _("Shortcuts"))
        self.zone_page = SecondZonePage(prefs.second_zone)
        self.tabs.addTab(self.zone_page, _("Time zones"))
        self.show_tab(open_tab)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close)
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setText(_("Save preferences"))
        self.buttons.accepted.connect(self._on_save)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self._on_tab_changed()
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        # The tabs scroll on a screen too short for them (a laptop at 200 % scale); the buttons stay in reach.
        self.tabs_scroll = FormScroll(self.tabs)
        layout.addWidget(self.tabs_scroll, 1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(MIN_WIDTH)
        self._fit_height()

        self.key_page.test_key_requested.connect(self.test_key_requested)
        self.key_page.save_key_requested.connect(self.save_key_requested)
        self.key_page.forget_key_requested.connect(self.forget_key_requested)

    # -- answers from the controller ----------------------------------------------------------------------

    def show_key_test(self, ok: bool, can_read: bool, can_write: bool, message: str, *, answered: bool = True) -> None:
        self.key_page.show_key_test(ok, can_read, can_write, message, answered=answered)

    def set_key_state(self, key_state: KeyState) -> None:
        self.key_page.set_key_state(key_state)

    def show_key_error(self, message: str) -> None:
        self.key_page.show_error(message)

    def set_preferences(self, prefs: Preferences) -> None:
        self.preferences_page.set_preferences(prefs)
        self.shortcuts_page.set_preferences(prefs)
        self.zone_page.set_zone(prefs.second_zone)

    def show_tab(self, tab: str) -> None:
        """Bring ``"account"``, ``"accounts"``, ``"general"``, ``"shortcuts"`` or ``"zones"`` to the front (first run
        opens on the account tab)."""
        pages = {
            ACCOUNT_TAB: self.key_page,
            ACCOUNTS_TAB: self.accounts_page,
            GENERAL_TAB: self.preferences_page,
            SHORTCUTS_TAB: self.shortcuts_page,
            ZONES_TAB: self.zone_page,
        }
        if tab not in pages:
            raise ValueError(f"unknown settings tab {tab!r}")
        self.tabs.setCurrentWidget(pages[tab])
        if tab == ACCOUNT_TAB:
            # Asked for the key ("Enter API key…"): the user's next keystroke goes into the key field.
            self.key_page.key_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def preferences(self) -> Preferences:
        general = self.preferences_page.preferences()
        keys = self.shortcuts_page.values()
        return replace(
            general,
            shortcut_quick_add=keys["shortcut_quick_add"],
            shortcut_join_next_call=keys["shortcut_join_next_call"],
            second_zone=self.zone_page.second_zone(),
        )

    # -- user actions ---------------------------------------------------------------------------------------

    def _fit_height(self) -> None:
        # Word-wrapped notes and errors: the size hint asks for the height they need at the layout's narrowest
        # width, which is enough at any wider one. Grow to it (never shrink under the user's hands), so inline
        # errors that just appeared push the dialog taller instead of squeezing every row.
        self.tabs_scroll.refit()
        layout = self.layout()
        if layout is not None:
            layout.invalidate()
            layout.activate()
        hint = self.sizeHint()
        wanted = QSize(max(self.width(), MIN_WIDTH, hint.width()), max(self.height(), hint.height()))
        self.resize(wanted.boundedTo(room(self)).expandedTo(self.minimumSizeHint()))

    def _on_tab_changed(self, _index: int = 0) -> None:
        # The key and the accounts have their own buttons; a "Save preferences" beside them would read as theirs.
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setVisible(
            self.tabs.currentWidget() not in (self.key_page, self.accounts_page)
        )

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # QDialogButtonBox makes Save the default button when shown, so Return in the key field (which tests the
        # key) would also save the preferences and close the dialog under the user's hands.
        # The Accounts tab too: Return there must not rename, remove or save what the user did not click.
        focus = self.focusWidget()
        in_key_page = self.key_page.isAncestorOf(focus) or self.accounts_page.isAncestorOf(focus)
        if in_key_page and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            return
        super().keyPressEvent(event)

    def _on_save(self) -> None:
        prefs = self.preferences()
        errors = validate_preferences(prefs)
        self.preferences_page.show_errors(errors)
        self.shortcuts_page.show_errors(errors)
        self.zone_page.show_error(errors.get("second_zone", ""))
        if errors:
            self._fit_height()
            first = next(iter(errors))
            if first in self.preferences_page.spins:
                self.tabs.setCurrentWidget(self.preferences_page)
                self.preferences_page.spins[first].setFocus()
            else:
                page = self.zone_page if first == "second_zone" else self.shortcuts_page
                self.tabs.setCurrentWidget(page)
            return
        self.preferences_saved.emit(prefs)
        self.accept()
