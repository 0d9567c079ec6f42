"""An attempt whose deadline cannot be set begins no request: no coroutine of one is left behind, never awaited."""

from __future__ import annotations

import gc
import warnings

import httpx
import pytest

from klen_desktop.api.exchange import Exchange
from klen_desktop.api.retry import NO_RETRY


async def no_sleep(_seconds: float) -> None:
    return None


def test_an_attempt_stepped_outside_a_running_loop_begins_no_request() -> None:
    # Qt may step a task while no loop runs (events processed after the loop stopped): asyncio.timeout then fails.
    exchange = Exchange(
        base=httpx.URL("http://127.0.0.1:9"),
        api_key="klen_test_key",
        http=httpx.AsyncClient(),  # never sends: no request is begun
        timeout=httpx.Timeout(5.0),
        retry=NO_RETRY,
        sleep=no_sleep,
        user_agent="klen-desktop-test",
    )
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        call = exchange.json("GET", "/api/v1/calendar/events")
        with pytest.raises(RuntimeError, match="no running event loop"):
            call.send(None)
        call.close()
        del call
        gc.collect()
    assert [str(w.message) for w in seen if "never awaited" in str(w.message)] == []
    assert exchange.requests_sent == 0
