"""The exit codes of every command, in one place: ``--help``, the man page and the README list them from here."""

from __future__ import annotations

from enum import IntEnum

from klen_desktop.i18n import N_, _


class Exit(IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2
    NOT_FOUND = 3
    QUEUED = 4
    OFFLINE = 5


MEANINGS: dict[Exit, str] = {
    Exit.OK: N_("done (a change reached the server)"),
    Exit.ERROR: N_("failed; one line on stderr says why (the server refused, the key may only read, …)"),
    Exit.USAGE: N_("wrong arguments, or a quick add that is ambiguous or needs a confirmation it did not get"),
    Exit.NOT_FOUND: N_("no event with that id in the calendar"),
    Exit.QUEUED: N_(
        "saved on this computer, not on the server yet (offline, or waiting for the request limit): "
        "it is sent later by itself"
    ),
    Exit.OFFLINE: N_("the server could not be reached and nothing was changed (free, sync)"),
}


def exit_status_text() -> str:
    """The exit codes as ``--help`` shows them."""
    return _("exit status:") + "\n" + "\n".join(f"  {int(code)}  {_(text)}" for code, text in MEANINGS.items())
