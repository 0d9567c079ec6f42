"""The notification backend of this platform."""

from __future__ import annotations

import sys

from klen_desktop.notify.backend import NotificationBackend
from klen_desktop.notify.messages import APP_NAME


def native_backend(app_name: str = APP_NAME) -> NotificationBackend:
    """The freedesktop service on Linux and the BSDs, desktop-notifier elsewhere (macOS, Windows)."""
    if sys.platform.startswith("linux") or "bsd" in sys.platform:
        from klen_desktop.notify.freedesktop import FreedesktopBackend

        return FreedesktopBackend(app_name)
    from klen_desktop.notify.backend import DesktopNotifierBackend

    return DesktopNotifierBackend(app_name)
