"""Files the user saves from the calendar: a safe suggested name from server text, and an atomic write."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9 ._-]+")


def ics_file_name(title: str, event_id: int) -> str:
    """A file name made from server text that cannot leave the folder it is saved in."""
    stem = _UNSAFE_NAME.sub("-", title).strip(" .-")[:60] or "event"
    return f"{stem}-{event_id}.ics"


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
