"""After a read of many events the app hands the heap's free pages back (klen_desktop.heap); after a small one it
leaves the allocator alone."""

from __future__ import annotations

import pytest
from app_harness import MakeApp, insert_event

from klen_desktop import heap
from klen_desktop.emulator import EmulatorServer
from klen_desktop.ui import controller as controller_module


@pytest.mark.asyncio
@pytest.mark.parametrize(("large_read", "asked"), [(3, True), (1000, False)])
async def test_a_large_read_is_followed_by_giving_the_free_pages_back(
    make_app: MakeApp, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch, large_read: int, asked: bool
) -> None:
    calls: list[bool] = []

    def counted() -> bool:  # the real call, counted
        released = heap.give_back_free_pages()
        calls.append(released)
        return released

    monkeypatch.setattr(controller_module, "give_back_free_pages", counted)
    monkeypatch.setattr(controller_module, "LARGE_READ", large_read)
    for hours in (2, 3, 4):
        insert_event(emulator, f"Call {hours}", hours_from_now=hours)
    app = await make_app()
    await app.synced()
    assert len(app.controller.events) >= 3
    assert bool(calls) is asked
