"""How many buttons each freedesktop notification server shows, and fitting a message's buttons to that.

The spec puts no limit on actions, but servers draw only so many: notification-daemon (GNOME's fallback) lays
out four and silently drops the rest, GNOME Shell and Plasma show three, dunst and mako put every action in a
menu. A reminder has up to six (Join, four Snoozes, Open), so on a server that shows fewer the app offers the
most useful ones (the order of :func:`klen_desktop.notify.messages.reminder_message`) and a "More…" button in
the last slot that opens the app's own reminder card, where every choice is. Nothing here talks to D-Bus.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace

from klen_desktop.i18n import _
from klen_desktop.notify.messages import ActionKind, Button, Message

#: Buttons shown, by the name ``GetServerInformation`` reports; ``None``: every action is reachable.
#: Measured on Debian 12 (xfce4-notifyd 0.7.3, notification-daemon 3.20, dunst 1.9) or from the servers' code.
KNOWN_BUTTON_LIMITS: Mapping[str, int | None] = {
    "dunst": None,  # a context menu (dunstctl context / middle click) lists every action
    "mako": None,  # `makoctl menu`, likewise
    "Xfce Notify Daemon": 6,  # one row that widens to fit; six reminder buttons measured fully visible
    "Notification Daemon": 4,  # the fifth and later are never drawn
    "gnome-shell": 3,  # the shell's banner takes three
    "Plasma": 3,  # KDE's popup shows three and hides the rest
}
#: For a server not in the table: what most servers show, and the fewest of the ones that draw buttons.
DEFAULT_BUTTON_LIMIT = 3


def more_button() -> Button:
    """The last button where a server has no room for all: it opens the card with every choice."""
    return Button(ActionKind.CARD, _("More…"))


def button_limit(name: str, capabilities: Collection[str]) -> int | None:
    """How many buttons the server called ``name`` shows: 0 without the ``actions`` capability, ``None``
    for no limit."""
    if "actions" not in capabilities:
        return 0
    return KNOWN_BUTTON_LIMITS.get(name, DEFAULT_BUTTON_LIMIT)


def fit_buttons(message: Message, limit: int | None) -> Message:
    """``message`` with at most ``limit`` buttons. A reminder cut short keeps its first ``limit - 1`` and
    ends with :func:`more_button` (its card has every choice); any other message just keeps its first ``limit``."""
    if limit is None or len(message.buttons) <= limit:
        return message
    if limit <= 0:
        return replace(message, buttons=())
    if message.event_id is not None and message.due_at is not None:
        return replace(message, buttons=(*message.buttons[: limit - 1], more_button()))
    return replace(message, buttons=message.buttons[:limit])
