"""Read the sync window page by page and judge whether the listing was consistent.

The API pages by offset and has no snapshot: an event created, deleted or moved between two page reads shifts
every later page, so a walk can miss an event that still exists. A walk is **consistent** when its pages agree
with themselves: every page reports the same ``count``, no event id appears twice (a shifted page repeats one),
no two ids share a uuid, the walk ended where ``count`` says it should (not at the hard page limit), and every
counted item was seen once, read or rejected, so a page that claims ``count: 3`` with no events is not.

Only consistent walks may say that an event is gone (see :mod:`klen_desktop.sync.window_sync`). Pages are capped by
:func:`klen_desktop.api.client.last_page`: a server that lies about ``pages`` costs at most what its ``count``
allows, and never more than :data:`klen_desktop.api.constants.MAX_PAGES` requests.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from klen_desktop.api.client import KlenClient, last_page
from klen_desktop.api.constants import MAX_PAGES
from klen_desktop.api.models import EventPage, EventSummary, RejectedItem
from klen_desktop.sync.budget import RequestBudget

log = logging.getLogger(__name__)


@dataclass
class Walk:
    """One read of the window. ``problems`` says why it is not consistent (empty when it is)."""

    events: dict[int, EventSummary] = field(default_factory=dict)
    rejected: list[RejectedItem] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    pages: int = 0
    capped: bool = False
    # Stopped after ``max_pages`` with more to read: ``total`` says how many events the listing counts.
    truncated: bool = False
    total: int = 0
    # A listing of some hours found the pages not ordered by start time: such a server is read by whole days.
    unordered: bool = False

    @property
    def consistent(self) -> bool:
        return not self.problems

    @property
    def unnamed_rejections(self) -> bool:
        """True when an unreadable item had no readable id: it may be any cached event."""
        return any(item.id is None for item in self.rejected)

    @property
    def rejected_ids(self) -> set[int]:
        return {item.id for item in self.rejected if item.id is not None}


async def walk_window(
    client: KlenClient,
    budget: RequestBudget,
    start: date,
    end: date,
    page_size: int,
    max_pages: int | None = None,
    *,
    first_fill: bool = False,
) -> Walk:
    """Every page of ``[start, end]`` (the first ``max_pages`` when given), each behind the request budget; raises
    the client's errors. ``first_fill``: the first read of the next days of a new cache, which may use the share
    of the budget kept for the user's writes: none is queued yet, and the user is waiting for these days."""
    walk = Walk()
    counts: set[int] = set()
    uuids: dict[str, int] = {}
    seen_items = 0
    page = 1
    last = MAX_PAGES
    while True:
        await budget.acquire(write=first_fill)
        result = await client.list_events(start_date=start, end_date=end, page=page, limit=page_size)
        walk.pages += 1
        counts.add(result.count)
        seen_items += len(result.events) + len(result.rejected)
        walk.rejected.extend(result.rejected)
        for event in result.events:
            if event.id in walk.events:
                walk.problems.append(f"event {event.id} was listed twice")
                continue
            owner = uuids.setdefault(event.uuid, event.id)
            if owner != event.id:
                # Both cannot be stored (the uuid names one event); keep the first, treat the other as unreadable.
                walk.problems.append(f"events {owner} and {event.id} share a uuid")
                walk.rejected.append(RejectedItem(index=-1, id=event.id, reason=f"uuid shared with event {owner}"))
                continue
            walk.events[event.id] = event
        last = min(last, last_page(result, page_size))
        # A walk that already disagrees with itself cannot be trusted for removals: the rest of its pages
        # would only cost requests (a server repeating page 1 forever is stopped here).
        if walk.problems or (not result.events and not result.rejected) or page >= last:
            break
        if max_pages is not None and page >= max_pages:
            walk.truncated = True
            walk.total = result.count
            return walk
        page += 1
    if walk.problems:
        pass  # stopped early: its counts prove nothing more
    elif len(counts) > 1:
        walk.problems.append(f"the total changed between pages ({', '.join(map(str, sorted(counts)))})")
    elif seen_items != min(counts):
        walk.problems.append(f"{seen_items} events listed where the server counted {min(counts)}")
    if page >= MAX_PAGES and result.pages > MAX_PAGES:
        walk.capped = True
        walk.problems.append(f"the walk was stopped at {MAX_PAGES} pages")
    if walk.problems:
        log.info("the window listing was inconsistent: %s", "; ".join(walk.problems))
    return walk


# Steps back over pages when the listing shifted earlier than the cache expected, before the read gives up.
_MAX_STEPS_BACK = 3
# A read of some hours never needs many pages: one that would is a listing that does not behave.
_MAX_HOURS_PAGES = 20


async def walk_hours(
    client: KlenClient,
    budget: RequestBudget,
    start: date,
    end: date,
    hours: tuple[datetime, datetime],
    skip: int,
    page_size: int,
) -> Walk:
    """The events of ``[start, end]`` whose start time is within ``hours`` (``[since, until)``), read from the
    pages that hold them rather than from page one: the listing is ordered by start time, so when the cache holds
    ``skip`` events of these days before ``since``, they are on the page after those. A page that begins at or
    after ``since`` may have missed some (events before it were removed): the page before it is read too. The
    walk is consistent when its pages agree on ``count``, are ordered by start time, list no id twice and cover
    the hours from before ``since`` to ``until`` (or the listing's end); ``events`` holds only those within them."""
    since, until = hours
    walk = Walk()
    counts: set[int] = set()
    read: dict[int, EventPage] = {}

    async def page_of(number: int) -> EventPage:
        if number not in read:
            await budget.acquire()
            read[number] = await client.list_events(start_date=start, end_date=end, page=number, limit=page_size)
            walk.pages += 1
            counts.add(read[number].count)
        return read[number]

    first = skip // page_size + 1
    result = await page_of(first)
    steps = 0
    while first > 1 and (not result.events or result.events[0].start_time >= since):
        if steps >= _MAX_STEPS_BACK:
            walk.problems.append(f"the listing shifted by more than {_MAX_STEPS_BACK} pages")
            break
        steps += 1
        first = min(first - 1, last_page(result, page_size))
        result = await page_of(first)
    number = first
    listed: list[EventSummary] = []
    while True:
        listed.extend(result.events)
        walk.rejected.extend(result.rejected)
        ended = not result.events or number >= last_page(result, page_size)
        if ended or result.events[-1].start_time >= until or walk.pages >= _MAX_HOURS_PAGES:
            walk.truncated = not ended and result.events[-1].start_time < until
            break
        number += 1
        result = await page_of(number)
    _judge_hours(walk, listed, counts, hours)
    return walk


def _judge_hours(walk: Walk, listed: list[EventSummary], counts: set[int], hours: tuple[datetime, datetime]) -> None:
    since, until = hours
    ids = [event.id for event in listed]
    if len(set(ids)) != len(ids):
        walk.problems.append("an event was listed twice")
    if any(later.start_time < earlier.start_time for earlier, later in itertools.pairwise(listed)):
        walk.unordered = True
        walk.problems.append("the listing is not ordered by start time")
    if len(counts) > 1:
        walk.problems.append(f"the total changed between pages ({', '.join(map(str, sorted(counts)))})")
    if walk.truncated:
        walk.problems.append(f"the hours took more than {_MAX_HOURS_PAGES} pages")
    walk.events = {event.id: event for event in listed if since <= event.start_time < until}
    if walk.problems:
        log.info("the listing of the next hours was inconsistent: %s", "; ".join(walk.problems))
