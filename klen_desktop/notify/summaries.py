"""Notifications that stand for several things at once: a burst of changes, what Do not disturb held, missed
reminders, and the write-queue problems that need the user. Pure builders, like :mod:`.messages`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import tzinfo

from klen_desktop.date_texts import clock, date_time
from klen_desktop.labels import clip
from klen_desktop.notify.messages import LINE_LIMIT, TITLE_LIMIT, ActionKind, Button, Message, NotifyKind
from klen_desktop.reminders.due import MissedSummary, Reminder
from klen_desktop.store.outbox import OutboxEntry, OutboxOp, OutboxState

_SUMMARY_WORDS = {
    NotifyKind.NEW_EVENT: "new",
    NotifyKind.CONFIRMED: "confirmed",
    NotifyKind.MOVED: "moved",
    NotifyKind.CANCELLED: "cancelled",
    NotifyKind.COMPLETED: "completed",
    NotifyKind.NO_SHOW: "no-show",
}


def _counts(kinds: Iterable[NotifyKind]) -> str:
    counted = Counter(kinds)
    return ", ".join(f"{counted[k]} {word}" for k, word in _SUMMARY_WORDS.items() if counted[k])


def _titles(messages: Sequence[Message], limit: int = 3) -> str:
    # The summary names the first few so the user knows whether to look now.
    names = [m.title for m in messages[:limit]]
    more = len(messages) - len(names)
    return "\n".join(names) + (f"\n…and {more} more" if more > 0 else "")


def burst_message(messages: Sequence[Message]) -> Message:
    """One summary for many changes from one sync; it opens the agenda."""
    n = len(messages)
    body = f"{_counts(m.kind for m in messages)}\n{_titles(messages)}"
    return Message(
        kind=NotifyKind.CHANGES_SUMMARY,
        title=f"{n} calendar changes",
        body=body,
        buttons=(Button(ActionKind.OPEN_AGENDA, "Open agenda"),),
        click=ActionKind.OPEN_AGENDA,
    )


def dnd_summary_message(changes: Sequence[Message], reminders: Sequence[Reminder], tz: tzinfo | None = None) -> Message:
    """What came in during Do not disturb: the reminders that fell due (by name and time) and the changes."""
    parts = []
    if reminders:
        parts.append(f"{len(reminders)} reminder{'s' if len(reminders) != 1 else ''}:")
        parts.extend(clip(f"{clock(r.start_time.astimezone(tz))} {r.title}", LINE_LIMIT) for r in reminders[:5])
        if len(reminders) > 5:
            parts.append(f"…and {len(reminders) - 5} more")
    if changes:
        plural = "s" if len(changes) != 1 else ""
        parts.append(f"{len(changes)} calendar change{plural}: {_counts(m.kind for m in changes)}")
    return Message(
        kind=NotifyKind.DND_SUMMARY,
        title="While Do not disturb was on",
        body="\n".join(parts),
        buttons=(Button(ActionKind.OPEN_AGENDA, "Open agenda"),),
        click=ActionKind.OPEN_AGENDA,
    )


def missed_message(summary: MissedSummary, tz: tzinfo | None = None) -> Message:
    lines = [clip(f"{date_time(r.start_time.astimezone(tz))} {r.title}", LINE_LIMIT) for r in summary.reminders[:5]]
    if summary.count > 5:
        lines.append(f"…and {summary.count - 5} more")
    return Message(
        kind=NotifyKind.MISSED,
        title=f"{summary.count} missed reminder{'s' if summary.count != 1 else ''}",
        body="\n".join(lines),
        buttons=(Button(ActionKind.OPEN_AGENDA, "Open agenda"),),
        click=ActionKind.OPEN_AGENDA,
    )


_OP_WORDS = {OutboxOp.CREATE: "new event", OutboxOp.PATCH: "edit", OutboxOp.REPLACE: "edit", OutboxOp.CANCEL: "cancel"}


def outbox_problem_message(entry: OutboxEntry) -> Message:
    """A write the server refused or that conflicts: what it was, what the server said, what to do."""
    title = clip(str(entry.payload.get("title") or (entry.base or {}).get("title") or "an event"), TITLE_LIMIT)
    what = _OP_WORDS[entry.op]
    if entry.state is OutboxState.CONFLICT:
        head = f"Your {what} of “{title}” conflicts with a change on the server"
        advice = "Open the agenda to keep yours or the server's version."
    else:
        head = f"Your {what} of “{title}” was not saved"
        advice = "Open the agenda to fix and resend it, or discard it."
    lines = [f"{head}."]
    if entry.error_message:
        lines.append(clip(entry.error_message, 2 * LINE_LIMIT))
    lines.append(advice)
    return Message(
        kind=NotifyKind.WRITE_PROBLEM,
        title="Klen could not save a change",
        body="\n".join(lines),
        buttons=(Button(ActionKind.OPEN_AGENDA, "Open agenda"),),
        click=ActionKind.OPEN_AGENDA,
        event_id=entry.event_id,
    )
