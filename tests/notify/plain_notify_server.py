"""A notification server without the ``actions`` capability (body text only), as some minimal servers are.

Run as a script on the bus in ``DBUS_SESSION_BUS_ADDRESS``; it owns org.freedesktop.Notifications, numbers
what it is sent and draws nothing. The app must then show reminders in its own card, not as buttons nobody sees.
With ``--text-hints`` its ``Notify`` takes the hints as ``a{ss}``, as some older servers declare them: a call
with the spec's ``a{sv}`` is refused.
"""

import asyncio
import itertools
import sys

from dbus_fast.aio import MessageBus
from dbus_fast.service import ServiceInterface, method, signal

NAME = "klen-test-plain"
TEXT_HINTS_NAME = "klen-test-text-hints"


def notifications(name: str, hints_type: str) -> ServiceInterface:
    """The service, its ``Notify`` taking hints of ``hints_type`` (dbus-fast reads the types from the annotations)."""

    class PlainNotifications(ServiceInterface):
        def __init__(self) -> None:
            super().__init__("org.freedesktop.Notifications")
            self._ids = itertools.count(1)

        @method()
        def GetCapabilities(self) -> "as":  # noqa: F722
            return ["body"]

        @method()
        def GetServerInformation(self) -> "ssss":  # noqa: F821
            return [name, "Klen tests", "1.0", "1.2"]

        @method()
        def Notify(
            self,
            app_name: "s",  # noqa: F821
            replaces_id: "u",  # noqa: F821
            app_icon: "s",  # noqa: F821
            summary: "s",  # noqa: F821
            body: "s",  # noqa: F821
            actions: "as",  # noqa: F722
            hints: hints_type,
            expire_timeout: "i",  # noqa: F821
        ) -> "u":  # noqa: F821
            return replaces_id or next(self._ids)

        @method()
        def CloseNotification(self, identifier: "u") -> "":  # noqa: F821, F722
            self.NotificationClosed(identifier, 3)

        @signal()
        def NotificationClosed(self, identifier: "u", reason: "u") -> "uu":  # noqa: F821
            return [identifier, reason]

        @signal()
        def ActionInvoked(self, identifier: "u", key: "s") -> "us":  # noqa: F821
            return [identifier, key]

    return PlainNotifications()


async def main() -> None:
    bus = await MessageBus().connect()
    text = "--text-hints" in sys.argv
    service = notifications(TEXT_HINTS_NAME, "a{ss}") if text else notifications(NAME, "a{sv}")
    bus.export("/org/freedesktop/Notifications", service)
    await bus.request_name("org.freedesktop.Notifications")
    await bus.wait_for_disconnect()


if __name__ == "__main__":
    asyncio.run(main())
