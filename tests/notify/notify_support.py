"""Helpers of the notification tests: event builders, captured actions, a recording backend, a D-Bus capture.

``NotifyCapture`` watches the session bus as a monitor (``BecomeMonitor``) and records every ``Notify`` call
the notification server receives, so a test sees exactly what reached dunst (summary, body, actions) without
depending on what other clients of the shared session show meanwhile: it filters by the test's own app name.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from waiting import until

from klen_desktop.api.models import AiAgent, Customer, EventStatus, EventSummary, EventType
from klen_desktop.notify.actions import NotificationActions
from klen_desktop.notify.backend import ServerInfo
from klen_desktop.notify.messages import Message
from klen_desktop.reminders.due import Reminder
from klen_desktop.reminders.snooze import SnoozeChoice
from klen_desktop.store.events import StoredEvent

BASE = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def summary(
    event_id: int = 1,
    start: datetime = BASE,
    *,
    minutes: int = 30,
    title: str | None = None,
    event_type: EventType = EventType.VIDEO_CALL,
    status: EventStatus = EventStatus.CONFIRMED,
    **extra: Any,
) -> EventSummary:
    return EventSummary(
        id=event_id,
        uuid=f"uuid-{event_id}",
        title=title or f"Event {event_id}",
        event_type=event_type,
        status=status,
        start_time=start,
        end_time=start + timedelta(minutes=minutes),
        duration_minutes=minutes,
        **extra,
    )


def stored(event: EventSummary) -> StoredEvent:
    return StoredEvent(summary=event, detail=None, detail_fetched_at=None, local_state=None)


def reminder(event: EventSummary, *, lead: int = 15, late: bool = False, snoozed: bool = False) -> Reminder:
    due = event.start_time - timedelta(minutes=lead)
    return Reminder(event=stored(event), due_at=due, fire_at=due, late=late, snoozed=snoozed)


def agent_booking(event_id: int, start: datetime = BASE, **extra: Any) -> EventSummary:
    extra.setdefault("status", EventStatus.SCHEDULED)
    return summary(
        event_id,
        start,
        created_by_ai_agent=True,
        ai_agent=AiAgent(id=7, name="Ava"),
        customer=Customer(name="Ada Byron", notes="Wants a demo"),
        **extra,
    )


@dataclass
class CapturedActions:
    """Every side effect of the notification center, recorded; ``snooze_impl`` etc. can be replaced."""

    calls: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    snooze_impl: Callable[[int, datetime, SnoozeChoice], Any] | None = None
    confirm_impl: Callable[[int], Any] | None = None
    dismiss_impl: Callable[[int, datetime], Any] | None = None

    def _record(self, name: str, *args: Any) -> None:
        self.calls.append((name, args))

    def named(self, name: str) -> list[tuple[Any, ...]]:
        return [args for n, args in self.calls if n == name]

    async def wait_for(self, name: str, count: int = 1, timeout: float = 10.0) -> list[tuple[Any, ...]]:
        """The arguments of the ``name`` calls, once there are ``count`` of them."""
        await until(
            lambda: len(self.named(name)) >= count,
            f"{count} {name!r} call(s)",
            timeout,
            explain=lambda: f"calls so far: {[n for n, _ in self.calls]}",
        )
        return self.named(name)

    def actions(self) -> NotificationActions:
        async def snooze(event_id: int, due_at: datetime, choice: SnoozeChoice) -> None:
            if self.snooze_impl is not None:
                await self.snooze_impl(event_id, due_at, choice)
            self._record("snooze", event_id, due_at, choice)

        async def dismiss(event_id: int, due_at: datetime) -> None:
            if self.dismiss_impl is not None:
                await self.dismiss_impl(event_id, due_at)
            self._record("dismiss", event_id, due_at)

        async def confirm(event_id: int) -> None:
            if self.confirm_impl is not None:
                await self.confirm_impl(event_id)
            self._record("confirm", event_id)

        return NotificationActions(
            open_url=lambda url: self._record("open_url", url),
            open_event=lambda event_id: self._record("open_event", event_id),
            open_agenda=lambda: self._record("open_agenda"),
            snooze=snooze,
            dismiss=dismiss,
            confirm=confirm,
            show_fallback=lambda r: self._record("show_fallback", r),
            show_starting_now=lambda e: self._record("show_starting_now", e),
            tray_message=lambda title, body: self._record("tray_message", title, body),
            close_windows=lambda event_id: self._record("close_windows", event_id),
        )


class RecordingBackend:
    """A stand-in notification server for the center's own logic (the real one is tested against dunst)."""

    def __init__(self, info: ServerInfo | None = None, *, accepts: bool = True) -> None:
        self.info = info or ServerInfo(available=True, actions=True, markup=True, name="recording")
        self.accepts = accepts
        self.sent: dict[str, Message] = {}
        self.order: list[str] = []
        self.withdrawn: list[str] = []
        self.callbacks: dict[str, tuple[Callable[[str], None], Callable[[], None]]] = {}
        self.probes = 0

    async def probe(self) -> ServerInfo:
        self.probes += 1
        return self.info

    async def send(
        self, message: Message, *, on_action: Callable[[str], None], on_dismissed: Callable[[], None]
    ) -> str | None:
        if not self.accepts:
            return None
        identifier = f"n{len(self.order) + 1}"
        self.sent[identifier] = message
        self.order.append(identifier)
        self.callbacks[identifier] = (on_action, on_dismissed)
        return identifier

    async def withdraw(self, identifier: str) -> None:
        self.withdrawn.append(identifier)

    async def close(self) -> None:
        return None

    @property
    def messages(self) -> list[Message]:
        return [self.sent[i] for i in self.order]

    def press(self, identifier: str, key: str) -> None:
        self.callbacks[identifier][0](key)

    def close_by_user(self, identifier: str) -> None:
        self.callbacks[identifier][1]()


@dataclass(frozen=True)
class Seen:
    """One ``Notify`` call as the server received it; ``actions`` maps key -> label (``default`` included)."""

    app_name: str
    summary: str
    body: str
    actions: dict[str, str]
    urgency: int | None
    at: float = 0.0  # time.monotonic() when the call was seen on the bus
    icon: str = ""
    hints: dict[str, str] = field(default_factory=dict)  # the string-valued hints (desktop-entry, category…)


def text_hints(hints: dict[str, Any]) -> dict[str, str]:
    """The string-valued hints: variants as the spec has them, or plain text where a server declares a{ss}."""
    values = {key: getattr(value, "value", value) for key, value in hints.items()}
    return {key: value for key, value in values.items() if isinstance(value, str)}


class NotifyCapture:
    """Records the ``Notify`` calls on the session bus (as a D-Bus monitor) for one app name."""

    def __init__(self, app_name: str) -> None:
        self.app_name = app_name
        self.seen: list[Seen] = []
        self._bus: Any = None

    async def __aenter__(self) -> NotifyCapture:
        from dbus_fast import Message as DBusMessage
        from dbus_fast import MessageType
        from dbus_fast.aio import MessageBus

        self._bus = await MessageBus().connect()
        rule = "type='method_call',interface='org.freedesktop.Notifications',member='Notify'"
        reply = await self._bus.call(
            DBusMessage(
                destination="org.freedesktop.DBus",
                path="/org/freedesktop/DBus",
                interface="org.freedesktop.DBus.Monitoring",
                member="BecomeMonitor",
                signature="asu",
                body=[[rule], 0],
            )
        )
        assert reply.message_type is not MessageType.ERROR, reply.body

        def handler(msg: Any) -> bool:
            if msg.member == "Notify" and msg.body and msg.body[0] == self.app_name:
                app, _, icon, title, body, actions, hints, _ = msg.body
                urgency = hints.get("urgency")
                self.seen.append(
                    Seen(
                        app_name=app,
                        summary=title,
                        body=body,
                        actions=dict(zip(actions[::2], actions[1::2], strict=True)),
                        urgency=None if urgency is None else int(getattr(urgency, "value", urgency)),
                        at=time.monotonic(),
                        icon=icon,
                        # Variants as the spec has them; plain text where a server declares a{ss}.
                        hints={
                            key: v
                            for key, v in ((k, getattr(v, "value", v)) for k, v in hints.items())
                            if isinstance(v, str)
                        },
                    )
                )
            # Handled: a monitor must never answer (dbus-fast would reply "unknown method" and the bus
            # daemon disconnects a monitor that sends anything).
            return True

        self._bus.add_message_handler(handler)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._bus is not None:
            self._bus.disconnect()

    async def wait_for(self, count: int, timeout: float = 10.0) -> list[Seen]:
        """What was seen, once there are ``count`` notifications."""
        await until(
            lambda: len(self.seen) >= count,
            f"{count} notification(s) from {self.app_name}",
            timeout,
            explain=lambda: f"seen so far: {[seen.summary for seen in self.seen]}",
        )
        return self.seen

    async def settle(self, seconds: float = 0.3) -> list[Seen]:
        """What was seen after a quiet moment: lets a test assert that nothing more arrived."""
        await asyncio.sleep(seconds)
        return self.seen


async def dunst_invoke(pattern: str) -> None:
    """Choose the context-menu line matching ``pattern`` (a grep regex) in dunst, like a user would."""
    from desktop_session import dunst_pick

    dunst_pick(pattern)
    # dunstctl blocks until dunst answers; off the loop, so dunst's ActionInvoked signal is received meanwhile.
    await asyncio.get_running_loop().run_in_executor(
        None, lambda: subprocess.run(["dunstctl", "context"], timeout=10, check=True)
    )
