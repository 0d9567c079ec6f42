"""The agenda's rows, Qt-free: events sorted and grouped under a heading per local day, filtered, with the
place of the "now" line. Built as parallel lists, which at 10,000 rows is measurably cheaper than an object per row;
:mod:`klen_desktop.ui.agenda.model` diffs successive row sets and tells the view.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from enum import IntEnum

from klen_desktop.event_rules import OPEN_STATUSES
from klen_desktop.store.events import StoredEvent
from klen_desktop.ui.agenda.event_facts import RowTexts, row_texts
from klen_desktop.ui.agenda.filters import ALL_STATUSES, ALL_TYPES, AgendaFilter, search_text


class NowMark(IntEnum):
    """Where the delegate draws the "now" line on a row."""

    NONE = 0
    ABOVE = 1
    BELOW = 2


class Facts:
    """What the model derives from one event, kept while an equal event is shown (cheap polls)."""

    __slots__ = (
        "account",
        "day",
        "end_ts",
        "event",
        "haystack",
        "id",
        "open",
        "start_ts",
        "status",
        "summary",
        "texts",
        "type",
    )

    def __init__(self, event: StoredEvent) -> None:
        summary = event.summary
        self.event = event
        self.summary = summary
        self.id = summary.id
        self.start_ts = summary.start_time.timestamp()
        self.end_ts = summary.end_time.timestamp()
        self.open = summary.status in OPEN_STATUSES
        # Plain strings: filtering compares them 10,000 times per keystroke, and Enum hashing runs in Python.
        self.status: str = summary.status.value
        self.type: str = summary.event_type.value
        self.day: date = _EPOCH  # set by assign_days once the events are sorted
        self.haystack: str | None = None  # the search text, made on the first search
        self.texts: RowTexts | None = None  # made on the first paint
        self.account = ""  # the event's account, set by the model (see AgendaModel.set_accounts)


class Rows:
    """The shown rows as parallel lists (cheaper than an object per row at 10,000 rows)."""

    __slots__ = ("day_rows", "days", "facts", "keys", "now_mark", "now_row", "row_days")

    def __init__(self) -> None:
        self.keys: list[int | date] = []  # event id, or the day of a heading
        self.facts: list[Facts | None] = []
        self.row_days: list[date] = []
        self.days: list[date] = []  # the heading days, ascending
        self.day_rows: list[int] = []  # their rows
        self.now_row = -1
        self.now_mark = NowMark.NONE

    def heading(self, day: date) -> None:
        self.days.append(day)
        self.day_rows.append(len(self.keys))
        self.keys.append(day)
        self.facts.append(None)
        self.row_days.append(day)


def build_rows(facts: Sequence[Facts], flt: AgendaFilter, now: datetime) -> Rows:
    """The rows showing ``facts`` (sorted, days assigned) through ``flt``, with the now line placed for ``now``."""
    rows = Rows()
    keys, row_facts, row_days = rows.keys, rows.facts, rows.row_days
    today = now.date()
    now_ts = now.timestamp()
    current: date | None = None
    # Grouped by day with C-level helpers: this runs on every keystroke in the search box.
    for day, group in itertools.groupby(shown_facts(facts, flt), key=_DAY):
        items = list(group)
        if current is not None and current < today < day and rows.now_row < 0:
            rows.now_row, rows.now_mark = len(keys), NowMark.BELOW
            rows.heading(today)
        current = day
        rows.heading(day)
        first = len(keys)
        keys.extend(map(_ID, items))
        row_facts.extend(items)
        row_days.extend([day] * len(items))
        if day == today:
            later = [i for i, f in enumerate(items) if f.start_ts >= now_ts]
            if later:
                rows.now_row, rows.now_mark = first + later[0], NowMark.ABOVE
            else:
                rows.now_row, rows.now_mark = len(keys) - 1, NowMark.BELOW
    if keys and rows.now_row < 0:  # no events today: a heading for today carries the now line
        at = 0 if row_days[0] > today else len(keys)
        for part, value in ((keys, today), (row_facts, None), (row_days, today)):
            part.insert(at, value)  # type: ignore[arg-type]
        if at == 0:
            rows.days.insert(0, today)
            rows.day_rows = [0] + [r + 1 for r in rows.day_rows]
        else:
            rows.days.append(today)
            rows.day_rows.append(at)
        rows.now_row, rows.now_mark = at, NowMark.BELOW
    return rows


def shown_facts(facts: Sequence[Facts], flt: AgendaFilter) -> Sequence[Facts]:
    """The facts ``flt`` lets through, in order (the search texts are made where missing)."""
    if flt.is_default:
        return facts
    if flt.accounts is not None:
        chosen = flt.accounts
        facts = [f for f in facts if f.account in chosen]
    needle = flt.needle
    if needle:
        for f in facts:
            if f.haystack is None:
                f.haystack = search_text(f.summary)
    if flt.statuses == ALL_STATUSES and flt.types == ALL_TYPES:
        return [f for f in facts if needle in f.haystack] if needle else facts  # type: ignore[operator]
    statuses = {status.value for status in flt.statuses}
    types = {event_type.value for event_type in flt.types}
    # Unknown types and statuses pass only a part of the filter left whole (see filters.matches).
    any_status = flt.statuses == ALL_STATUSES
    any_type = flt.types == ALL_TYPES
    return [
        f
        for f in facts
        if (f.status in statuses or (any_status and f.status not in _STATUS_VALUES))
        and (f.type in types or (any_type and f.type not in _TYPE_VALUES))
        and needle in (f.haystack or "")
    ]


_STATUS_VALUES = frozenset(status.value for status in ALL_STATUSES)
_TYPE_VALUES = frozenset(event_type.value for event_type in ALL_TYPES)


def prepare_search(facts: Sequence[Facts], budget: int) -> bool:
    """Make the search text of up to ``budget`` more events; True while some are left."""
    left = budget
    for f in facts:
        if f.haystack is None:
            if left == 0:
                return True
            f.haystack = search_text(f.summary)
            left -= 1
    return False


_EPOCH = date(1970, 1, 1)
_DAY = DAY_OF = operator.attrgetter("day")
_ID = operator.attrgetter("id")


def sort_key(facts: Facts) -> tuple[float, int]:
    return facts.start_ts, facts.id


def assign_days(facts: list[Facts]) -> None:
    """Set each event's local day; the events are sorted, so the zone is consulted once per day, not per event."""
    day = _EPOCH
    day_end = float("-inf")
    for f in facts:
        if f.start_ts >= day_end:
            day = f.summary.start_time.astimezone().date()
            # Local midnight through the zone's rules (mktime): right across DST changes.
            day_end = datetime.combine(day + timedelta(days=1), time()).astimezone().timestamp()
        f.day = day


def spoken_row(facts: Facts) -> str:
    """What a screen reader says of an event row, all the row shows in reading order:
    "10:00–10:30, Confirmed, Call with Jane Doe, Acme · Office" (a title alone does not say when)."""
    if facts.texts is None:
        facts.texts = row_texts(facts.event)
    texts = facts.texts
    subtitle = texts.subtitle.replace("\u2068", "").replace("\u2069", "")  # the isolates are for drawing, not speech
    return ", ".join(t for t in (texts.time, texts.status, texts.title, subtitle) if t)


def drop_heading(rows: Rows, day: date) -> None:
    """Take out the heading of ``day`` (one without events) and the now line it carries."""
    at = rows.days.index(day)
    row = rows.day_rows[at]
    for part in (rows.keys, rows.facts, rows.row_days):
        del part[row]
    del rows.days[at], rows.day_rows[at]
    rows.day_rows[at:] = [r - 1 for r in rows.day_rows[at:]]
    rows.now_row, rows.now_mark = -1, NowMark.NONE
