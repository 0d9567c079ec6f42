"""qtbot's waits spin a nested Qt event loop: in a test coroutine they are refused, in a plain test they work."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot


@pytest.mark.asyncio
async def test_a_qtbot_wait_inside_a_coroutine_is_refused_with_the_way_out(qtbot: QtBot) -> None:
    with pytest.raises(RuntimeError, match="signal_caught"):
        qtbot.wait(1)


def test_a_qtbot_wait_in_a_plain_test_still_waits(qtbot: QtBot) -> None:
    qtbot.wait(1)
