"""Tasks started and not awaited: kept until they end, a failure logged, all ended together on close."""

from __future__ import annotations

import asyncio
import logging

import pytest

from klen_desktop.background_tasks import BackgroundTasks

log = logging.getLogger("tests.background")


async def _fail() -> None:
    raise RuntimeError("boom")


@pytest.mark.asyncio
async def test_a_failed_task_is_logged_once_it_ends_and_let_go(caplog: pytest.LogCaptureFixture) -> None:
    tasks = BackgroundTasks(log, "a test task failed")
    with caplog.at_level(logging.ERROR, logger=log.name):
        task = tasks.spawn(_fail())
        assert tasks.pending == 1
        await asyncio.wait([task])
        await asyncio.sleep(0)  # done callbacks run on the next turn of the loop
    assert tasks.pending == 0
    [record] = caplog.records
    assert record.getMessage() == "a test task failed"
    assert record.exc_info is not None and isinstance(record.exc_info[1], RuntimeError)


@pytest.mark.asyncio
async def test_cancelled_tasks_are_not_failures(caplog: pytest.LogCaptureFixture) -> None:
    tasks = BackgroundTasks(log, "a test task failed")
    with caplog.at_level(logging.ERROR, logger=log.name):
        waiting = [tasks.spawn(asyncio.sleep(60)) for _ in range(3)]
        tasks.cancel_all()
        await asyncio.wait(waiting)
        await asyncio.sleep(0)
    assert all(task.cancelled() for task in waiting)
    assert tasks.pending == 0
    assert not caplog.records


@pytest.mark.asyncio
async def test_settle_lets_quick_tasks_finish_and_cancels_the_rest() -> None:
    tasks = BackgroundTasks(log, "a test task failed")
    quick = tasks.spawn(asyncio.sleep(0.01, result="sent"))
    slow = tasks.spawn(asyncio.sleep(60))
    await tasks.settle(0.5)
    assert quick.result() == "sent"
    await asyncio.wait([slow])
    assert slow.cancelled()
    await tasks.settle(0.5)  # nothing left: returns at once
