"""Global shortcuts on macOS: Carbon's ``RegisterEventHotKey``, through ctypes.

Still the only public macOS call that takes a key combination for the whole system without the Accessibility
permission an ``NSEvent`` global monitor needs. The hot-key events arrive on the main thread's run loop, which
Qt's event loop runs, so the handler hands the action to the asyncio loop with ``call_soon``. The Carbon calls
sit behind :class:`CarbonApi`, so the logic is tested on Linux with them replaced (the calls only run on macOS).

Qt names the Command key ``Ctrl`` and the Control key ``Meta`` on macOS; the mapping below follows that, so a
shortcut chosen in Settings is the one pressed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, Protocol

from klen_desktop.i18n import N_, _
from klen_desktop.shortcuts.base import REGISTERED, TAKEN, ActivatedCallback, Outcome, Registration, unsupported
from klen_desktop.shortcuts.keys import KeyCombo

log = logging.getLogger(__name__)

EVENT_HOT_KEY_EXISTS = -9878
CMD_KEY, SHIFT_KEY, OPTION_KEY, CONTROL_KEY = 0x0100, 0x0200, 0x0800, 0x1000
_MODS = {"Ctrl": CMD_KEY, "Shift": SHIFT_KEY, "Alt": OPTION_KEY, "Meta": CONTROL_KEY}
_LETTERS = "ASDFHGZXCV?BQWERYT"  # kVK_ANSI_A (0) ... kVK_ANSI_T (0x11); '?' is 0x0A, the ISO section key
_KEYCODES: dict[str, int] = {ch: code for code, ch in enumerate(_LETTERS) if ch != "?"}
_KEYCODES.update(
    {
        "1": 0x12, "2": 0x13, "3": 0x14, "4": 0x15, "6": 0x16, "5": 0x17, "=": 0x18, "9": 0x19, "7": 0x1A,
        "-": 0x1B, "8": 0x1C, "0": 0x1D, "]": 0x1E, "O": 0x1F, "U": 0x20, "[": 0x21, "I": 0x22, "P": 0x23,
        "Return": 0x24, "L": 0x25, "J": 0x26, "'": 0x27, "K": 0x28, ";": 0x29, "\\": 0x2A, ",": 0x2B, "/": 0x2C,
        "N": 0x2D, "M": 0x2E, ".": 0x2F, "Tab": 0x30, "Space": 0x31, "`": 0x32, "Backspace": 0x33, "Esc": 0x35,
        "F1": 0x7A, "F2": 0x78, "F3": 0x63, "F4": 0x76, "F5": 0x60, "F6": 0x61, "F7": 0x62, "F8": 0x64,
        "F9": 0x65, "F10": 0x6D, "F11": 0x67, "F12": 0x6F, "F13": 0x69, "F14": 0x6B, "F15": 0x71, "F16": 0x6A,
        "F17": 0x40, "F18": 0x4F, "F19": 0x50, "F20": 0x5A, "Ins": 0x72, "Home": 0x73, "PgUp": 0x74,
        "Del": 0x75, "End": 0x77, "PgDown": 0x79, "Left": 0x7B, "Right": 0x7C, "Down": 0x7D, "Up": 0x7E,
    }
)  # fmt: skip


def carbon_key(combo: KeyCombo) -> tuple[int, int] | None:
    """``(modifiers, virtual key code)`` for ``RegisterEventHotKey``; None for a key Macs do not have."""
    code = _KEYCODES.get(combo.key)
    if code is None:
        return None
    mods = 0
    for name in combo.modifiers:
        mods |= _MODS[name]
    return mods, code


class CarbonApi(Protocol):
    def install_handler(self, pressed: Callable[[int], None]) -> None:
        """Call ``pressed(hot key id)`` for every hot key of this application that is pressed."""
        ...

    def register(self, keycode: int, modifiers: int, ident: int) -> tuple[int, object]:
        """``(OSStatus, hot key ref)``; 0 is success."""
        ...

    def unregister(self, ref: object) -> None: ...


class CtypesCarbon(CarbonApi):
    """The real Carbon calls (macOS only)."""

    SIGNATURE = int.from_bytes(b"KLEN", "big")

    def __init__(self) -> None:
        import ctypes
        import ctypes.util

        self._c = ctypes
        path = ctypes.util.find_library("Carbon")
        if path is None:
            raise OSError("the Carbon framework is not available")
        self._carbon: Any = ctypes.CDLL(path)

        class HotKeyId(ctypes.Structure):
            _fields_ = (("signature", ctypes.c_uint32), ("id", ctypes.c_uint32))

        class EventTypeSpec(ctypes.Structure):
            _fields_ = (("eventClass", ctypes.c_uint32), ("eventKind", ctypes.c_uint32))

        self._hot_key_id = HotKeyId
        self._spec = EventTypeSpec(int.from_bytes(b"keyb", "big"), 5)  # kEventHotKeyPressed
        self._carbon.GetApplicationEventTarget.restype = ctypes.c_void_p
        self._target = self._carbon.GetApplicationEventTarget()
        self._handler: Any = None  # kept: ctypes frees a callback that nothing references

    def install_handler(self, pressed: Callable[[int], None]) -> None:
        c = self._c
        handler_type = c.CFUNCTYPE(c.c_int32, c.c_void_p, c.c_void_p, c.c_void_p)

        def on_event(_call: object, event: object, _data: object) -> int:
            hot_key = self._hot_key_id()
            self._carbon.GetEventParameter(
                c.c_void_p(event),  # type: ignore[arg-type,unused-ignore]
                int.from_bytes(b"----", "big"),  # kEventParamDirectObject
                int.from_bytes(b"hkid", "big"),  # typeEventHotKeyID
                None,
                c.sizeof(hot_key),
                None,
                c.byref(hot_key),
            )
            pressed(int(hot_key.id))
            return 0

        self._handler = handler_type(on_event)
        out = c.c_void_p()
        self._carbon.InstallEventHandler(
            c.c_void_p(self._target), self._handler, 1, c.byref(self._spec), None, c.byref(out)
        )

    def register(self, keycode: int, modifiers: int, ident: int) -> tuple[int, object]:
        ref = self._c.c_void_p()
        status = self._carbon.RegisterEventHotKey(
            keycode, modifiers, self._hot_key_id(self.SIGNATURE, ident), self._c.c_void_p(self._target), 0,
            self._c.byref(ref),
        )  # fmt: skip
        return int(status), ref

    def unregister(self, ref: object) -> None:
        self._carbon.UnregisterEventHotKey(ref)


class MacShortcuts:
    """Carbon hot keys; ``api`` replaces the Carbon calls (tests)."""

    name = "macos"

    def __init__(self, on_activated: ActivatedCallback, api: Callable[[], CarbonApi] = CtypesCarbon) -> None:
        self._on_activated = on_activated
        self._make_api = api
        self._api: CarbonApi | None = None
        self._refs: dict[str, tuple[int, object]] = {}  # action -> (id, hot key ref)
        self._next_id = 1

    async def start(self) -> bool:
        loop = asyncio.get_running_loop()
        try:
            api = self._make_api()
            api.install_handler(lambda ident: self._soon(loop, ident))
        except Exception:
            log.exception("Carbon hot keys are not available")
            return False
        self._api = api
        return True

    def _soon(self, loop: asyncio.AbstractEventLoop, ident: int) -> None:
        loop.call_soon(self._pressed, ident)

    def _pressed(self, ident: int) -> None:
        for action, (known, _ref) in self._refs.items():
            if known == ident:
                self._on_activated(action)

    async def register(self, action: str, combo: KeyCombo) -> Registration:
        if self._api is None:
            return unsupported(action, N_("Global shortcuts could not be set up on this Mac"))
        await self.unregister(action)
        key = carbon_key(combo)
        if key is None:
            return Registration(
                Outcome.FAILED, _("A Mac keyboard has no {key} key: choose another.").format(key=combo.key)
            )
        ident, self._next_id = self._next_id, self._next_id + 1
        status, ref = self._api.register(key[1], key[0], ident)
        if status == EVENT_HOT_KEY_EXISTS:
            return TAKEN
        if status != 0:
            return Registration(Outcome.FAILED, f"macOS refused the shortcut (error {status}).")
        self._refs[action] = (ident, ref)
        return REGISTERED

    async def unregister(self, action: str) -> None:
        entry = self._refs.pop(action, None)
        if entry is not None and self._api is not None:
            self._api.unregister(entry[1])

    async def close(self) -> None:
        for action in list(self._refs):
            await self.unregister(action)
        self._api = None
