"""Fixtures of the hostile-data tests: the UI stories' ``make_app`` fixture and harness, reused rather than copied.

They live in tests/ui (its conftest is not visible from here), so that conftest is loaded under its own name.
Apps are shut down by the fixture's teardown and, to be safe with qasync, by each test's ``finally`` too.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
from pathlib import Path

import pytest

_UI = Path(__file__).parents[1] / "ui"
if str(_UI) not in sys.path:
    sys.path.insert(0, str(_UI))

from app_harness import AppHarness, MakeApp, insert_event  # noqa: E402

_spec = importlib.util.spec_from_file_location("ui_stories_conftest", _UI / "conftest.py")
assert _spec is not None and _spec.loader is not None
_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_conftest)
make_app = _conftest.make_app

__all__ = ["AppHarness", "MakeApp", "insert_event", "make_app"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Quit each test's apps inside its own coroutine, as tests/ui does (see its conftest): the UI conftest's
    hook does not run when only this folder is collected, and left running, the apps hang qasync at exit."""
    here = Path(__file__).parent
    for item in items:
        if (
            isinstance(item, pytest.Function)
            and item.path.parent == here
            and "make_app" in item.fixturenames
            and inspect.iscoroutinefunction(item.obj)
            and not getattr(item.obj, "__wrapped__", None)
        ):
            item.obj = _conftest._closing_apps(item.obj)
