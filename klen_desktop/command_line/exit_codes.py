"""The exit codes of every command, in one place: ``--help``, the man page and the README list them from here."""

from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2
    NOT_FOUND = 3
    QUEUED = 4
    OFFLINE = 5


MEANINGS: dict[Exit, str] = {
    Exit.OK: "done (a change reached the server)",
    Exit.ERROR: "failed; one line on stderr says why (the server refused, the key may only read, …)",
    Exit.USAGE: "wrong arguments, or a quick add that is ambiguous or needs a confirmation it did not get",
    Exit.NOT_FOUND: "no event with that id in the calendar",
    Exit.QUEUED: "saved on this computer, not on the server yet (offline, or waiting for the request limit): "
    "it is sent later by itself",
    Exit.OFFLINE: "the server could not be reached and nothing was changed (free, sync)",
}


def exit_status_text() -> str:
    """The exit codes as ``--help`` shows them."""
    return "exit status:\n" + "\n".join(f"  {int(code)}  {text}" for code, text in MEANINGS.items())
