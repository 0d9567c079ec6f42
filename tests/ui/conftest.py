"""Fixtures of the end-to-end user stories: ``make_app`` starts the real app on the emulator (see app_harness)."""

from __future__ import annotations

import functools
import inspect
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from app_harness import AppFactory, AppHarness
from PySide6.QtWidgets import QApplication

from klen_desktop.app import KlenDesktop
from klen_desktop.clock import Clock
from klen_desktop.emulator import EmulatorServer
from klen_desktop.options import AppOptions
from klen_desktop.secrets import KeyStore
from klen_desktop.session.connection import Connection


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Quit a test's apps inside its own coroutine, while the loop still runs.

    qasync's ``run_until_complete`` processes Qt events once more after the loop stopped; apps still running
    then would have their tasks stepped outside any running loop. Shutting down at the end of the test body
    (pass or fail) leaves nothing behind to step.
    """
    for item in items:
        if (
            isinstance(item, pytest.Function)
            and "make_app" in item.fixturenames
            and inspect.iscoroutinefunction(item.obj)
        ):
            item.obj = _closing_apps(item.obj)


def _closing_apps(test: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    @functools.wraps(test)
    async def run(*args: Any, **kwargs: Any) -> None:
        try:
            await test(*args, **kwargs)
        finally:
            factory = kwargs.get("make_app")
            if isinstance(factory, AppFactory):
                await factory.shutdown_all()

    return run


@pytest_asyncio.fixture
async def make_app(
    qapp: QApplication,
    emulator: EmulatorServer,
    rw_key: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[AppFactory]:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    started: list[KlenDesktop] = []

    async def make(
        key: str | None = None, server: EmulatorServer | None = None, clock: Clock | None = None, demo: bool = False
    ) -> AppHarness:
        target = server or emulator
        options = AppOptions(base_url=target.url, single_instance=False)
        desktop = KlenDesktop(
            qapp,
            options,
            key_store=KeyStore(service=f"klen-desktop-test-{uuid.uuid4().hex[:8]}"),
            prefs_path=tmp_path / "config" / "settings.json",
            clock=clock,
        )
        started.append(desktop)
        desktop.start(Connection(base_url=target.url, api_key=key or rw_key, demo=demo))
        harness = AppHarness(desktop, target)
        await harness.synced()
        return harness

    factory = AppFactory(make, started)
    yield factory
    await factory.shutdown_all()
