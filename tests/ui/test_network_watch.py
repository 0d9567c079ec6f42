"""The network watch starts when a sync first finds the network down; until then Qt's network status is not loaded."""

from __future__ import annotations

from klen_desktop.sync.status import SyncPhase, SyncStatus
from klen_desktop.ui.network_watch import NetworkWatch


def test_the_watch_starts_at_the_first_offline_sync_and_only_once(qapp: object) -> None:
    back: list[str] = []
    watch = NetworkWatch(lambda: back.append("sync"))
    for phase in (SyncPhase.SYNCING, SyncPhase.IDLE, SyncPhase.SERVER_ERROR, SyncPhase.RATE_LIMITED):
        watch.sync_status(SyncStatus(phase=phase))
    assert not watch.started, "online, or the server failing, is nothing a network watch can help with"
    watch.sync_status(SyncStatus(phase=SyncPhase.OFFLINE))
    assert watch.started
    first = watch.information
    watch.sync_status(SyncStatus(phase=SyncPhase.OFFLINE))
    assert watch.information is first, "a second offline status loads no second backend"
    if first is not None:  # this session may have no backend Qt can use; the watch then stays silent
        from PySide6.QtNetwork import QNetworkInformation

        watch._changed(QNetworkInformation.Reachability.Disconnected)
        watch._changed(QNetworkInformation.Reachability.Online)
        assert back == ["sync"]
    watch.stop()
    assert watch.information is None
