"""The keyring's helper process: reads, stores or forgets one API key for the app, answers, and exits.

The only module that imports ``keyring``. It runs in a short-lived child (``klen-desktop --key-helper``, started by
:class:`klen_desktop.secrets.KeyStore`), because keyring, its backend discovery and the Secret Service backend with
the cryptography it encrypts its session with stay resident in whichever process imports them: about 15 MiB that
the tray app, running all day, needs for a moment at start and when the user changes a key. A child can also be
killed when a locked keyring's unlock prompt is never answered, where a worker thread would stay blocked.

Protocol: one JSON request on stdin, ``{"op": "get" | "set" | "delete", "service": …, "account": …}`` with
``"key"`` for ``set``; one JSON answer on stdout, ``{"ok": value}`` or ``{"error": kind, "type": class name}``
(the kinds are this module's constants). The key travels only through these pipes: never on the command line or in the
environment, which other processes of the user can read.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

HELPER_FLAG = "--key-helper"
MAX_REQUEST_BYTES = 64 * 1024

NO_BACKEND = "no-backend"  # no real keyring: keyring fell back to its fail or null backend
LOCKED = "locked"
INIT_FAILED = "init"  # a backend was found and could not be opened
FAILED = "failed"  # anything else the backend raised
BAD_REQUEST = "bad-request"


class _NoBackend(Exception):
    pass


def _plain_linux_secret_service() -> Any:
    """keyring's own choice on a plain Linux desktop, made without its discovery, or None where that is not
    certain: with no backend configured (PYTHON_KEYRING_BACKEND, keyringrc.cfg) and outside KDE (where keyring
    may prefer KWallet's own interface), it takes the Secret Service whenever one answers. Discovery imports every
    backend, and the macOS one alone looks for its framework with a subprocess: 44 of the helper's 190 ms here."""
    if not sys.platform.startswith("linux") or "PYTHON_KEYRING_BACKEND" in os.environ:
        return None
    if "KDE" in os.environ.get("XDG_CURRENT_DESKTOP", "").upper().split(":"):
        return None
    from keyring.util import platform_

    if (platform_.config_root() / "keyringrc.cfg").exists():
        return None
    from keyring.backends import SecretService

    try:
        SecretService.Keyring.priority  # noqa: B018  (keyring's viability check: raises when none answers)
    except Exception:
        return None
    return SecretService.Keyring()  # type: ignore[no-untyped-call]


def _usable_keyring() -> Any:
    import keyring
    from keyring.backends import fail, null

    backend = _plain_linux_secret_service() or keyring.get_keyring()
    if isinstance(backend, fail.Keyring | null.Keyring):
        raise _NoBackend
    return backend


def _get(service: str, account: str) -> str | None:
    backend = _usable_keyring()
    try:
        value: str | None = backend.get_password(service, account)
    except Exception as exc:
        # Secret Service: the entry was found, then deleted before it was read (an account just removed).
        if type(exc).__name__ == "ItemNotFoundException":
            return None
        raise
    return value


def _set(service: str, account: str, key: str) -> bool:
    _usable_keyring().set_password(service, account, key)
    return True


def _delete(service: str, account: str) -> bool:
    import keyring.errors

    try:
        _usable_keyring().delete_password(service, account)
    except keyring.errors.PasswordDeleteError:
        return False
    return True


def _error_kind(exc: Exception) -> str:
    if isinstance(exc, _NoBackend):
        return NO_BACKEND
    import keyring.errors

    if isinstance(exc, keyring.errors.NoKeyringError):
        return NO_BACKEND
    if isinstance(exc, keyring.errors.KeyringLocked):
        return LOCKED
    if isinstance(exc, keyring.errors.InitError):
        return INIT_FAILED
    return FAILED


def answer(request: object) -> dict[str, Any]:
    """The answer to one request; never raises and never puts the key in an error."""
    if not isinstance(request, dict):
        return {"error": BAD_REQUEST, "type": type(request).__name__}
    op, service, account = request.get("op"), request.get("service"), request.get("account")
    if not isinstance(service, str) or not isinstance(account, str):
        return {"error": BAD_REQUEST, "type": "entry"}
    try:
        if op == "get":
            return {"ok": _get(service, account)}
        if op == "set" and isinstance(request.get("key"), str):
            return {"ok": _set(service, account, request["key"])}
        if op == "delete":
            return {"ok": _delete(service, account)}
    except Exception as exc:
        return {"error": _error_kind(exc), "type": type(exc).__name__}
    return {"error": BAD_REQUEST, "type": str(op)[:40]}


def _read_request() -> bytes:
    # File descriptors, not sys.stdin/stdout: a windowed frozen build on Windows has no Python-level streams.
    chunks: list[bytes] = []
    size = 0
    while size <= MAX_REQUEST_BYTES:
        chunk = os.read(0, 4096)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def serve() -> int:
    """The helper's main: one request from stdin, one answer to stdout."""
    raw = _read_request()
    try:
        request = json.loads(raw) if len(raw) <= MAX_REQUEST_BYTES else None
    except ValueError:
        request = None
    data = json.dumps(answer(request)).encode()
    while data:
        data = data[os.write(1, data) :]
    return 0
