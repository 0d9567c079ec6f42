"""Global shortcuts on the test session's real X server: grabbed, pressed with xdotool, refused when taken.

xdotool sends the key through XTEST, as a keyboard would, so the X server itself decides who gets it.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from waiting import until

from klen_desktop.shortcuts.base import Outcome
from klen_desktop.shortcuts.keys import KeyCombo
from klen_desktop.shortcuts.x11 import X11Shortcuts

pytestmark = [pytest.mark.session, pytest.mark.asyncio]


async def press(keys: str) -> None:
    # xdotool blocks until X took the key: run it off the loop, which must keep reading the X connection.
    await asyncio.to_thread(subprocess.run, ["xdotool", "key", "--clearmodifiers", keys], check=True, timeout=10)


async def numlock() -> None:
    await asyncio.to_thread(subprocess.run, ["xdotool", "key", "Num_Lock"], check=True, timeout=10)


@pytest_asyncio.fixture
async def grabs() -> AsyncIterator[tuple[X11Shortcuts, list[str]]]:
    seen: list[str] = []
    backend = X11Shortcuts(seen.append, os.environ["DISPLAY"])
    assert await backend.start()
    try:
        yield backend, seen
    finally:
        await backend.close()


async def test_a_registered_combination_runs_its_action(grabs: tuple[X11Shortcuts, list[str]]) -> None:
    backend, seen = grabs
    result = await backend.register("quick-add", KeyCombo.parse("Ctrl+Alt+K"))
    assert result.ok and result.message == "Registered"
    await press("ctrl+alt+k")
    await until(lambda: seen == ["quick-add"], "the shortcut's action ran")


async def test_it_still_works_with_num_lock_on(grabs: tuple[X11Shortcuts, list[str]]) -> None:
    backend, seen = grabs
    assert (await backend.register("join-next-call", KeyCombo.parse("Ctrl+Alt+J"))).ok
    await numlock()
    try:
        await press("ctrl+alt+j")
        await until(lambda: seen == ["join-next-call"], "the action ran with NumLock on")
    finally:
        await numlock()


async def test_a_combination_another_client_holds_is_refused_clearly(
    grabs: tuple[X11Shortcuts, list[str]],
) -> None:
    backend, _seen = grabs
    other = X11Shortcuts(lambda _action: None, os.environ["DISPLAY"])  # another application, its own connection
    assert await other.start()
    try:
        assert (await other.register("theirs", KeyCombo.parse("Ctrl+Alt+L"))).ok
        result = await backend.register("quick-add", KeyCombo.parse("Ctrl+Alt+L"))
        assert result.outcome is Outcome.TAKEN
        assert result.message.startswith("Already taken by another application")
        # Nothing half-grabbed stays behind: once the other client lets go, the combination can be had.
        await other.unregister("theirs")
        assert (await backend.register("quick-add", KeyCombo.parse("Ctrl+Alt+L"))).ok
    finally:
        await other.close()


async def test_unregistered_and_replaced_combinations_no_longer_run(grabs: tuple[X11Shortcuts, list[str]]) -> None:
    backend, seen = grabs
    assert (await backend.register("quick-add", KeyCombo.parse("Ctrl+Alt+K"))).ok
    assert (await backend.register("quick-add", KeyCombo.parse("Meta+F9"))).ok  # replaces Ctrl+Alt+K
    await press("ctrl+alt+k")
    await press("super+F9")
    await until(lambda: seen == ["quick-add"], "only the new combination ran")
    await backend.unregister("quick-add")
    await press("super+F9")
    await asyncio.sleep(0.3)
    assert seen == ["quick-add"]


async def test_a_new_keyboard_layout_moves_the_grab_with_the_key(grabs: tuple[X11Shortcuts, list[str]]) -> None:
    from Xlib import XK, display

    backend, seen = grabs
    assert (await backend.register("quick-add", KeyCombo.parse("Ctrl+Alt+K"))).ok
    keyboard = display.Display(os.environ["DISPLAY"])  # another client changes the key map, as setxkbmap does
    k, spare = keyboard.keysym_to_keycode(XK.string_to_keysym("k")), 250
    first = keyboard.display.info.min_keycode
    before = keyboard.get_keyboard_mapping(first, keyboard.display.info.max_keycode - first + 1)
    width = len(before[0])
    try:
        # "k" moves from its key to a spare keycode; the old key now types "x".
        keyboard.change_keyboard_mapping(k, [[XK.string_to_keysym("x")] + [0] * (width - 1)])
        keyboard.change_keyboard_mapping(spare, [[XK.string_to_keysym("k")] + [0] * (width - 1)])
        keyboard.sync()
        await until(lambda: backend.grabbed_key("quick-add") == spare, "the grab moved to k's new key")
        await press("ctrl+alt+k")  # xdotool finds k where it is now
        await until(lambda: seen == ["quick-add"], "the action ran from the moved key")
    finally:
        keyboard.change_keyboard_mapping(first, before)
        keyboard.sync()
        keyboard.close()
    await until(lambda: backend.grabbed_key("quick-add") == k, "the grab back on k's own key")
