"""What every global-shortcut backend promises, and the results it answers with.

A backend binds an *action* (a short id such as ``quick-add``) to a :class:`~.keys.KeyCombo`; when the user
presses it anywhere on the desktop, the backend calls ``on_activated(action)`` on the app's event loop. Binding
again replaces the action's previous combination. Registration answers with a :class:`Registration` whose
message is fit to show next to the shortcut in Settings, so a refusal is never silent.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Protocol

from klen_desktop.i18n import N_, _
from klen_desktop.records import record
from klen_desktop.shortcuts.keys import KeyCombo

# The command a user can bind in the desktop's own keyboard settings where the app cannot grab keys itself: each
# asks the running app to run the action, as its shortcut would.
COMMANDS = {"quick-add": "klen-desktop quick-add", "join-next-call": "klen-desktop join-next-call"}

ActivatedCallback = Callable[[str], None]


class Outcome(Enum):
    REGISTERED = "registered"
    TAKEN = "taken"  # another application holds the combination
    UNSUPPORTED = "unsupported"  # this desktop lets no application bind global shortcuts
    REFUSED = "refused"  # the desktop (or the user, in its dialog) declined this one
    FAILED = "failed"  # something else went wrong; the message says what


@record
class Registration:
    outcome: Outcome
    message: str

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.REGISTERED


REGISTERED = Registration(Outcome.REGISTERED, N_("Registered"))  # N_: translated where shown
TAKEN = Registration(Outcome.TAKEN, N_("Already taken by another application: choose another combination."))


def unsupported(action: str, why: str = N_("This desktop does not allow global shortcuts")) -> Registration:
    """The refusal that tells the user how to get the shortcut anyway: the desktop's own keyboard settings."""
    command = COMMANDS.get(action, "klen-desktop")
    return Registration(
        Outcome.UNSUPPORTED,
        _("{why}: set one in your desktop's keyboard settings with the command `{command}`.").format(
            why=_(why), command=command
        ),
    )


class GlobalShortcuts(Protocol):
    """A way to grab key combinations for the whole desktop. Every method may be called only on the app's loop."""

    name: str

    async def start(self) -> bool:
        """Connect to the platform's service; False (and every register answers UNSUPPORTED) when there is none."""
        ...

    async def register(self, action: str, combo: KeyCombo) -> Registration:
        """Bind ``combo`` to ``action``, replacing what the action had."""
        ...

    async def unregister(self, action: str) -> None:
        """Release the action's combination, if it has one."""
        ...

    async def close(self) -> None:
        """Release everything; the backend is not used again."""
        ...


class NoShortcuts:
    """The backend of a session where nothing can grab keys (no X display, no portal): says so for each action."""

    name = "none"

    def __init__(self, why: str = N_("This desktop does not allow global shortcuts")) -> None:
        self._why = why

    async def start(self) -> bool:
        return False

    async def register(self, action: str, combo: KeyCombo) -> Registration:  # noqa: ARG002 - the protocol's
        return unsupported(action, self._why)

    async def unregister(self, action: str) -> None:  # noqa: ARG002 - the protocol's
        return None

    async def close(self) -> None:
        return None
