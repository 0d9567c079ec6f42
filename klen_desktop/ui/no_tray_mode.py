"""No system tray (GNOME without the AppIndicator extension is common): run as a normal window.

:class:`NoTrayMode` puts the tray's menu on the agenda window (a "Klen" menu in its menu bar, or a tool
button at the top of a plain widget), says once how to get a tray, and keeps looking for a tray host: when
one appears (the user installed the extension, a panel restarted) it closes the notice, which is no longer
true, and emits :attr:`NoTrayMode.tray_appeared`, and the app shows its tray icon.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSystemTrayIcon,
    QToolButton,
    QWidget,
)

from klen_desktop.i18n import _

log = logging.getLogger(__name__)

RETRY_MS = 5_000
MENU_TITLE = "Klen"


def tray_help() -> str:
    """How to get a tray on this desktop, in one paragraph."""
    desktop = os.environ.get("XDG_CURRENT_DESKTOP", "").lower()
    if "gnome" in desktop or not desktop:
        how = _(
            "On GNOME, install the “AppIndicator and KStatusNotifierItem Support” extension "
            "(package gnome-shell-extension-appindicator), then log out and back in."
        )
    else:
        how = _("Enable the system tray (status notifier) area of your panel.")
    return _(
        "No system tray was found, so Klen Desktop runs as a normal window; its menu is under “{menu}”. "
        "{how} The tray icon appears as soon as a tray is available. Closing this window keeps reminders "
        "running; start Klen Desktop again to bring it back."
    ).format(menu=MENU_TITLE, how=how)


class NoTrayMode(QObject):
    """The menu on the window, the one-time hint, and the retry timer. ``fill`` rebuilds a menu."""

    tray_appeared = Signal()

    def __init__(
        self,
        fill: Callable[[QMenu], None],
        *,
        available: Callable[[], bool] = QSystemTrayIcon.isSystemTrayAvailable,
        retry_ms: int = RETRY_MS,
    ) -> None:
        super().__init__()
        self._fill = fill
        self._available = available
        self._hint_shown = False
        self.hint: QMessageBox | None = None  # the "No system tray" notice, while it is open
        self._attached: list[QWidget] = []
        self.menu = QMenu(MENU_TITLE)
        self.menu.aboutToShow.connect(lambda: self._fill(self.menu))
        self._fill(self.menu)
        self._timer = QTimer(self)
        self._timer.setInterval(retry_ms)
        self._timer.timeout.connect(self._check)

    @property
    def watching(self) -> bool:
        return self._timer.isActive()

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def attach(self, window: QWidget) -> None:
        """Make the menu reachable from ``window`` (once per window)."""
        if window in self._attached:
            return
        self._attached.append(window)
        if isinstance(window, QMainWindow):
            window.menuBar().addMenu(self.menu)
            return
        button = QToolButton(window)
        button.setObjectName("klenMenuButton")
        button.setText(MENU_TITLE)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        button.setMenu(self.menu)
        layout = window.layout()
        if isinstance(layout, QBoxLayout):
            layout.insertWidget(0, button)
        else:
            button.move(4, 4)
            button.raise_()

    def reachable_from(self, window: QWidget) -> bool:
        """Whether ``window`` really carries the menu (a menu bar entry or a tool button that opens it)."""
        if isinstance(window, QMainWindow):
            return self.menu.menuAction() in window.menuBar().actions()
        return any(button.menu() is self.menu for button in window.findChildren(QToolButton))

    def hint_once(self, parent: QWidget | None) -> None:
        """Say how to get a tray, once per run (non-modal: the agenda stays usable)."""
        if self._hint_shown:
            return
        self._hint_shown = True
        log.warning("no system tray: running as a window")
        box = QMessageBox(QMessageBox.Icon.Information, _("No system tray"), tray_help(), parent=parent)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setModal(False)
        box.setObjectName("noTrayHint")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.destroyed.connect(self._hint_gone)
        box.open()
        self.hint = box

    def _hint_gone(self) -> None:
        self.hint = None

    def _check(self) -> None:
        if self._available():
            log.info("a system tray appeared: showing the tray icon")
            self._timer.stop()
            # The notice says there is no tray: once there is one it is wrong, so it goes.
            if self.hint is not None:
                self.hint.close()
            self.tray_appeared.emit()
