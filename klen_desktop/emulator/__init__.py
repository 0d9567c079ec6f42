"""A faithful local server of the documented Klen Calendar API, for demo mode and tests.

Import-light on purpose: the server (Starlette, uvicorn, SQLite) is loaded only when one of the names
below is first used. See ``DECISIONS.md`` for every behaviour the public docs leave open.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from klen_desktop.emulator.admin import EmulatorAdmin
    from klen_desktop.emulator.faults import FaultInjector
    from klen_desktop.emulator.keys import DEMO_KEYS, ApiKeySpec
    from klen_desktop.emulator.requestlog import RequestRecord
    from klen_desktop.emulator.server import EmulatorError, EmulatorServer, PortUnavailable

_EXPORTS = {
    "ApiKeySpec": "klen_desktop.emulator.keys",
    "DEMO_KEYS": "klen_desktop.emulator.keys",
    "EmulatorAdmin": "klen_desktop.emulator.admin",
    "EmulatorError": "klen_desktop.emulator.server",
    "EmulatorServer": "klen_desktop.emulator.server",
    "FaultInjector": "klen_desktop.emulator.faults",
    "PortUnavailable": "klen_desktop.emulator.server",
    "RequestRecord": "klen_desktop.emulator.requestlog",
}

__all__ = [
    "DEMO_KEYS",
    "ApiKeySpec",
    "EmulatorAdmin",
    "EmulatorError",
    "EmulatorServer",
    "FaultInjector",
    "PortUnavailable",
    "RequestRecord",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'klen_desktop.emulator' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
