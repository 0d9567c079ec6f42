"""Testing, saving and forgetting the API key, and the connection each leads to. No Qt.

A saved key is stored in the OS keyring first and only then used: a key that could not be stored is never used,
so a restart cannot find the app on a calendar it has no key for. Forgetting deletes the key and goes back to
the demo calendar. ``connect(key or None)`` is the composition root's: it builds the session of a connection.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace

from klen_desktop.i18n import _
from klen_desktop.key_check import KeyCheck, check_key
from klen_desktop.secrets import KeyStore
from klen_desktop.session.merged import MergedCalendar

Connect = Callable[[str | None], Awaitable[MergedCalendar]]


class KeyChanges:
    """See the module docstring. ``live_base_url``: the real service, which a key is tested against (also from
    demo mode: the key is for the user's real calendar)."""

    def __init__(self, keys: KeyStore, connect: Connect | None, live_base_url: str) -> None:
        self._keys = keys
        self._connect = connect
        self._live_base_url = live_base_url

    async def test(self, api_key: str) -> KeyCheck:
        """What ``api_key`` may do on the live service (read, write); never raises, see :class:`KeyCheck`.

        The answer says where it was tested: from demo mode a typed key goes to a server the app is not showing."""
        check = await check_key(self._live_base_url, api_key.strip())
        tested = _("Tested on the live service ({url}).").format(url=self._live_base_url)
        return replace(check, message=f"{tested} {check.message}")

    async def test_connection(self, session: MergedCalendar) -> KeyCheck:
        """What the connection in use may do (the demo calendar's, or the stored key's); never raises."""
        config = session.config
        check = await check_key(config.base_url, config.api_key)
        if session.demo:
            tested = _("Tested the connection to the demo calendar on this computer.")
        else:
            tested = _("Tested the connection to the live service ({url}).").format(url=config.base_url)
        return replace(check, message=f"{tested} {check.message}")

    async def save(self, api_key: str) -> MergedCalendar | None:
        """Store the key, then the live session to switch to (None when this app builds no sessions).

        Raises :class:`~klen_desktop.secrets.KeyStoreError` when the keyring refused it."""
        await self._keys.set(api_key)
        return await self._connect(api_key.strip()) if self._connect is not None else None

    async def forget(self) -> MergedCalendar | None:
        """Delete the key, then the demo session to switch to."""
        await self._keys.delete()
        return await self._connect(None) if self._connect is not None else None
