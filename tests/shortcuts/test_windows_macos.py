"""The Windows and macOS backends with the operating system's calls replaced (they only run on those systems).

What is real here: the message-loop thread and its hand-over to the asyncio loop (Windows), the hot-key ids and
the refusals; what is replaced: RegisterHotKey/GetMessage and the Carbon calls, by recorders that answer as the
systems document.
"""

from __future__ import annotations

import queue
from collections.abc import Callable

import pytest
from waiting import until

from klen_desktop.shortcuts.base import Outcome
from klen_desktop.shortcuts.keys import KeyCombo
from klen_desktop.shortcuts.macos import EVENT_HOT_KEY_EXISTS, MacShortcuts
from klen_desktop.shortcuts.windows import (
    ERROR_HOTKEY_ALREADY_REGISTERED,
    MOD_ALT,
    MOD_CONTROL,
    MOD_NOREPEAT,
    WM_HOTKEY,
    WM_QUIT,
    WindowsShortcuts,
)

pytestmark = pytest.mark.asyncio


class FakeUser32:
    """A thread's message queue and the system's table of hot keys, as user32 keeps them."""

    taken: dict[tuple[int, int], str] = {}  # noqa: RUF012 - the system-wide table, shared by every "process"

    def __init__(self) -> None:
        self.messages: queue.SimpleQueue[tuple[int, int]] = queue.SimpleQueue()
        self.mine: dict[int, tuple[int, int]] = {}
        self.threads: set[str] = set()

    def current_thread_id(self) -> int:
        return 42

    def register_hotkey(self, ident: int, modifiers: int, vk: int) -> int:
        import threading

        self.threads.add(threading.current_thread().name)
        if (modifiers & ~MOD_NOREPEAT, vk) in FakeUser32.taken:
            return ERROR_HOTKEY_ALREADY_REGISTERED
        self.mine[ident] = (modifiers & ~MOD_NOREPEAT, vk)
        return 0

    def unregister_hotkey(self, ident: int) -> None:
        self.mine.pop(ident, None)

    def get_message(self) -> tuple[int, int] | None:
        message = self.messages.get()
        return None if message[0] == WM_QUIT else message

    def post_thread_message(self, thread_id: int, message: int) -> None:
        assert thread_id == 42
        self.messages.put((message, 0))

    def press(self, modifiers: int, vk: int) -> None:
        for ident, combo in self.mine.items():
            if combo == (modifiers, vk):
                self.messages.put((WM_HOTKEY, ident))


async def test_windows_hot_keys_run_their_action_from_the_message_loop_thread() -> None:
    user32 = FakeUser32()
    seen: list[str] = []
    backend = WindowsShortcuts(seen.append, api=lambda: user32)
    assert await backend.start()
    try:
        assert (await backend.register("quick-add", KeyCombo.parse("Ctrl+Alt+K"))).ok
        assert user32.threads == {"klen-hotkeys"}  # registered on the thread that reads the queue
        user32.press(MOD_CONTROL | MOD_ALT, ord("K"))
        await until(lambda: seen == ["quick-add"], "the action ran on the loop")
        await backend.unregister("quick-add")
        assert user32.mine == {}
    finally:
        await backend.close()


async def test_windows_refuses_a_combination_another_program_holds() -> None:
    FakeUser32.taken = {(MOD_CONTROL | MOD_ALT, ord("J")): "another program"}
    backend = WindowsShortcuts(lambda _a: None, api=FakeUser32)
    assert await backend.start()
    try:
        result = await backend.register("join-next-call", KeyCombo.parse("Ctrl+Alt+J"))
        assert result.outcome is Outcome.TAKEN and result.message.startswith("Already taken by another application")
    finally:
        FakeUser32.taken = {}
        await backend.close()


class FakeCarbon:
    def __init__(self) -> None:
        self.handler: Callable[[int], None] | None = None
        self.keys: dict[object, tuple[int, int, int]] = {}
        self.taken: set[tuple[int, int]] = set()

    def install_handler(self, pressed: Callable[[int], None]) -> None:
        self.handler = pressed

    def register(self, keycode: int, modifiers: int, ident: int) -> tuple[int, object]:
        if (keycode, modifiers) in self.taken:
            return EVENT_HOT_KEY_EXISTS, None
        ref = object()
        self.keys[ref] = (keycode, modifiers, ident)
        return 0, ref

    def unregister(self, ref: object) -> None:
        del self.keys[ref]

    def press(self, keycode: int, modifiers: int) -> None:
        for code, mods, ident in list(self.keys.values()):
            if (code, mods) == (keycode, modifiers) and self.handler is not None:
                self.handler(ident)


async def test_mac_hot_keys_run_their_action_and_a_held_one_is_refused() -> None:
    carbon = FakeCarbon()
    seen: list[str] = []
    backend = MacShortcuts(seen.append, api=lambda: carbon)
    assert await backend.start()
    assert (await backend.register("quick-add", KeyCombo.parse("Ctrl+Alt+K"))).ok
    carbon.press(0x28, 0x0100 | 0x0800)  # Command+Option+K
    await until(lambda: seen == ["quick-add"], "the action ran on the loop")
    carbon.taken.add((0x26, 0x0100))
    assert (await backend.register("join-next-call", KeyCombo.parse("Ctrl+J"))).outcome is Outcome.TAKEN
    assert (await backend.register("join-next-call", KeyCombo.parse("Ctrl+F24"))).outcome is Outcome.FAILED
    await backend.close()
    assert carbon.keys == {}


async def test_a_mac_without_carbon_says_so() -> None:
    def no_carbon() -> FakeCarbon:
        raise OSError("the Carbon framework is not available")

    backend = MacShortcuts(lambda _a: None, api=no_carbon)
    assert not await backend.start()
    assert (await backend.register("quick-add", KeyCombo.parse("Ctrl+K"))).outcome is Outcome.UNSUPPORTED
