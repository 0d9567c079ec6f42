"""Global shortcuts on X11: a passive key grab on the root window, through python-xlib.

python-xlib is pure Python (nothing to build, bundles as it is) and is what pynput and others grab keys with.
A new keyboard layout (``setxkbmap``, a layout switch that changes the key map) moves keys to other keycodes;
X announces it with MappingNotify, and every combination is grabbed again where its key now is.

The grab is made once per lock-modifier variant (none, CapsLock, NumLock, both): X matches the modifier state
exactly, so without them the shortcut would stop working while NumLock is on. The connection's socket is
watched by the asyncio loop (``add_reader``), so a key press is handled when it arrives, with no polling.

When another client already grabbed the combination, X answers the grab with BadAccess: the grabs made for the
other variants are released and the result is :data:`~.base.TAKEN`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from klen_desktop.i18n import N_, _
from klen_desktop.shortcuts.base import REGISTERED, TAKEN, ActivatedCallback, Outcome, Registration, unsupported
from klen_desktop.shortcuts.keys import KeyCombo

log = logging.getLogger(__name__)


class X11Shortcuts:
    """Grabs on the root window of ``display_name`` (default: ``$DISPLAY``)."""

    name = "x11"

    def __init__(self, on_activated: ActivatedCallback, display_name: str | None = None) -> None:
        self._on_activated = on_activated
        self._display_name = display_name
        self._display: Any = None
        self._root: Any = None
        self._grabs: dict[str, tuple[int, int]] = {}  # action -> (keycode, modifier mask without lock bits)
        self._combos: dict[str, KeyCombo] = {}
        self._lock_masks: tuple[int, ...] = (0,)
        self._ignored = 0

    async def start(self) -> bool:
        try:
            from Xlib import display, error
        except ImportError:
            log.warning("python-xlib is not installed: no global shortcuts on X11")
            return False
        try:
            self._display = display.Display(self._display_name)
        except (error.DisplayError, OSError) as exc:
            log.warning("cannot open the X display for global shortcuts: %s", exc)
            return False
        self._root = self._display.screen().root
        self._read_locks()
        asyncio.get_running_loop().add_reader(self._display.fileno(), self._read_events)
        return True

    def _read_locks(self) -> None:
        from Xlib import X

        num_lock = self._num_lock_mask()
        self._lock_masks = (0, X.LockMask, num_lock, X.LockMask | num_lock) if num_lock else (0, X.LockMask)
        self._ignored = X.LockMask | num_lock

    def _num_lock_mask(self) -> int:
        from Xlib import XK

        code = self._display.keysym_to_keycode(XK.string_to_keysym("Num_Lock"))
        for index, codes in enumerate(self._display.get_modifier_mapping()):
            if code and code in codes:
                return int(1 << index)
        return 0

    def _modifier_mask(self, combo: KeyCombo) -> int:
        from Xlib import X

        masks = {"Ctrl": X.ControlMask, "Alt": X.Mod1Mask, "Shift": X.ShiftMask, "Meta": X.Mod4Mask}
        mask = 0
        for name in combo.modifiers:
            mask |= masks[name]
        return mask

    async def register(self, action: str, combo: KeyCombo) -> Registration:
        if self._display is None:
            return unsupported(action, N_("No X display to grab keys on"))
        await self.unregister(action)
        return self._grab(action, combo)

    def _grab(self, action: str, combo: KeyCombo) -> Registration:
        from Xlib import XK, X, error

        keycode = self._display.keysym_to_keycode(XK.string_to_keysym(combo.keysym_name()))
        if not keycode:
            return Registration(
                Outcome.FAILED, _("This keyboard has no {key} key: choose another.").format(key=combo.key)
            )
        mask = self._modifier_mask(combo)
        catcher = error.CatchError(error.BadAccess)
        for lock in self._lock_masks:
            self._root.grab_key(keycode, mask | lock, False, X.GrabModeAsync, X.GrabModeAsync, onerror=catcher)
        self._display.sync()
        if catcher.get_error() is not None:
            self._ungrab(keycode, mask)
            log.info("global shortcut %s for %s is held by another X client", combo.text(), action)
            return TAKEN
        self._grabs[action] = (keycode, mask)
        self._combos[action] = combo
        return REGISTERED

    def _ungrab(self, keycode: int, mask: int) -> None:
        from Xlib import error

        # Releasing a grab this client does not hold is harmless, but X reports it: keep it out of stderr.
        quiet = error.CatchError()
        for lock in self._lock_masks:
            self._root.ungrab_key(keycode, mask | lock, onerror=quiet)
        self._display.sync()

    async def unregister(self, action: str) -> None:
        self._combos.pop(action, None)
        grab = self._grabs.pop(action, None)
        if grab is not None and self._display is not None:
            self._ungrab(*grab)

    def _read_events(self) -> None:
        from Xlib import X

        try:
            while self._display.pending_events():
                event = self._display.next_event()
                if event.type == X.MappingNotify:
                    self._remap(event)
                if event.type != X.KeyPress:
                    continue
                pressed = (event.detail, event.state & ~self._ignored & 0xFF)
                for action, grab in self._grabs.items():
                    if grab == pressed:
                        self._on_activated(action)
        except Exception:  # a broken connection must not take the loop's reader down with an endless error
            log.exception("the X connection for global shortcuts failed; shortcuts are off")
            self._stop_reading()

    def grabbed_key(self, action: str) -> int | None:
        """The keycode the action's combination is grabbed on now (None: not grabbed); for logs and checks."""
        grab = self._grabs.get(action)
        return grab[0] if grab is not None else None

    def _remap(self, event: Any) -> None:
        """Another keyboard layout (or modifier map): grab each combination again where its key is now."""
        self._display.refresh_keyboard_mapping(event)
        for grab in self._grabs.values():
            self._ungrab(*grab)  # with the lock variants they were made with
        self._grabs.clear()
        self._read_locks()  # NumLock may sit on another modifier now
        for action, combo in list(self._combos.items()):
            result = self._grab(action, combo)
            if not result.ok:
                log.warning("after a keyboard change, the %s shortcut could not be kept: %s", action, result.message)

    def _stop_reading(self) -> None:
        if self._display is not None:
            asyncio.get_running_loop().remove_reader(self._display.fileno())

    async def close(self) -> None:
        if self._display is None:
            return
        for action in list(self._grabs):
            await self.unregister(action)
        self._stop_reading()
        self._display.close()
        self._display = None
