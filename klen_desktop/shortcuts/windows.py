"""Global shortcuts on Windows: ``RegisterHotKey`` with a thread of its own that runs the message loop.

A hot key registered without a window posts ``WM_HOTKEY`` to the queue of the thread that registered it, so
registering, unregistering and reading the queue all happen on one thread; the app's loop asks it through
``PostThreadMessage`` and gets the answers back through ``call_soon_threadsafe``. The Win32 calls sit behind
:class:`Win32Api`, so the logic is tested on Linux with them replaced (the calls themselves only run on Windows).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from typing import Any, Protocol

from klen_desktop.i18n import N_, _
from klen_desktop.shortcuts.base import (
    REGISTERED,
    TAKEN,
    ActivatedCallback,
    Outcome,
    Registration,
    unsupported,
)
from klen_desktop.shortcuts.keys import FUNCTION_KEYS, KeyCombo

log = logging.getLogger(__name__)

WM_HOTKEY = 0x0312
WM_APP = 0x8000
WM_QUIT = 0x0012
ERROR_HOTKEY_ALREADY_REGISTERED = 1409
MOD_ALT, MOD_CONTROL, MOD_SHIFT, MOD_WIN, MOD_NOREPEAT = 0x1, 0x2, 0x4, 0x8, 0x4000
_MODS = {"Alt": MOD_ALT, "Ctrl": MOD_CONTROL, "Shift": MOD_SHIFT, "Meta": MOD_WIN}
_VK = {
    "Space": 0x20, "Return": 0x0D, "Esc": 0x1B, "Tab": 0x09, "Backspace": 0x08, "Ins": 0x2D, "Del": 0x2E,
    "Home": 0x24, "End": 0x23, "PgUp": 0x21, "PgDown": 0x22, "Left": 0x25, "Up": 0x26, "Right": 0x27, "Down": 0x28,
    ",": 0xBC, ".": 0xBE, "/": 0xBF, ";": 0xBA, "'": 0xDE, "[": 0xDB, "]": 0xDD, "-": 0xBD, "=": 0xBB,
    "`": 0xC0, "\\": 0xDC,
}  # fmt: skip


def virtual_key(combo: KeyCombo) -> tuple[int, int]:
    """``(modifiers, virtual-key code)`` for ``RegisterHotKey``; held keys do not repeat the action."""
    mods = MOD_NOREPEAT
    for name in combo.modifiers:
        mods |= _MODS[name]
    if combo.key in FUNCTION_KEYS:
        return mods, 0x70 + FUNCTION_KEYS.index(combo.key)
    return mods, _VK.get(combo.key, ord(combo.key))  # letters and digits are their own upper-case code


class Win32Api(Protocol):
    """The few user32/kernel32 calls the backend makes, each on the message-loop thread."""

    def current_thread_id(self) -> int: ...
    def register_hotkey(self, ident: int, modifiers: int, vk: int) -> int:
        """0 on success, else the Win32 error code."""
        ...

    def unregister_hotkey(self, ident: int) -> None: ...
    def get_message(self) -> tuple[int, int] | None:
        """Wait for the next message: ``(message, wParam)``, None on WM_QUIT."""
        ...

    def post_thread_message(self, thread_id: int, message: int) -> None: ...


class CtypesWin32(Win32Api):
    """The real calls, through ctypes (Windows only)."""

    def __init__(self) -> None:
        import ctypes
        from ctypes import wintypes

        self._ctypes = ctypes
        self._user32: Any = ctypes.WinDLL("user32", use_last_error=True)  # type: ignore[attr-defined,unused-ignore]
        self._kernel32: Any = ctypes.WinDLL("kernel32")  # type: ignore[attr-defined,unused-ignore]
        self._msg = wintypes.MSG()

    def current_thread_id(self) -> int:
        return int(self._kernel32.GetCurrentThreadId())

    def register_hotkey(self, ident: int, modifiers: int, vk: int) -> int:
        if self._user32.RegisterHotKey(None, ident, modifiers, vk):
            return 0
        return int(self._ctypes.get_last_error())  # type: ignore[attr-defined,unused-ignore]

    def unregister_hotkey(self, ident: int) -> None:
        self._user32.UnregisterHotKey(None, ident)

    def get_message(self) -> tuple[int, int] | None:
        if self._user32.GetMessageW(self._ctypes.byref(self._msg), None, 0, 0) <= 0:
            return None
        return int(self._msg.message), int(self._msg.wParam)

    def post_thread_message(self, thread_id: int, message: int) -> None:
        self._user32.PostThreadMessageW(thread_id, message, 0, 0)


class WindowsShortcuts:
    """Hot keys on a message-loop thread; ``api`` replaces the Win32 calls (tests)."""

    name = "windows"

    def __init__(self, on_activated: ActivatedCallback, api: Callable[[], Win32Api] = CtypesWin32) -> None:
        self._on_activated = on_activated
        self._make_api = api
        self._api: Win32Api | None = None
        self._thread: threading.Thread | None = None
        self._thread_id = 0
        self._jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._ids: dict[str, int] = {}
        self._next_id = 1
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> bool:
        self._loop = asyncio.get_running_loop()
        ready: asyncio.Future[bool] = self._loop.create_future()
        self._thread = threading.Thread(target=self._run, args=(ready,), name="klen-hotkeys", daemon=True)
        self._thread.start()
        return await asyncio.wait_for(ready, 5)

    def _run(self, ready: asyncio.Future[bool]) -> None:
        loop = self._loop
        assert loop is not None
        try:
            api = self._api = self._make_api()
            self._thread_id = api.current_thread_id()
        except Exception:
            log.exception("the Windows hot-key thread could not start")
            loop.call_soon_threadsafe(ready.set_result, False)
            return
        loop.call_soon_threadsafe(ready.set_result, True)
        while (message := api.get_message()) is not None:
            kind, param = message
            if kind == WM_HOTKEY:
                action = next((a for a, i in self._ids.items() if i == param), None)
                if action is not None:
                    loop.call_soon_threadsafe(self._on_activated, action)
            elif kind == WM_APP:
                while not self._jobs.empty():
                    self._jobs.get()()

    async def _on_thread(self, job: Callable[[Win32Api], Any]) -> Any:
        """Run ``job`` on the message-loop thread and wait for its result."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[Any] = loop.create_future()

        def run() -> None:
            assert self._api is not None
            try:
                result = job(self._api)
            except Exception as exc:
                loop.call_soon_threadsafe(done.set_exception, exc)
            else:
                loop.call_soon_threadsafe(done.set_result, result)

        self._jobs.put(run)
        assert self._api is not None
        self._api.post_thread_message(self._thread_id, WM_APP)
        return await asyncio.wait_for(done, 5)

    async def register(self, action: str, combo: KeyCombo) -> Registration:
        if self._api is None:
            return unsupported(action, N_("Global shortcuts could not be set up on this computer"))
        await self.unregister(action)
        ident, self._next_id = self._next_id, self._next_id + 1
        mods, vk = virtual_key(combo)
        error = await self._on_thread(lambda api: api.register_hotkey(ident, mods, vk))
        if error == ERROR_HOTKEY_ALREADY_REGISTERED:
            return TAKEN
        if error:
            return Registration(Outcome.FAILED, _("Windows refused the shortcut (error {error}).").format(error=error))
        self._ids[action] = ident
        return REGISTERED

    async def unregister(self, action: str) -> None:
        ident = self._ids.pop(action, None)
        if ident is not None and self._api is not None:
            await self._on_thread(lambda api: api.unregister_hotkey(ident))

    async def close(self) -> None:
        if self._api is None:
            return
        for action in list(self._ids):
            await self.unregister(action)
        self._api.post_thread_message(self._thread_id, WM_QUIT)
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join, 5)
        self._api = None
