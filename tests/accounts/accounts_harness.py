"""What accounts stories share besides fixtures: how an account's session is built, and the type of
``make_sessions``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from fast_sync import FAST_SYNC

from klen_desktop.core import CoreServices
from klen_desktop.session.calendar import CalendarSession
from klen_desktop.session.connection import Connection, core_config
from klen_desktop.settings import Preferences

MakeSessions = Callable[..., Any]


def build_session(connection: Connection, cache: Path) -> CalendarSession:
    """An account's session as the app builds it, with fast sync and no kernel clock watch."""
    config = replace(core_config(connection, Preferences(), cache), sync=FAST_SYNC, kernel_clock_signal=False)
    return CalendarSession(CoreServices(config), probe_access=False)


async def no_demo() -> Connection:
    raise AssertionError("no account of this story is the demo")
