"""The agenda's list model: one flat list of rows, a day heading before each local day's events.

The rows are built in :mod:`klen_desktop.ui.agenda.rows`, filtered there rather than in a QSortFilterProxyModel:
a proxy over 10,000 rows calls Python per row per keystroke; one list comprehension over search texts takes a few ms.

Updates are row-level: :meth:`AgendaModel.set_events` diffs the new rows against the shown ones by key (event id,
or the day for a heading) and emits removes, inserts and ``dataChanged`` so the view keeps selection and scroll.
A diff that would take many separate runs (a filter change, a first load over an old list) resets instead, which
the view handles faster than hundreds of small moves.

The rows are those of one range of local days (:meth:`AgendaModel.set_range`, a week as the agenda uses it): what
the list holds is exactly the range the window says it shows. The day and week grids read :attr:`all_facts`.

The events given need not be the whole calendar: the app gives the ones it holds in memory (its week, and those
near now), with the count of the whole cache (``total``), whether they are all of the shown week's (``covered``;
until they are, the page says it is loading rather than "no events"), and the days of the matches of a search
in every week (:meth:`AgendaModel.set_match_days`, read from the cache).

Each row's local day and time texts are made once per event value, in the local zone of that moment. Every update
first compares the zone Python applies now with the one they were made in; after a change (``time.tzset()`` saw a
new ``TZ`` or ``/etc/localtime``) they are all made again, so the days regroup and the times read in the new zone.
"""

from __future__ import annotations

import bisect
import gc
import itertools
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from enum import IntEnum
from typing import Any, NamedTuple

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from klen_desktop.date_texts import second_zone_id
from klen_desktop.event_rules import asks_outcome, join_link
from klen_desktop.store.events import StoredEvent
from klen_desktop.timezone_watch import zone_rules
from klen_desktop.ui.agenda import rows as row_rules
from klen_desktop.ui.agenda.event_facts import RowTexts, row_texts
from klen_desktop.ui.agenda.filters import AgendaAccount, AgendaFilter
from klen_desktop.ui.agenda.rows import DAY_OF, Facts, NowMark, Rows, assign_days, build_rows, prepare_search, sort_key
from klen_desktop.ui.formatting import day_heading

_MAX_RUNS = 64  # more separate inserts/removes than this and a reset is cheaper for the view

Index = QModelIndex | QPersistentModelIndex


class Role(IntEnum):
    KIND = Qt.ItemDataRole.UserRole + 1
    EVENT = Qt.ItemDataRole.UserRole + 2
    DAY = Qt.ItemDataRole.UserRole + 3
    NOW_MARK = Qt.ItemDataRole.UserRole + 4
    JOIN_URL = Qt.ItemDataRole.UserRole + 5
    NEEDS_OUTCOME = Qt.ItemDataRole.UserRole + 6
    IS_TODAY = Qt.ItemDataRole.UserRole + 7
    EVENT_ID = Qt.ItemDataRole.UserRole + 8


class RowKind(IntEnum):
    HEADING = 0
    EVENT = 1


class PaintInfo(NamedTuple):
    event: StoredEvent | None  # None for a day heading
    texts: RowTexts | None
    heading: str
    is_today: bool
    now_mark: NowMark
    join_url: str | None
    needs_outcome: bool
    stripe: str | None = None  # the colour of the event's account, where several are shown


class AgendaModel(QAbstractListModel):
    """Rows of an agenda: ``Role.KIND`` tells a day heading from an event; DisplayRole is plain text."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows = Rows()
        self._row_of: dict[int | date, int] | None = {}
        self._facts: list[Facts] = []
        self._cache: dict[int, Facts] = {}
        self._filter = AgendaFilter()
        self._range: tuple[date, date] | None = None  # first day, and the day after the last
        self._now = datetime.now().astimezone()
        self._loaded = False
        self._zone = (zone_rules(), second_zone_id())
        self._account_of: Callable[[int], str | None] = lambda _event_id: None
        self._colours: dict[str, str] = {}
        self.zone_changes = 0  # how many times the rows were remade for a new local zone
        self._total: int | None = None  # the whole calendar's count, where the events given are a part of it
        self._covered = True
        self._match_days: tuple[AgendaFilter, list[date]] | None = None

    # -- Qt model API -------------------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own default
        return 0 if parent.isValid() else len(self._rows.keys)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self._rows.facts[index.row()] is None:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = index.row()
        rows = self._rows
        if not index.isValid() or not 0 <= row < len(rows.keys):
            return None
        facts = rows.facts[row]
        if role == Qt.ItemDataRole.DisplayRole or role == Qt.ItemDataRole.AccessibleTextRole:
            if facts is None:
                return day_heading(rows.row_days[row], self.today)
            return facts.summary.title if role == Qt.ItemDataRole.DisplayRole else row_rules.spoken_row(facts)
        if role == Role.KIND:
            return RowKind.HEADING if facts is None else RowKind.EVENT
        if role == Role.DAY:
            return rows.row_days[row]
        if role == Role.IS_TODAY:
            return rows.row_days[row] == self.today
        if role == Role.NOW_MARK:
            return rows.now_mark if row == rows.now_row else NowMark.NONE
        if facts is None:
            return None
        if role == Role.EVENT:
            return facts.event
        if role == Role.EVENT_ID:
            return facts.id
        if role == Role.JOIN_URL:
            return join_link(facts.summary, self._now.timestamp())
        if role == Role.NEEDS_OUTCOME:
            return asks_outcome(facts.status, facts.summary.start_time, facts.summary.end_time, self._now)
        return None

    def paint_info(self, row: int) -> PaintInfo:
        """Everything the delegate paints for ``row``, in one call (the delegate runs per visible row per frame)."""
        rows = self._rows
        facts = rows.facts[row]
        mark = rows.now_mark if row == rows.now_row else NowMark.NONE
        day = rows.row_days[row]
        if facts is None:
            return PaintInfo(None, None, day_heading(day, self.today), day == self.today, mark, None, False)
        if facts.texts is None:
            facts.texts = row_texts(facts.event)
        now_ts = self._now.timestamp()
        link = join_link(facts.summary, now_ts)
        outcome = asks_outcome(facts.status, facts.summary.start_time, facts.summary.end_time, self._now)
        stripe = self._colours.get(facts.account)
        return PaintInfo(facts.event, facts.texts, "", day == self.today, mark, link, outcome, stripe)

    # -- inputs -------------------------------------------------------------------------------------------------
    @property
    def today(self) -> date:
        return self._now.date()

    @property
    def loaded(self) -> bool:
        """False until the first :meth:`set_events`: the view shows "loading" rather than "empty"."""
        return self._loaded

    @property
    def filter(self) -> AgendaFilter:
        return self._filter

    @property
    def total_events(self) -> int:
        """Events in the calendar: the count given with the events, else how many were given."""
        return len(self._facts) if self._total is None else self._total

    @property
    def covered(self) -> bool:
        """False while the events given are known not to be all of the shown range's (they are being read)."""
        return self._covered

    @property
    def all_facts(self) -> list[Facts]:
        """Every event given, sorted by start (the time grid filters and lays out the days it shows)."""
        return self._facts

    @property
    def visible_events(self) -> int:
        return len(self._rows.keys) - len(self._rows.days)

    def set_events(
        self, events: Iterable[StoredEvent], now: datetime, *, total: int | None = None, covered: bool = True
    ) -> None:
        """Show ``events`` (any order) as of ``now`` (aware); the view is told only what changed. ``total``: how
        many the whole calendar has, where ``events`` are a part; ``covered``: they hold every event of the range
        shown (False while it is still being read)."""
        self._total, self._covered = total, covered
        old_now = self._now
        self._now = now.astimezone()
        self._check_zone()
        # Tens of thousands of small objects are made here; a full collection in the middle costs more than the
        # whole update, and nothing here makes reference cycles, so the collector waits until it is done.
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._take_events(events)
        finally:
            if collecting:
                gc.enable()
        self._apply(self._rows_now(), old_now=old_now)

    def _take_events(self, events: Iterable[StoredEvent]) -> None:
        cache = self._cache
        fresh: dict[int, Facts] = {}
        facts: list[Facts] = []
        for event in events:
            known = cache.get(event.summary.id)
            if known is None or (known.event is not event and known.event != event):
                known = Facts(event)
                known.account = self._account_of(known.id) or ""
            fresh[known.id] = known
            facts.append(known)
        self._cache = fresh
        facts.sort(key=sort_key)
        assign_days(facts)
        self._facts = facts
        self._loaded = True

    def set_now(self, now: datetime) -> None:
        """Move the "now" line and the "Did it happen?" prompts without new data."""
        old_now = self._now
        self._now = now.astimezone()
        if self._check_zone() and self._loaded:
            self._take_events([f.event for f in self._facts])
        self._apply(self._rows_now(), old_now=old_now)

    def _check_zone(self) -> bool:
        """Forget what was made in another local zone; True if the zone changed since the last update."""
        # The second zone shown beside local times is part of what the rows' texts were made for.
        rules = (zone_rules(), second_zone_id())
        if rules == self._zone:
            return False
        self._zone = rules
        self._cache = {}
        self.zone_changes += 1
        return True

    def set_accounts(self, accounts: Sequence[AgendaAccount], account_of: Callable[[int], str | None]) -> None:
        """The accounts shown, and the account of an event: each event of several accounts gets its colour's
        stripe (one account: no stripe, as before accounts)."""
        self._account_of = account_of
        colours = {account.id: account.colour for account in accounts} if len(accounts) > 1 else {}
        for facts in self._facts:
            facts.account = account_of(facts.id) or ""
        if colours != self._colours:
            self._colours = colours
            if self._rows.keys:
                self.dataChanged.emit(self.index(0), self.index(len(self._rows.keys) - 1))
        if self._loaded:
            self._apply(self._rows_now(), old_now=self._now)

    def account_colour(self, event_id: int) -> str | None:
        """The stripe colour of an event (None: one account, or an event no account claims)."""
        return self._colours.get(self._account_of(event_id) or "")

    def set_filter(self, flt: AgendaFilter) -> None:
        """Show only what ``flt`` lets through (a reset: a filter change replaces most rows)."""
        if flt != self._filter:
            self._filter = flt
            self.beginResetModel()
            self._set_rows(self._rows_now())
            self.endResetModel()

    @property
    def shown_range(self) -> tuple[date, date] | None:
        """The first and the last local day the rows are from (None: every day)."""
        return None if self._range is None else (self._range[0], self._range[1] - timedelta(days=1))

    def set_range(self, first: date, days: int) -> None:
        """Show only the ``days`` local days from ``first`` (a reset: most rows change)."""
        wanted = (first, first + timedelta(days=days))
        if wanted != self._range:
            self._range = wanted
            if self._total is not None:  # the events given are a part: the new range's come with the next set
                self._covered = False
            self.beginResetModel()
            self._set_rows(self._rows_now())
            self.endResetModel()

    def day_of_event(self, event_id: int) -> date | None:
        """The local day an event given (shown or not) is listed under."""
        known = self._cache.get(event_id)
        return None if known is None else known.day

    def matching_days(self) -> list[date]:
        """The day of every event the filter lets through, in any week (ascending): those given by
        :meth:`set_match_days` for this filter, else those of the events given."""
        if self._match_days is not None and self._match_days[0] == self._filter:
            return self._match_days[1]
        return [f.day for f in row_rules.shown_facts(self._facts, self._filter)]

    def set_match_days(self, flt: AgendaFilter, days: list[date]) -> None:
        """The local day of every event of the whole calendar that ``flt`` lets through (ascending), where the
        events given are only a part of it."""
        self._match_days = (flt, days)

    def update_event(self, event: StoredEvent) -> None:
        """Replace one shown event (fresh details, say) in place; unknown ids are ignored."""
        if event.id in self._cache:
            replaced = [event if f.id == event.id else f.event for f in self._facts]
            self.set_events(replaced, self._now, total=self._total, covered=self._covered)

    def prepare_search(self, budget: int = 2000) -> bool:
        """Make the search text of up to ``budget`` more events; True while some are left.

        Called from idle time after a load so the first keystroke in the search box does not pay for 10,000.
        """
        return prepare_search(self._facts, budget)

    # -- lookups ------------------------------------------------------------------------------------------------
    def event_at(self, row: int) -> StoredEvent | None:
        if 0 <= row < len(self._rows.keys):
            facts = self._rows.facts[row]
            return None if facts is None else facts.event
        return None

    def row_of(self, event_id: int) -> int | None:
        if self._row_of is None:
            self._row_of = {key: i for i, key in enumerate(self._rows.keys)}
        return self._row_of.get(event_id)

    def find_event(self, event_id: int) -> StoredEvent | None:
        """The event with this id among all events given, shown or filtered out."""
        known = self._cache.get(event_id)
        return None if known is None else known.event

    def day_of_row(self, row: int) -> date | None:
        return self._rows.row_days[row] if 0 <= row < len(self._rows.keys) else None

    # -- building and diffing -----------------------------------------------------------------------------------
    def _rows_now(self) -> Rows:
        if self._range is None:
            return build_rows(self._facts, self._filter, self._now)
        first, after = self._range
        facts = self._facts
        lo = bisect.bisect_left(facts, first, key=DAY_OF)
        rows = build_rows(facts[lo : bisect.bisect_left(facts, after, lo=lo, key=DAY_OF)], self._filter, self._now)
        if rows.now_row >= 0 and not first <= self.today < after:
            row_rules.drop_heading(rows, self.today)  # the now line's own heading, for a today outside the range
        return rows

    def _timed_rows(self, old_now: datetime) -> list[int] | None:
        """Rows whose look depends on the time and changed since ``old_now`` (an event ended, so "Did it
        happen?" appears and Join goes); ``None`` when the date changed and every heading needs repainting."""
        if old_now.date() != self._now.date():
            return None
        lo, hi = sorted((old_now.timestamp(), self._now.timestamp()))
        if lo == hi:
            return []
        return [i for i, f in enumerate(self._rows.facts) if f is not None and lo < f.end_ts <= hi]

    def _apply(self, new: Rows, *, old_now: datetime) -> None:
        old = self._rows
        if not old.keys or not new.keys:
            if old.keys or new.keys:
                self.beginResetModel()
                self._set_rows(new)
                self.endResetModel()
            return
        if old.keys == new.keys:
            changed = [i for i, (a, b) in enumerate(zip(old.facts, new.facts, strict=True)) if a is not b]
            if (old.now_row, old.now_mark) != (new.now_row, new.now_mark):
                changed += _around((old.now_row, new.now_row), len(new.keys))
            self._set_rows(new)
            self._emit_changed(changed, old_now)
            return
        self._apply_moves(old, new, old_now=old_now)

    def _emit_changed(self, changed: list[int], old_now: datetime) -> None:
        timed = self._timed_rows(old_now)
        if timed is None:
            self.dataChanged.emit(self.index(0), self.index(len(self._rows.keys) - 1))
            return
        for first, last in _ranges(sorted({*changed, *timed})):
            self.dataChanged.emit(self.index(first), self.index(last))

    def _apply_moves(self, old: Rows, new: Rows, *, old_now: datetime) -> None:
        new_at = {key: i for i, key in enumerate(new.keys)}
        old_facts, new_facts = old.facts, new.facts
        removed: list[int] = []
        order: list[int] = []
        for i, key in enumerate(old.keys):
            j = new_at.get(key)
            a = old_facts[i]
            b = None if j is None else new_facts[j]
            # An event whose start moved is removed and inserted again: its place in the order changed.
            if j is None or (a is not None and b is not None and a.start_ts != b.start_ts):
                removed.append(i)
            else:
                order.append(j)
        kept = set(order)
        inserted = [j for j in range(len(new.keys)) if j not in kept]
        if any(a > b for a, b in itertools.pairwise(order)) or _runs(removed) + _runs(inserted) > _MAX_RUNS:
            self.beginResetModel()
            self._set_rows(new)
            self.endResetModel()
            return
        work = Rows()
        work.keys, work.facts, work.row_days = list(old.keys), list(old.facts), list(old.row_days)
        self._rows, self._row_of = work, None
        for first, last in reversed(_ranges(removed)):
            self.beginRemoveRows(QModelIndex(), first, last)
            for part in (work.keys, work.facts, work.row_days):
                del part[first : last + 1]
            self.endRemoveRows()
        for first, last in _ranges(inserted):
            self.beginInsertRows(QModelIndex(), first, last)
            work.keys[first:first] = new.keys[first : last + 1]
            work.facts[first:first] = new.facts[first : last + 1]
            work.row_days[first:first] = new.row_days[first : last + 1]
            self.endInsertRows()
        changed = [j for j in order if work.facts[j] is not new_facts[j]]
        old_mark = (old.keys[old.now_row], old.now_mark) if old.now_row >= 0 else None
        new_mark = (new.keys[new.now_row], new.now_mark) if new.now_row >= 0 else None
        if old_mark != new_mark:  # the now line moved to another row: repaint where it was and where it is
            was = new_at.get(old_mark[0], -1) if old_mark else -1
            changed += _around((was, new.now_row), len(new.keys))
        self._set_rows(new)
        self._emit_changed(changed, old_now)

    def _set_rows(self, rows: Rows) -> None:
        self._rows = rows
        self._row_of = None  # built on the first lookup


def _around(rows: tuple[int, ...], count: int) -> list[int]:
    """The rows that carry the now line (-1: none) and their neighbours: the line's dot reaches a few pixels into
    the row above (or below), which must repaint too or a piece of the old dot stays behind."""
    return sorted({r + step for r in rows if r >= 0 for step in (-1, 0, 1) if 0 <= r + step < count})


def _ranges(indexes: list[int]) -> list[tuple[int, int]]:
    """Sorted indexes as inclusive (first, last) runs of consecutive numbers."""
    runs: list[tuple[int, int]] = []
    for i in indexes:
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _runs(indexes: list[int]) -> int:
    return sum(1 for k, i in enumerate(indexes) if k == 0 or indexes[k - 1] != i - 1)
