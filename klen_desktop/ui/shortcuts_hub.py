"""Keeps the desktop's global shortcuts in step with the preferences, and runs the action of a pressed one.

The backend (:mod:`klen_desktop.shortcuts.chooser`) is started once, on first need: a user who sets no
shortcut never opens an X connection or a portal session. Each :meth:`ShortcutsHub.apply` registers what
changed and keeps, per action, what came of it (``Registered``, ``Already taken by another application``, ...)
for the Settings page. A shortcut the desktop refused is also told in a notification, on Save (Settings has
closed by then) and at start (a combination another application took since): a key that does nothing when
pressed would otherwise leave the user guessing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from klen_desktop.i18n import N_, _
from klen_desktop.settings import Preferences
from klen_desktop.shortcuts.base import GlobalShortcuts, Registration
from klen_desktop.shortcuts.chooser import choose_backend
from klen_desktop.shortcuts.keys import KeyCombo, KeyComboError, parse_or_none
from klen_desktop.ui.shortcuts_actions import ACTIONS, LABELS, PREFERENCE_OF, ShortcutActions

log = logging.getLogger(__name__)

NOT_SET_TITLE = N_("Shortcut not set")


class ShortcutsHub(QObject):
    """``results_changed(dict)``: action -> :class:`Registration` of every action that has a shortcut."""

    results_changed = Signal(object)

    def __init__(
        self,
        actions: ShortcutActions,
        notice: Callable[[str, str], object],
        backend: Callable[[Callable[[str], None]], GlobalShortcuts] = choose_backend,
    ) -> None:
        super().__init__()
        self._actions = actions
        self._notice = notice
        self._make_backend = backend
        self._backend: GlobalShortcuts | None = None
        self._bound: dict[str, KeyCombo] = {}
        self.results: dict[str, Registration] = {}
        self._lock = asyncio.Lock()

    @property
    def backend_name(self) -> str:
        return self._backend.name if self._backend is not None else ""

    def _activated(self, action: str) -> None:
        log.info("global shortcut pressed: %s", action)
        self.run(action)

    def run(self, action: str) -> None:
        """Run ``action`` as its shortcut does (also what a command asking the running app for it should call)."""
        try:
            self._actions.run(action)
        except Exception:  # a key press must never take the app down
            log.exception("the %s shortcut failed", action)

    async def _ensure_backend(self) -> GlobalShortcuts:
        if self._backend is None:
            backend = self._make_backend(self._activated)
            await backend.start()  # when it cannot, each register says why
            self._backend = backend
        return self._backend

    async def apply(self, prefs: Preferences) -> dict[str, Registration]:
        """Bind what ``prefs`` asks for and release the rest; what came of each action's shortcut."""
        async with self._lock:
            wanted = _wanted(prefs)
            refused: list[str] = []
            for action in ACTIONS:
                combo = wanted.get(action)
                if combo == self._bound.get(action) and (combo is None or action in self.results):
                    continue
                if combo is None:
                    if self._backend is not None:
                        await self._backend.unregister(action)
                    self._bound.pop(action, None)
                    self.results.pop(action, None)
                    continue
                result = await (await self._ensure_backend()).register(action, combo)
                self.results[action] = result
                if result.ok:
                    self._bound[action] = combo
                else:
                    self._bound.pop(action, None)
                    refused.append(f"{_(LABELS[action])} ({combo.text()}): {_(result.message)}")
            self.results_changed.emit(dict(self.results))
            if refused:
                self._notice(_(NOT_SET_TITLE), "\n".join(refused))
            return dict(self.results)

    async def close(self) -> None:
        if self._backend is not None:
            await self._backend.close()
            self._backend = None
        self._bound.clear()


def _wanted(prefs: Preferences) -> dict[str, KeyCombo]:
    wanted: dict[str, KeyCombo] = {}
    for action in ACTIONS:
        try:
            combo = parse_or_none(getattr(prefs, PREFERENCE_OF[action]))
        except KeyComboError as exc:  # the file was edited by hand: the shortcut stays off
            log.warning("settings: ignoring the %s shortcut: %s", action, exc)
            continue
        if combo is not None:
            wanted[action] = combo
    return wanted
