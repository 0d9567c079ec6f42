"""What the command line and the running app say over the app's single-instance socket.

One request line and one answer line, each a JSON object ending in ``\\n``, in UTF-8::

    {"v": 1, "command": "next", "args": {}}
    {"v": 1, "exit": 0, "data": {...}}             or   {"v": 1, "exit": 3, "error": "No event 42 …"}

``v`` is the protocol's version: the app answers a request of another version with exit 1 and a sentence saying
so, never by guessing. A request is at most :data:`MAX_REQUEST` bytes, an answer at most :data:`MAX_ANSWER`;
longer lines are refused. The older one-word lines (``raise``, ``quit``, ``token …``) that a second launch sends
are still understood. The socket lives in the user's private runtime folder (0700), and on Linux the app also
checks that the peer runs as the same user (``SO_PEERCRED``).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import field
from pathlib import Path
from typing import Any

import platformdirs

from klen_desktop.command_line.exit_codes import Exit
from klen_desktop.paths import APP_NAME, ensure_private_dir
from klen_desktop.records import record

VERSION = 1
MAX_REQUEST = 64 * 1024
MAX_ANSWER = 8 * 1024 * 1024
# The running app's own actions, for a desktop's keyboard settings to bind where it lets no app bind keys.
APP_ACTIONS = frozenset({"quick-add", "join-next-call"})
COMMANDS = frozenset({"next", "agenda", "add", "status", "cancel", "free", "sync"}) | APP_ACTIONS


class ProtocolError(ValueError):
    """A line that is not a request or answer of this protocol; the text says what was wrong."""


@record
class Request:
    command: str
    args: dict[str, Any] = field(default_factory=dict)

    def encode(self) -> bytes:
        line = json.dumps({"v": VERSION, "command": self.command, "args": self.args}, separators=(",", ":"))
        return line.encode() + b"\n"


@record
class Answer:
    exit: Exit
    data: dict[str, Any] = field(default_factory=dict)
    error: str = ""

    def encode(self) -> bytes:
        body: dict[str, Any] = {"v": VERSION, "exit": int(self.exit)}
        if self.error:
            body["error"] = self.error
        else:
            body["data"] = self.data
        return json.dumps(body, separators=(",", ":")).encode() + b"\n"


def _object(line: bytes, limit: int) -> dict[str, Any]:
    if len(line) > limit:
        raise ProtocolError(f"the line is longer than {limit} bytes")
    try:
        value = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProtocolError(f"the line is not JSON ({type(exc).__name__})") from None
    if not isinstance(value, dict):
        raise ProtocolError("the line is not a JSON object")
    if value.get("v") != VERSION:
        raise ProtocolError(f"protocol version {value.get('v')!r} is not {VERSION}: update Klen Desktop")
    return value


def decode_request(line: bytes) -> Request:
    value = _object(line, MAX_REQUEST)
    command, args = value.get("command"), value.get("args", {})
    if command not in COMMANDS:
        raise ProtocolError(f"unknown command {command!r}")
    if not isinstance(args, dict):
        raise ProtocolError("args is not an object")
    return Request(str(command), args)


def decode_answer(line: bytes) -> Answer:
    value = _object(line, MAX_ANSWER)
    try:
        code = Exit(int(value.get("exit", -1)))
    except (TypeError, ValueError):
        raise ProtocolError(f"unknown exit code {value.get('exit')!r}") from None
    data, error = value.get("data", {}), value.get("error", "")
    if not isinstance(data, dict) or not isinstance(error, str):
        raise ProtocolError("data or error has the wrong type")
    return Answer(code, data, error)


def is_request(line: bytes) -> bool:
    """A JSON request rather than one of the one-word lines of a second launch."""
    return line.lstrip().startswith(b"{")


def runtime_dir() -> Path:
    """The user's private runtime folder for the app (``$XDG_RUNTIME_DIR/klen-desktop`` on Linux)."""
    return ensure_private_dir(Path(platformdirs.user_runtime_dir(APP_NAME, appauthor=False)))


def server_name(folder: Path) -> str:
    """The local socket's name: a file in ``folder``, or on Windows a named pipe per user."""
    if sys.platform == "win32":
        # Named pipes live in one namespace per machine; the user name keeps users apart.
        return f"{APP_NAME}-{os.environ.get('USERNAME', 'user')}"
    return str(folder / "instance.sock")
