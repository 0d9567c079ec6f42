"""What the user clicks (an event's details, free slots, an ICS file) meets a hostile answer with a typed error
that says what happened, never an exception from deep inside the decoder."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from raw_http import RawServer, Reply, answer, flood

from klen_desktop.api.errors import KlenError, MalformedResponse
from klen_desktop.core import CoreConfig, CoreServices
from klen_desktop.key_check import check_key

pytestmark = pytest.mark.timeout(60)

DEEP = b"[" * 100_000 + b"]" * 100_000
HUGE_ID = b'{"id": 1000000000000000000000000000000, "uuid": "u", "title": "t"}'
HUGE_COUNT = b'{"count": 1000000000000000000000000000000, "page": 1, "limit": 100, "pages": 1, "events": []}'


@pytest.mark.asyncio
async def test_details_slots_and_ics_fail_with_typed_errors(tmp_path: Path) -> None:
    replies = [answer(200, HUGE_ID), answer(200, DEEP), flood(50_000_000)]
    async with RawServer(replies) as server:
        core = CoreServices(CoreConfig(base_url=server.url, api_key="klen_clicks", db_path=tmp_path / "c.sqlite3"))
        try:
            failures: list[KlenError] = []
            for click in (
                lambda: core.fetch_detail(7),
                lambda: core.availability(date(2027, 3, 1), date(2027, 3, 2), 30),
                lambda: core.download_ics("/calendar/event/x/calendar.ics"),
            ):
                with pytest.raises(KlenError) as caught:
                    await click()
                failures.append(caught.value)
        finally:
            await core.stop()
    assert [type(error) for error in failures] == [MalformedResponse] * 3
    # An integer past 64 bits is that field's problem, named as such; the rest of an answer could still be read.
    assert "field 'id'" in failures[0].message and "beyond 64 bits" in failures[0].message
    assert "not valid JSON" in failures[1].message
    assert "larger than" in failures[2].message


@pytest.mark.parametrize(
    ("reply", "words"),
    [
        (answer(200, DEEP), "not valid JSON"),
        (answer(200, HUGE_COUNT), "beyond 64 bits"),
        (answer(429, {"error": "rate_limit_exceeded"}, [("Retry-After", "1000000000000")]), "(in 1 h)"),
    ],
    ids=["deep-json", "huge-count", "retry-after-10^12"],
)
@pytest.mark.asyncio
async def test_the_key_test_reports_a_hostile_answer_as_a_result(reply: Reply, words: str) -> None:
    async with RawServer([reply]) as server:
        result = await check_key(server.url, "klen_key_under_test", timeout=10)
    assert not result.ok and words in result.message
