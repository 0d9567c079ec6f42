"""Diff two snapshots of the sync window into a typed :class:`ChangeSet`.

The API has no change feed, so change sync is "fetch the window, compare it with what the store holds".
:func:`diff_events` is pure and cheap (one pass over two dicts; a model's ``__eq__`` short-circuits on the
same object and compares a tuple of fields otherwise), which lets a 10,000-event window be diffed in milliseconds.

One event can yield several changes at once: an agent that moves a meeting *and* renames it produces a
``MOVED`` and an ``UPDATED(fields={"title"})`` change, so each kind of news is reported exactly once.
A status change to ``cancelled`` is reported as ``CANCELLED`` (the news a user cares about), any other
status change as ``STATUS_CHANGED``. Every change carries the newest copy of the event (the old one for
``GONE``), so applying a change set to the old snapshot rebuilds the new one (:func:`apply_changes`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import field, replace
from datetime import datetime
from enum import StrEnum

from klen_desktop.api.models import EventStatus, EventSummary
from klen_desktop.records import record


class ChangeKind(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    MOVED = "moved"
    STATUS_CHANGED = "status_changed"
    CANCELLED = "cancelled"
    GONE = "gone"


class Origin(StrEnum):
    """Who made the change: the server side (an agent, the web app) or this app's own outbox."""

    REMOTE = "remote"
    LOCAL = "local"


# Fields that are covered by a dedicated kind (or are the identity) and so never listed in UPDATED.
_NOT_FIELDS = frozenset({"id", "start_time", "end_time", "status", "duration_minutes"})
_SUMMARY_FIELDS: tuple[str, ...] = tuple(name for name in EventSummary.model_fields if name not in _NOT_FIELDS)
# Within one event, the order news is told in: what happened to its time and status before the small edits.
_KIND_ORDER = {
    kind: index
    for index, kind in enumerate(
        (
            ChangeKind.CREATED,
            ChangeKind.MOVED,
            ChangeKind.STATUS_CHANGED,
            ChangeKind.CANCELLED,
            ChangeKind.UPDATED,
            ChangeKind.GONE,
        )
    )
}


@record(slots=True)
class Change:
    """One piece of news about one event.

    ``event`` is the newest copy (for ``GONE``: the last copy seen); ``previous`` is the copy before the change
    (``None`` for ``CREATED``). ``fields`` names the changed fields for ``UPDATED`` and is empty otherwise.
    """

    kind: ChangeKind
    event: EventSummary
    previous: EventSummary | None = None
    fields: frozenset[str] = frozenset()
    origin: Origin = Origin.REMOTE

    @property
    def event_id(self) -> int:
        return self.event.id

    @property
    def old_start(self) -> datetime | None:
        return self.previous.start_time if self.previous is not None else None

    @property
    def old_end(self) -> datetime | None:
        return self.previous.end_time if self.previous is not None else None

    @property
    def new_start(self) -> datetime:
        return self.event.start_time

    @property
    def new_end(self) -> datetime:
        return self.event.end_time

    @property
    def old_status(self) -> EventStatus | None:
        return self.previous.status if self.previous is not None else None

    @property
    def new_status(self) -> EventStatus:
        return self.event.status


@record(slots=True)
class ChangeSet:
    """The changes found by one sync, ordered by event id then kind. Empty (falsy) when nothing changed."""

    changes: tuple[Change, ...] = field(default_factory=tuple)

    def __bool__(self) -> bool:
        return bool(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def __iter__(self) -> Iterator[Change]:
        return iter(self.changes)

    def of_kind(self, kind: ChangeKind) -> tuple[Change, ...]:
        return tuple(change for change in self.changes if change.kind is kind)

    def for_event(self, event_id: int) -> tuple[Change, ...]:
        return tuple(change for change in self.changes if change.event.id == event_id)

    @property
    def event_ids(self) -> frozenset[int]:
        return frozenset(change.event.id for change in self.changes)

    @property
    def remote(self) -> ChangeSet:
        """Only the changes made elsewhere: what the UI should announce."""
        return ChangeSet(tuple(change for change in self.changes if change.origin is Origin.REMOTE))

    def mark_local(self, is_local: Callable[[int], bool]) -> ChangeSet:
        """A copy where changes to events for which ``is_local(id)`` holds have ``origin=LOCAL``."""
        return ChangeSet(
            tuple(replace(change, origin=Origin.LOCAL) if is_local(change.event.id) else change for change in self)
        )


def changed_fields(old: EventSummary, new: EventSummary) -> frozenset[str]:
    """The UPDATED-kind fields that differ between two copies of one event (times and status excluded)."""
    return frozenset(name for name in _SUMMARY_FIELDS if getattr(old, name) != getattr(new, name))


def _changes_for(old: EventSummary, new: EventSummary) -> Iterable[Change]:
    moved = old.start_time != new.start_time or old.end_time != new.end_time
    if moved:
        yield Change(ChangeKind.MOVED, new, old)
    if old.status != new.status:
        kind = ChangeKind.CANCELLED if new.status is EventStatus.CANCELLED else ChangeKind.STATUS_CHANGED
        yield Change(kind, new, old)
    fields = changed_fields(old, new)
    # duration follows the times; on its own (a server recomputing it) it is still a difference to carry.
    if not moved and old.duration_minutes != new.duration_minutes:
        fields |= {"duration_minutes"}
    if fields:
        yield Change(ChangeKind.UPDATED, new, old, fields)


def diff_events(old: Mapping[int, EventSummary], new: Mapping[int, EventSummary]) -> ChangeSet:
    """Everything that changed from ``old`` to ``new`` (both keyed by event id). Pure; ``diff(x, x)`` is empty."""
    changes: list[Change] = []
    for event_id, new_event in new.items():
        old_event = old.get(event_id)
        if old_event is None:
            changes.append(Change(ChangeKind.CREATED, new_event))
        elif old_event != new_event:
            changes.extend(_changes_for(old_event, new_event))
    for event_id, old_event in old.items():
        if event_id not in new:
            changes.append(Change(ChangeKind.GONE, old_event, old_event))
    changes.sort(key=lambda change: (change.event.id, _KIND_ORDER[change.kind]))
    return ChangeSet(tuple(changes))


def apply_changes(old: Mapping[int, EventSummary], changeset: ChangeSet) -> dict[int, EventSummary]:
    """``old`` with ``changeset`` applied: ``apply_changes(a, diff_events(a, b)) == b``."""
    result = dict(old)
    for change in changeset:
        if change.kind is ChangeKind.GONE:
            result.pop(change.event.id, None)
        else:
            result[change.event.id] = change.event
    return result
