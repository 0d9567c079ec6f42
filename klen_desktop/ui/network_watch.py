"""Sync at once when the network comes back (the poller notices a wake from sleep by itself)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtNetwork import QNetworkInformation

log = logging.getLogger(__name__)


class NetworkWatch:
    """Calls ``on_online`` when the system says the network is reachable again; silent where Qt cannot tell."""

    def __init__(self, on_online: Callable[[], None]) -> None:
        self._on_online = on_online
        self.information: QNetworkInformation | None = None

    def start(self) -> None:
        if not QNetworkInformation.loadDefaultBackend():
            log.info("no network-status backend: a reconnect is noticed at the next poll")
            return
        info = QNetworkInformation.instance()
        if info is not None:
            info.reachabilityChanged.connect(self._changed)
            self.information = info

    def stop(self) -> None:
        if self.information is not None:
            self.information.reachabilityChanged.disconnect(self._changed)
            self.information = None

    def _changed(self, reachability: object) -> None:
        if reachability == QNetworkInformation.Reachability.Online:
            log.info("the network is back: syncing now")
            self._on_online()
