"""One test per item of "a hostile or broken server never breaks the app", through the real core and the hostile server.

Each test asserts what the app must do whatever the implementation: a typed error or a completed poll, bounded
time and memory, no event reported gone while the server still lists it, a cache that reads back. The UI items
(a bad link in the tray menu, the ICS save dialog) are tested with the UI.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from fake_clock import FakeClock

from hostile.core_polls import HostileCore, build_core, poll, read_back
from hostile.server import EVENTS_PATH, HostileServer, Reply, SeenRequest, event, repeated
from klen_desktop.api.errors import KlenError, RateLimited
from klen_desktop.api.models import EventInput

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(240)]

MB = 1024 * 1024


def spread(count: int, *, first_id: int = 1, now: datetime | None = None) -> list[Any]:
    """``count`` events well inside the sync window: from an hour from now, three hours apart."""
    start = (now or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return [event(first_id + i, start + timedelta(hours=3 * i)) for i in range(count)]


def perturb_pages(server: HostileServer, change: Callable[[dict[str, Any], SeenRequest, int], dict[str, Any]]) -> None:
    """Answer every list request with the sane page as ``change(page, request, n)`` leaves it."""
    server.script(EVENTS_PATH, lambda request, n: Reply.json(change(server.calendar.page(request), request, n)))


@pytest_asyncio.fixture
async def core_of(hostile: HostileServer, tmp_path: Path) -> AsyncIterator[Callable[..., HostileCore]]:
    built: list[HostileCore] = []

    def make(**kwargs: Any) -> HostileCore:
        built.append(build_core(hostile, tmp_path / "cache.sqlite3", **kwargs))
        return built[-1]

    yield make
    for core in built:
        await core.core.stop()


async def synced(core_of: Callable[..., HostileCore], **kwargs: Any) -> HostileCore:
    """A core whose first (baseline) poll against the sane server succeeded."""
    core = core_of(**kwargs)
    first = await poll(core)
    assert first.error is None, first.error
    return core


# -- 1. one event poisons the cache -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end"),
    [
        pytest.param("0500-06-01T10:00:00.000Z", "0500-06-01T11:00:00.000Z", id="year-500"),
        # Year 1 sorts before the window, so the cache prunes it before any read: held before the fix too.
        pytest.param("0001-01-01T00:00:00.000Z", "0001-01-01T01:00:00.000Z", id="year-1"),
    ],
)
async def test_an_event_with_an_implausible_year_leaves_the_rest_synced_and_the_cache_readable(
    hostile: HostileServer, core_of: Callable[..., HostileCore], start: str, end: str
) -> None:
    events = spread(6)
    hostile.calendar.set(events)
    core = await synced(core_of)
    poisoned = events[2].id

    def poison(page: dict[str, Any], _request: SeenRequest, _n: int) -> dict[str, Any]:
        for item in page["events"]:
            if item["id"] == poisoned:
                item["start_time"], item["end_time"] = start, end
        return page

    perturb_pages(hostile, poison)
    bad = await poll(core)
    bad.check_typed()
    cached = read_back(core.db_path)
    assert {e.id for e in events} - {poisoned} <= cached.keys()

    hostile.reset()  # the server fixes the event: the next poll and a restart read everything
    fixed = await poll(core)
    assert fixed.error is None, fixed.error
    assert read_back(core.db_path).keys() == {e.id for e in events}
    await core.core.stop()
    again = await poll(core_of())
    assert again.error is None, again.error


# -- 3. an inconsistent listing deletes events that still exist ---------------------------------------------


def _second_page_empty(page: dict[str, Any], request: SeenRequest, _n: int) -> dict[str, Any]:
    return {**page, "events": []} if request.query.get("page") == "2" else page


def _count_without_events(page: dict[str, Any], _request: SeenRequest, _n: int) -> dict[str, Any]:
    return {**page, "events": []}


def _one_deleted_between_pages(page: dict[str, Any], request: SeenRequest, _n: int) -> dict[str, Any]:
    # Page 1 is read before the first event is deleted, page 2 after: the offsets shift by one and the 101st
    # event, now 100th, is on no page read. The server never deleted anything for good.
    if request.query.get("page") != "2":
        return page
    return {**page, "count": page["count"] - 1, "events": page["events"][1:]}


@pytest.mark.parametrize(
    ("count", "change"),
    [(150, _second_page_empty), (3, _count_without_events), (150, _one_deleted_between_pages)],
    ids=["page-2-empty-under-its-count", "count-3-without-events", "event-shifted-between-pages"],
)
async def test_an_inconsistent_listing_reports_nothing_gone_and_keeps_every_event(
    hostile: HostileServer, core_of: Callable[..., HostileCore], count: int, change: Any
) -> None:
    events = spread(count)
    hostile.calendar.set(events)
    core = await synced(core_of)
    perturb_pages(hostile, change)

    for _ in range(3):  # the listing stays inconsistent for several polls
        outcome = await poll(core)
        outcome.check_typed()
        assert outcome.gone == set(), "events the server still lists were reported gone"
        assert read_back(core.db_path).keys() == {e.id for e in events}


# -- 4. a huge Retry-After kills sync -----------------------------------------------------------------------

HUGE_RETRY_AFTER = ["1000000000", "Fri, 01 Jan 2100 00:00:00 GMT"]


@pytest.mark.parametrize("retry_after", HUGE_RETRY_AFTER, ids=["seconds", "date"])
async def test_a_huge_retry_after_is_a_typed_error_and_the_next_poll_never_breaks_the_loop(
    hostile: HostileServer, core_of: Callable[..., HostileCore], retry_after: str
) -> None:
    # The suite's loop is qasync, the app's: its timers are where an uncapped wait overflowed.
    hostile.calendar.set(spread(3))
    core = await synced(core_of)
    hostile.script(EVENTS_PATH, [Reply.error(429, "rate_limit_exceeded", "Slow down", retry_after=retry_after)])
    limited = await poll(core)
    assert isinstance(limited.error, RateLimited), limited.error

    sync_now = await poll(core, timeout=3.0)  # may wait for a capped pause, but only ever fail in a typed way
    assert sync_now.error is None or isinstance(sync_now.error, KlenError | TimeoutError), sync_now.error


@pytest.mark.parametrize("retry_after", HUGE_RETRY_AFTER, ids=["seconds", "date"])
async def test_sync_now_gets_through_within_two_hours_of_a_huge_retry_after(
    hostile: HostileServer, core_of: Callable[..., HostileCore], retry_after: str
) -> None:
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    hostile.calendar.set(spread(3, now=clock.now()))
    core = await synced(core_of, clock=clock)
    hostile.script(EVENTS_PATH, [Reply.error(429, "rate_limit_exceeded", "Slow down", retry_after=retry_after)])
    assert isinstance((await poll(core)).error, RateLimited)

    sync_now = asyncio.ensure_future(poll(core))
    finished, waited = await advance_until_done(clock, sync_now, hours=2)
    assert finished, f"Sync now still waits after {waited / 3600:.1f} h of the server answering"
    assert sync_now.result().error is None, sync_now.result().error


async def test_a_create_queued_during_a_huge_pause_reaches_the_server_once_within_two_hours(
    hostile: HostileServer, core_of: Callable[..., HostileCore]
) -> None:
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    hostile.calendar.set(spread(2, now=clock.now()))
    core = await synced(core_of, clock=clock)
    hostile.script(EVENTS_PATH, [Reply.error(429, "rate_limit_exceeded", "Slow down", retry_after="1000000000")])
    assert isinstance((await poll(core)).error, RateLimited)
    hostile.script(f"{EVENTS_PATH}/create", Reply.json({"id": 900, "uuid": "u-900", "message": "ok"}), method="POST")
    start = clock.now() + timedelta(days=2)
    await core.core.create(EventInput(title="Queued", start_time=start, end_time=start + timedelta(minutes=30)))

    drain = asyncio.ensure_future(core.core.sender.drain())
    finished, waited = await advance_until_done(clock, drain, hours=2)

    assert finished, f"the queued create still waits after {waited / 3600:.1f} h of the server answering"
    drain.result()
    assert [r.path for r in hostile.requests if r.method == "POST"] == [f"{EVENTS_PATH}/create"]
    assert await core.core.outbox_entries() == []


async def advance_until_done(clock: FakeClock, task: asyncio.Future[Any], *, hours: float) -> tuple[bool, float]:
    """Move the fake clock on, ten minutes at most at a time, until ``task`` ends or ``hours`` have passed.

    Returns whether the task ended by itself and the virtual seconds waited; a task still running is cancelled.
    """
    waited = 0.0
    async with asyncio.timeout(20):
        while not task.done() and waited < hours * 3600:
            if clock.sleepers:
                step = min(600.0, max(0.0, (clock.sleepers[0] - clock.now()).total_seconds())) or 600.0
                clock.advance(step)
                waited += step
            await asyncio.sleep(0.01)  # let the task run up to its next wait
        await asyncio.wait({task}, timeout=5)
    finished = task.done()
    if not finished:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return finished, waited


# -- 5. a slow body hangs sync forever ----------------------------------------------------------------------


async def test_a_body_dripping_one_byte_at_a_time_ends_the_poll_within_70_s(
    hostile: HostileServer, core_of: Callable[..., HostileCore]
) -> None:
    hostile.calendar.set(spread(3))
    core = await synced(core_of)
    page = b'{"count": 0, "page": 1, "limit": 100, "pages": 0, "events": []' + b" " * 300 + b"}"
    # Two bytes a second never trips a read timeout, and the page takes over two minutes.
    hostile.script(EVENTS_PATH, Reply(body=page, drip=(1, 0.5)))

    outcome = await poll(core, timeout=70.0)

    assert isinstance(outcome.error, KlenError) or outcome.error is None, outcome.error
    hostile.reset()
    after = await poll(core, timeout=30.0)
    assert after.error is None, after.error


# -- 6. no size limit on JSON bodies ------------------------------------------------------------------------


@pytest.mark.parametrize("framing", ["content-length", "chunked", "until-close"])
async def test_a_200_mb_answer_costs_under_64_mb_and_ends_in_a_typed_error(
    hostile: HostileServer, core_of: Callable[..., HostileCore], tracing: None, framing: str
) -> None:
    hostile.calendar.set(spread(3))
    core = await synced(core_of)
    total = 200 * MB
    head, tail = b'{"count": 0, "page": 1, "limit": 100, "pages": 0, "events": [], "pad": "', b'"}'
    body = repeated(b"x" * MB, total, head=head, tail=tail)
    length: Any = total if framing == "content-length" else "auto"
    hostile.script(EVENTS_PATH, Reply(body=body, chunked=framing == "chunked", content_length=length))

    outcome = await poll(core, measure_memory=True)

    outcome.check_typed()
    assert outcome.peak_bytes < 64 * MB, f"peak memory rose by {outcome.peak_bytes / MB:.0f} MB"
    assert read_back(core.db_path).keys() == {e.id for e in hostile.calendar.events}


# -- 7. a server that lies about pages ----------------------------------------------------------------------


async def test_a_server_claiming_a_million_pages_is_walked_only_as_far_as_count_and_limit_allow(
    hostile: HostileServer, core_of: Callable[..., HostileCore]
) -> None:
    events = spread(150)
    hostile.calendar.set(events)
    core = await synced(core_of)
    guard = 300  # past this the server fails, so a walk that does not stop by itself still ends

    def endless(request: SeenRequest, n: int) -> Reply:
        if n > guard:
            return Reply.error(500, "server_error", "enough")
        page = hostile.calendar.page(replace_query(request, page="1"))  # the same events on every page
        return Reply.json({**page, "page": int(request.query["page"]), "pages": 1_000_000})

    hostile.reset()
    hostile.script(EVENTS_PATH, endless)

    outcome = await poll(core)

    outcome.check_typed()
    walked = len(hostile.list_requests())
    assert walked <= 50, f"{walked} list requests for a window of 150 events"
    assert outcome.gone == set()


def replace_query(request: SeenRequest, **query: str) -> SeenRequest:
    return replace(request, query={**request.query, **query})


# -- 8. one unknown enum value stops all sync ---------------------------------------------------------------


async def test_unknown_event_type_and_status_are_kept_and_the_window_syncs(
    hostile: HostileServer, core_of: Callable[..., HostileCore]
) -> None:
    events = spread(5)
    hostile.calendar.set(events)
    core = await synced(core_of)

    def novel(page: dict[str, Any], _request: SeenRequest, _n: int) -> dict[str, Any]:
        for item in page["events"]:
            if item["id"] == events[1].id:
                item["event_type"] = "webinar"
            if item["id"] == events[3].id:
                item["status"] = "postponed"
        return page

    perturb_pages(hostile, novel)
    hostile.script(f"{EVENTS_PATH}/*", lambda request, n: Reply.error(404, "not_found", "gone for this test"))

    outcome = await poll(core)

    assert outcome.error is None, outcome.error
    assert outcome.gone == set()
    assert read_back(core.db_path).keys() == {e.id for e in events}


# -- 9. exceptions that escape the typed errors -------------------------------------------------------------


def deep_json(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize(
    "answer",
    [
        Reply(body=deep_json(100_000)),
        Reply(body=b'{"count": 1, "page": 1, "limit": 100, "pages": 1, "events": [' + deep_json(100_000) + b"]}"),
        Reply.error(429, "rate_limit_exceeded", "Slow down", retry_after="1000000000000"),
    ],
    ids=["deep-json", "deep-json-event", "retry-after-10^12"],
)
async def test_answers_that_broke_python_itself_are_typed_errors(
    hostile: HostileServer, core_of: Callable[..., HostileCore], answer: Reply
) -> None:
    hostile.calendar.set(spread(3))
    core = await synced(core_of)
    hostile.script(EVENTS_PATH, [answer])

    outcome = await poll(core)

    assert isinstance(outcome.error, KlenError), outcome.error
    hostile.reset()
    after = await poll(core, timeout=3.0)  # may wait out a (capped) pause, but never fails untyped
    assert after.error is None or isinstance(after.error, KlenError | TimeoutError), after.error


async def test_an_id_of_ten_to_the_thirty_is_typed_and_the_rest_of_the_window_syncs(
    hostile: HostileServer, core_of: Callable[..., HostileCore]
) -> None:
    events = spread(4)
    hostile.calendar.set(events)
    core = await synced(core_of)

    def huge_id(page: dict[str, Any], _request: SeenRequest, _n: int) -> dict[str, Any]:
        page["events"][0]["id"] = 10**30
        return page

    perturb_pages(hostile, huge_id)

    outcome = await poll(core)

    outcome.check_typed()
    assert read_back(core.db_path).keys() >= {e.id for e in events[1:]}
    assert outcome.gone <= {events[0].id}


async def test_an_interactive_detail_read_of_deep_json_is_a_typed_error(
    hostile: HostileServer, core_of: Callable[..., HostileCore]
) -> None:
    events = spread(2)
    hostile.calendar.set(events)
    core = await synced(core_of)
    hostile.script(f"{EVENTS_PATH}/*", Reply(body=deep_json(100_000)))

    with pytest.raises(KlenError):
        await core.core.fetch_detail(events[0].id)
