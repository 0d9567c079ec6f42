"""The API key's one home: the OS keyring (Secret Service, macOS Keychain, Windows Credential Locker).

This is the only module that touches ``keyring``. Every call runs on a worker thread with a timeout, because a
locked Secret Service can block on an unlock prompt and the UI must never wait on it. The key is never logged,
never written to a file and never put in an exception message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TypeVar

from klen_desktop.i18n import N_, _
from klen_desktop.logging_setup import register_secret

log = logging.getLogger(__name__)

SERVICE_NAME = "klen-desktop"
ACCOUNT_NAME = "klen-api-key"
DEFAULT_TIMEOUT_S = 10.0

T = TypeVar("T")


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


def _translate(exc: Exception) -> KeyStoreError:
    import keyring.errors

    if isinstance(exc, keyring.errors.NoKeyringError):
        return KeyringUnavailable(_(NO_BACKEND_HELP))
    if isinstance(exc, keyring.errors.KeyringLocked):
        return KeyringLocked(
            _("The system keyring is locked. Unlock it (log in again or open your keyring app) and retry.")
        )
    if isinstance(exc, keyring.errors.InitError):
        return KeyringUnavailable(
            _("The system keyring could not be opened ({error}).").format(error=type(exc).__name__)
            + " "
            + _(NO_BACKEND_HELP)
        )
    return KeyStoreError(
        _("The system keyring failed ({error}). Try again, or restart the keyring service.").format(
            error=type(exc).__name__
        )
    )


def backend_is_usable() -> bool:
    """True when keyring found a real backend (not the fail or null backend)."""
    import keyring
    from keyring.backends import fail, null

    backend = keyring.get_keyring()
    return not isinstance(backend, fail.Keyring | null.Keyring)


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

    async def _call(self, what: str, fn: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        try:
            return await asyncio.wait_for(loop.run_in_executor(None, fn), self._timeout)
        except TimeoutError:
            raise KeyringTimeout(
                _(
                    "The system keyring did not answer within {seconds} s while trying to {what}. "
                    "It may be waiting for you to unlock it."
                ).format(seconds=f"{self._timeout:.0f}", what=_(what))
            ) from None
        except KeyStoreError:
            raise
        except Exception as exc:
            log.warning("keyring %s failed: %s", what, type(exc).__name__)
            raise _translate(exc) from None

    async def get(self) -> str | None:
        """The stored key, or None when there is none."""

        def read() -> str | None:
            import keyring

            if not backend_is_usable():
                raise KeyringUnavailable(_(NO_BACKEND_HELP))
            try:
                return keyring.get_password(self._service, self._account)
            except Exception as exc:
                # Secret Service: the entry was found, then deleted before it was read (an account just removed).
                if type(exc).__name__ == "ItemNotFoundException":
                    return None
                raise

        value = await self._call(N_("read the API key"), read)
        if value:
            register_secret(value)  # masked in logs and crash reports from now on, whatever its form
        return value or None

    async def set(self, api_key: str) -> None:
        api_key = api_key.strip()
        if not api_key or any(ch.isspace() for ch in api_key):
            raise ValueError(_("An API key is one word with no spaces, like klen_…"))
        register_secret(api_key)

        def write() -> None:
            import keyring

            if not backend_is_usable():
                raise KeyringUnavailable(_(NO_BACKEND_HELP))
            keyring.set_password(self._service, self._account, api_key)

        await self._call(N_("store the API key"), write)
        log.info("secret stored in the system keyring (service %s)", self._service)

    async def delete(self) -> bool:
        """Forget the key. True when one was stored."""

        def remove() -> bool:
            import keyring
            import keyring.errors

            if not backend_is_usable():
                raise KeyringUnavailable(_(NO_BACKEND_HELP))
            try:
                keyring.delete_password(self._service, self._account)
            except keyring.errors.PasswordDeleteError:
                return False
            return True

        removed = await self._call(N_("forget the API key"), remove)
        if removed:
            log.info("API key removed from the system keyring")
        return removed
