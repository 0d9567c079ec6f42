"""Which global-shortcut backend fits the running session.

Windows and macOS have one each. On Linux, an X11 session grabs keys itself (every X desktop honours a grab);
a Wayland session cannot, so it asks the desktop through the GlobalShortcuts portal, and where neither works
the user is told to bind the app's command in the desktop's own keyboard settings.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from klen_desktop.shortcuts.base import ActivatedCallback, GlobalShortcuts, NoShortcuts


def backend_kind(platform: str = sys.platform, env: Mapping[str, str] = os.environ) -> str:
    """``windows``, ``macos``, ``x11``, ``portal`` or ``none`` for ``platform`` with ``env``."""
    if platform == "win32":
        return "windows"
    if platform == "darwin":
        return "macos"
    wayland = env.get("XDG_SESSION_TYPE") == "wayland" or bool(env.get("WAYLAND_DISPLAY"))
    if wayland:
        return "portal"
    if env.get("DISPLAY"):
        return "x11"
    return "portal" if env.get("DBUS_SESSION_BUS_ADDRESS") else "none"


def choose_backend(
    on_activated: ActivatedCallback, platform: str = sys.platform, env: Mapping[str, str] = os.environ
) -> GlobalShortcuts:
    kind = backend_kind(platform, env)
    if kind == "windows":
        from klen_desktop.shortcuts.windows import WindowsShortcuts

        return WindowsShortcuts(on_activated)
    if kind == "macos":
        from klen_desktop.shortcuts.macos import MacShortcuts

        return MacShortcuts(on_activated)
    if kind == "x11":
        from klen_desktop.shortcuts.x11 import X11Shortcuts

        return X11Shortcuts(on_activated, env.get("DISPLAY"))
    if kind == "portal":
        from klen_desktop.shortcuts.portal import PortalShortcuts

        return PortalShortcuts(on_activated)
    return NoShortcuts()
