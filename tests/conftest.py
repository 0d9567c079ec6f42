"""Suite-wide test setup.

Every ``@pytest.mark.asyncio`` test runs on one session-scoped qasync loop, the same kind of loop the app
runs on; function-scoped qasync loops mixed with pytest-qt were seen to segfault (shared desktop-testing
notes, pitfall 2). Qt runs offscreen unless the real desktop session (``make test``) provides a display.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import hypothesis
import pytest

if TYPE_CHECKING:
    from klen_desktop.store.db import Database

os.environ.setdefault("QT_QPA_PLATFORM", "xcb" if os.environ.get("DISPLAY") else "offscreen")
# The suite reads the app's English texts whatever the machine's language; tests/i18n switch languages themselves.
os.environ["LANGUAGE"] = "en"

pytest_plugins = ["fixtures_emulator"]

# The suite shares a 2-core machine with other work: a property whose examples are slow to draw then is still
# the same property, so hypothesis's "too slow" health check (a failure of the test, not of the code) is off.
hypothesis.settings.register_profile("suite", suppress_health_check=[hypothesis.HealthCheck.too_slow])
hypothesis.settings.load_profile("suite")


def make_qt_loop() -> Any:
    from PySide6.QtWidgets import QApplication

    from klen_desktop.launch import app_event_loop

    app = QApplication.instance() or QApplication([])
    return app_event_loop(app)  # the app's own, with its default executor


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[str, Callable[[], Any]]:
    # Always the same function object: pytest-asyncio keys its session loop on the factory, and a new factory per
    # test would mean a new qasync loop per test, and closed qasync loops segfault in QTimerInfoList::activateTimers.
    return {"qt": make_qt_loop}


def desktop_session_available() -> bool:
    return bool(os.environ.get("DISPLAY") and os.environ.get("DBUS_SESSION_BUS_ADDRESS"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # In CI the real session is mandatory: a skipped desktop test there would hide a broken harness.
    if desktop_session_available():
        return
    if os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason="needs the real desktop session: run `make test`")
    for item in items:
        if item.get_closest_marker("session"):
            item.add_marker(skip)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A fresh cache database file for the test, closed after it."""
    from klen_desktop.store.db import Database

    database = Database(tmp_path / "cache.sqlite3")
    yield database
    database.close()


_NESTED_LOOP_WAITS = ("wait", "waitSignal", "waitSignals", "waitUntil", "waitExposed", "waitActive", "waitCallback")


def _refuse_inside_a_coroutine(name: str, wait: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(*args: Any, **kwargs: Any) -> Any:
        import asyncio

        if asyncio._get_running_loop() is not None:
            raise RuntimeError(
                f"qtbot.{name} spins a nested Qt event loop, which inside a test coroutine loses the app's task "
                "wake-ups and hangs the run at shutdown: use waiting.signal_caught, waiting.exposed, until or sleep"
            )
        return wait(*args, **kwargs)

    return guarded


@pytest.fixture(autouse=True, scope="session")
def _no_nested_qt_loops_in_coroutines() -> Iterator[None]:
    """qtbot's waits stay usable in plain tests and fail loudly in async ones (see waiting.signal_caught)."""
    try:
        from pytestqt.qtbot import QtBot
    except ImportError:  # a run without Qt's test plugin: nothing to guard
        yield
        return
    originals = {name: getattr(QtBot, name) for name in _NESTED_LOOP_WAITS if hasattr(QtBot, name)}
    for name, wait in originals.items():
        setattr(QtBot, name, _refuse_inside_a_coroutine(name, wait))
    yield
    for name, wait in originals.items():
        setattr(QtBot, name, wait)
