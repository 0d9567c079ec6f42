"""Demo mode: the app's own Klen API emulator on 127.0.0.1, with a sample calendar, used when no key is stored.

The app talks to it over real loopback HTTP exactly as it talks to the real service, so demo mode exercises the
production path. Its database lives in the user data folder, so changes made in demo mode survive a restart; a
calendar whose events are all in the past is reseeded around today.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from klen_desktop.paths import data_dir

if TYPE_CHECKING:
    from klen_desktop.emulator.server import EmulatorServer

log = logging.getLogger(__name__)

DEMO_DB_NAME = "demo-calendar.sqlite3"
DEMO_API_KEY = "klen_demo_readwrite"


@dataclass
class DemoBackend:
    server: EmulatorServer
    api_key: str

    @property
    def base_url(self) -> str:
        return self.server.url

    def stop(self) -> None:
        self.server.stop()


def _calendar_is_stale(server: EmulatorServer, now: datetime) -> bool:
    for event in server.admin.all_events():
        end = datetime.fromisoformat(str(event["end_time"]).replace("Z", "+00:00"))
        if end > now:
            return False
    return True


def start_demo_backend(*, db_name: str = DEMO_DB_NAME) -> DemoBackend:
    """Start the emulator (blocking; call it off the UI thread). Raises OSError when it cannot listen."""
    from klen_desktop.emulator.server import EmulatorServer

    server = EmulatorServer(db_path=data_dir() / db_name, seed="demo").start()
    if _calendar_is_stale(server, datetime.now(UTC)):
        log.info("demo calendar is in the past: reseeding it around today")
        server.admin.reset("demo")
    return DemoBackend(server=server, api_key=DEMO_API_KEY)
