"""A minimal org.kde.StatusNotifierWatcher for the test session.

QSystemTrayIcon only checks that this name is on the session bus, then calls RegisterStatusNotifierItem with its
unique bus name; tests read RegisteredStatusNotifierItems to find the app's item. A real desktop's watcher (KDE,
GNOME with the AppIndicator extension) does the same and more.
"""

import asyncio

from dbus_fast import BusType, Message, NameFlag, PropertyAccess
from dbus_fast.aio import MessageBus
from dbus_fast.service import ServiceInterface, dbus_property, method, signal


class Watcher(ServiceInterface):
    def __init__(self, bus: MessageBus) -> None:
        super().__init__("org.kde.StatusNotifierWatcher")
        self.bus = bus
        self.items: list[str] = []

    @method()
    def RegisterStatusNotifierItem(self, service: "s") -> None:  # noqa: F821
        if service not in self.items:
            self.items.append(service)
        print("registered item", service, flush=True)
        self.StatusNotifierItemRegistered(service)

    @method()
    def RegisterStatusNotifierHost(self, service: "s") -> None:  # noqa: F821
        return None

    @dbus_property(access=PropertyAccess.READ)
    def RegisteredStatusNotifierItems(self) -> "as":  # noqa: F722
        return self.items

    @dbus_property(access=PropertyAccess.READ)
    def IsStatusNotifierHostRegistered(self) -> "b":  # noqa: F821
        return True

    @dbus_property(access=PropertyAccess.READ)
    def ProtocolVersion(self) -> "i":  # noqa: F821
        return 0

    @signal()
    def StatusNotifierItemRegistered(self, service: "s") -> "s":  # noqa: F821
        return service

    @signal()
    def StatusNotifierItemUnregistered(self, service: "s") -> "s":  # noqa: F821
        return service

    @signal()
    def StatusNotifierHostRegistered(self) -> None:
        return None


async def main() -> None:
    bus = await MessageBus(bus_type=BusType.SESSION).connect()
    watcher = Watcher(bus)
    bus.export("/StatusNotifierWatcher", watcher)

    def forget_gone(message: object) -> None:
        # Drop items whose owner left the bus, as a real watcher does, so tests see only live items.
        body = getattr(message, "body", None)
        if getattr(message, "member", "") == "NameOwnerChanged" and body and body[2] == "" and body[0] in watcher.items:
            watcher.items.remove(body[0])
            watcher.StatusNotifierItemUnregistered(body[0])

    await bus.call(
        Message(
            destination="org.freedesktop.DBus",
            path="/org/freedesktop/DBus",
            interface="org.freedesktop.DBus",
            member="AddMatch",
            signature="s",
            body=["type='signal',interface='org.freedesktop.DBus',member='NameOwnerChanged'"],
        )
    )
    bus.add_message_handler(forget_gone)
    await bus.request_name("org.kde.StatusNotifierWatcher", NameFlag.DO_NOT_QUEUE)
    print("watcher ready", flush=True)
    await bus.wait_for_disconnect()


asyncio.run(main())
