"""What the rules stories share besides the ``make_session`` fixture (tests/rules/conftest.py): its type."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from klen_desktop.session.calendar import CalendarSession

MakeSession = Callable[..., AbstractAsyncContextManager[CalendarSession]]
