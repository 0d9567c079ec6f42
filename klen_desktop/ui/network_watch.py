"""Sync at once when the network comes back (the poller notices a wake from sleep by itself).

The watch starts the first time a sync finds the network down, not at launch: while the app is online there is
no return to wait for, and Qt's network-status backend (QtNetwork, and on some desktops GLib's network monitor)
costs some 4 MiB and an import at every start for nothing. Once started it stays until the app ends.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from klen_desktop.sync.status import SyncPhase, SyncStatus

if TYPE_CHECKING:
    from PySide6.QtNetwork import QNetworkInformation

log = logging.getLogger(__name__)


class NetworkWatch:
    """Calls ``on_online`` when the system says the network is reachable again; silent where Qt cannot tell."""

    def __init__(self, on_online: Callable[[], None]) -> None:
        self._on_online = on_online
        self._started = False
        self.information: QNetworkInformation | None = None

    @property
    def started(self) -> bool:
        return self._started

    def sync_status(self, status: SyncStatus) -> None:
        """Feed every sync status: the first one that finds the network down starts the watch."""
        if status.phase is SyncPhase.OFFLINE and not self._started:
            self.start()

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        from PySide6.QtNetwork import QNetworkInformation

        if not QNetworkInformation.loadDefaultBackend():
            log.info("no network-status backend: a reconnect is noticed at the next poll")
            return
        info = QNetworkInformation.instance()
        if info is not None:
            info.reachabilityChanged.connect(self._changed)
            self.information = info
            log.info("the network is down: watching for its return (%s)", info.backendName())

    def stop(self) -> None:
        if self.information is not None:
            self.information.reachabilityChanged.disconnect(self._changed)
            self.information = None

    def _changed(self, reachability: object) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        if reachability == QNetworkInformation.Reachability.Online:
            log.info("the network is back: syncing now")
            self._on_online()
