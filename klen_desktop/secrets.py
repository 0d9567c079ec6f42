"""The API key's one home: the OS keyring (Secret Service, macOS Keychain, Windows Credential Locker).

Every call goes to a short-lived helper process (:mod:`klen_desktop.key_helper`, the only module that imports
``keyring``), so the libraries behind the keyring never stay resident in the app, and a call that hangs (a locked
Secret Service waiting on its unlock prompt) is ended by killing the helper at the timeout instead of leaving a
worker thread blocked. The UI never waits on it: the helper runs from a worker thread. The key is never logged,
never written to a file, never put on a command line or in an exception message; it crosses only the helper's
pipes.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import subprocess
from collections.abc import Callable
from typing import Any

from klen_desktop import key_helper
from klen_desktop.i18n import N_, _
from klen_desktop.key_helper_runs import ACCOUNT_NAME, SERVICE_NAME, run_helper, take_early_read
from klen_desktop.logging_setup import register_secret

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 10.0


class KeyStoreError(Exception):
    """The keyring could not be used. ``title`` and ``message`` are fit to show as they are."""

    title = N_("Keyring problem")

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class KeyringUnavailable(KeyStoreError):
    title = N_("No keyring available")


class KeyringLocked(KeyStoreError):
    title = N_("Keyring is locked")


class KeyringTimeout(KeyStoreError):
    title = N_("Keyring did not answer")


NO_BACKEND_HELP = N_(
    "Klen Desktop keeps your API key only in the system keyring, and none was found. On Linux install and start a "
    "Secret Service provider (GNOME Keyring: 'sudo apt install gnome-keyring', or KWallet), then log out and in. "
    "Until then the app runs in demo mode."
)


def _error_for(kind: str, error_type: str) -> KeyStoreError:
    """The typed error for the helper's answer ``{"error": kind, "type": error_type}``."""
    error = error_type[:60]
    if kind == key_helper.NO_BACKEND:
        return KeyringUnavailable(_(NO_BACKEND_HELP))
    if kind == key_helper.LOCKED:
        return KeyringLocked(
            _("The system keyring is locked. Unlock it (log in again or open your keyring app) and retry.")
        )
    if kind == key_helper.INIT_FAILED:
        return KeyringUnavailable(
            _("The system keyring could not be opened ({error}).").format(error=error) + " " + _(NO_BACKEND_HELP)
        )
    return KeyStoreError(
        _("The system keyring failed ({error}). Try again, or restart the keyring service.").format(error=error)
    )


class KeyStore:
    """Reads, stores and forgets the API key in the OS keyring, off the calling thread, with a timeout."""

    def __init__(
        self, *, service: str = SERVICE_NAME, account: str = ACCOUNT_NAME, timeout: float = DEFAULT_TIMEOUT_S
    ) -> None:
        self._service = service
        self._account = account
        self._timeout = timeout

    def __repr__(self) -> str:
        return f"KeyStore(service={self._service!r})"

    def for_entry(self, account: str) -> KeyStore:
        """The key under another entry of the same service: each Klen account keeps its key under its own."""
        return KeyStore(service=self._service, account=account, timeout=self._timeout)

    async def _call(self, what: str, op: str, **fields: str) -> Any:
        """The helper's ``ok`` value for ``op`` on this entry; raises :class:`KeyStoreError` subclasses."""
        request = {"op": op, "service": self._service, "account": self._account, **fields}
        early = take_early_read(self._service, self._account) if op == "get" else None
        loop = asyncio.get_running_loop()
        try:
            # The helper is killed at the timeout; the outer wait covers a thread pool that is slow to start it.
            if early is not None:
                run: Callable[[], dict[str, Any]] = functools.partial(early.answer, self._timeout)
            else:
                run = functools.partial(run_helper, request, self._timeout)
            answer = await asyncio.wait_for(loop.run_in_executor(None, run), self._timeout + 5)
        except (TimeoutError, subprocess.TimeoutExpired):
            raise KeyringTimeout(
                _(
                    "The system keyring did not answer within {seconds} s while trying to {what}. "
                    "It may be waiting for you to unlock it."
                ).format(seconds=f"{self._timeout:.0f}", what=_(what))
            ) from None
        except (OSError, ValueError) as exc:
            log.warning("keyring %s failed: %s", what, exc)
            raise _error_for(key_helper.FAILED, type(exc).__name__) from None
        if "error" in answer:
            kind, error_type = str(answer["error"]), str(answer.get("type", ""))
            log.warning("keyring %s failed: %s (%s)", what, kind, error_type[:60])
            raise _error_for(kind, error_type)
        return answer["ok"]

    async def get(self) -> str | None:
        """The stored key, or None when there is none."""
        value = await self._call(N_("read the API key"), "get")
        if not isinstance(value, str) or not value:
            return None
        register_secret(value)  # masked in logs and crash reports from now on, whatever its form
        return value

    async def set(self, api_key: str) -> None:
        api_key = api_key.strip()
        if not api_key or any(ch.isspace() for ch in api_key):
            raise ValueError(_("An API key is one word with no spaces, like klen_…"))
        register_secret(api_key)
        await self._call(N_("store the API key"), "set", key=api_key)
        log.info("secret stored in the system keyring (service %s)", self._service)

    async def delete(self) -> bool:
        """Forget the key. True when one was stored."""
        removed = await self._call(N_("forget the API key"), "delete") is True
        if removed:
            log.info("API key removed from the system keyring")
        return removed
