"""The values the controller's intentions exchange with the windows, and the small rules behind them.

Qt-free except for :func:`intention`, the typed ``qasync.asyncSlot`` the controller's slots are declared with.
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, ParamSpec, cast

import qasync

P = ParamSpec("P")

READ_ONLY_REASON = (
    "This API key may read the calendar but not change it (it lacks can_write_calendar). "
    "Create a key with write access in the Klen web app and enter it in Settings."
)
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9 ._-]+")


def intention(*types: type) -> Callable[[Callable[P, Coroutine[Any, Any, None]]], Callable[P, asyncio.Task[None]]]:
    """``qasync.asyncSlot`` with types mypy can follow: calling the slot schedules it and returns its task."""
    return cast(
        Callable[[Callable[P, Coroutine[Any, Any, None]]], Callable[P, asyncio.Task[None]]], qasync.asyncSlot(*types)
    )


@dataclass(frozen=True)
class Access:
    """What the key may do. ``can_write`` None until known; ``reason`` says why writes are off."""

    can_write: bool | None = None
    reason: str | None = None

    @property
    def read_only(self) -> bool:
        return self.can_write is False


class WriteRefused(Exception):
    """A save the controller could not queue; ``field`` names the editor field when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def ics_file_name(title: str, event_id: int) -> str:
    """A file name made from server text that cannot leave the folder it is saved in."""
    stem = _UNSAFE_NAME.sub("-", title).strip(" .-")[:60] or "event"
    return f"{stem}-{event_id}.ics"


class SaveState(StrEnum):
    SENT = "sent"  # on the server
    QUEUED = "queued"  # kept in the outbox; it goes when the server can be reached
    REFUSED = "refused"  # the server said no; the entry waits for the user (fix and resend, or discard)


@dataclass(frozen=True)
class SaveOutcome:
    """What became of one saved draft: ``message`` and ``field`` are the server's words for a refusal (or why
    it is still queued)."""

    seq: int
    state: SaveState
    message: str | None = None
    field: str | None = None


def write_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` through a temporary file in the same folder: never a half-written file."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".klen-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
