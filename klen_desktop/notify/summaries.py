"""Notifications that stand for several things at once: a burst of changes, what Do not disturb held, missed
reminders, and the write-queue problems that need the user. Pure builders, like :mod:`.messages`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import tzinfo

from klen_desktop.date_texts import clock, date_time
from klen_desktop.i18n import _, ngettext
from klen_desktop.labels import clip
from klen_desktop.notify.messages import CHANGE_ORDER, LINE_LIMIT, TITLE_LIMIT, ActionKind, Button, Message, NotifyKind
from klen_desktop.reminders.due import MissedSummary, Reminder
from klen_desktop.store.outbox import OutboxEntry, OutboxOp, OutboxState


def _count_text(kind: NotifyKind, n: int) -> str:
    if kind is NotifyKind.NEW_EVENT:
        return ngettext("{n} new", "{n} new", n).format(n=n)
    if kind is NotifyKind.CONFIRMED:
        return ngettext("{n} confirmed", "{n} confirmed", n).format(n=n)
    if kind is NotifyKind.MOVED:
        return ngettext("{n} moved", "{n} moved", n).format(n=n)
    if kind is NotifyKind.CANCELLED:
        return ngettext("{n} cancelled", "{n} cancelled", n).format(n=n)
    if kind is NotifyKind.COMPLETED:
        return ngettext("{n} completed", "{n} completed", n).format(n=n)
    return ngettext("{n} no-show", "{n} no-shows", n).format(n=n)


def _counts(kinds: Iterable[NotifyKind]) -> str:
    counted = Counter(kinds)
    return ", ".join(_count_text(k, counted[k]) for k in CHANGE_ORDER if counted[k])


def _and_more(n: int) -> str:
    return ngettext("…and {n} more", "…and {n} more", n).format(n=n)


def _titles(messages: Sequence[Message], limit: int = 3) -> str:
    # The summary names the first few so the user knows whether to look now.
    names = [m.title for m in messages[:limit]]
    more = len(messages) - len(names)
    return "\n".join(names) + (f"\n{_and_more(more)}" if more > 0 else "")


def burst_message(messages: Sequence[Message]) -> Message:
    """One summary for many changes from one sync; it opens the agenda."""
    n = len(messages)
    body = f"{_counts(m.kind for m in messages)}\n{_titles(messages)}"
    return Message(
        kind=NotifyKind.CHANGES_SUMMARY,
        title=ngettext("{n} calendar change", "{n} calendar changes", n).format(n=n),
        body=body,
        buttons=(Button(ActionKind.OPEN_AGENDA, _("Open agenda")),),
        click=ActionKind.OPEN_AGENDA,
    )


def dnd_summary_message(changes: Sequence[Message], reminders: Sequence[Reminder], tz: tzinfo | None = None) -> Message:
    """What came in during Do not disturb: the reminders that fell due (by name and time) and the changes."""
    parts = []
    if reminders:
        parts.append(ngettext("{n} reminder:", "{n} reminders:", len(reminders)).format(n=len(reminders)))
        parts.extend(clip(f"{clock(r.start_time.astimezone(tz))} {r.title}", LINE_LIMIT) for r in reminders[:5])
        if len(reminders) > 5:
            parts.append(_and_more(len(reminders) - 5))
    if changes:
        parts.append(
            ngettext("{n} calendar change: {counts}", "{n} calendar changes: {counts}", len(changes)).format(
                n=len(changes), counts=_counts(m.kind for m in changes)
            )
        )
    return Message(
        kind=NotifyKind.DND_SUMMARY,
        title=_("While Do not disturb was on"),
        body="\n".join(parts),
        buttons=(Button(ActionKind.OPEN_AGENDA, _("Open agenda")),),
        click=ActionKind.OPEN_AGENDA,
    )


def missed_message(summary: MissedSummary, tz: tzinfo | None = None) -> Message:
    lines = [clip(f"{date_time(r.start_time.astimezone(tz))} {r.title}", LINE_LIMIT) for r in summary.reminders[:5]]
    if summary.count > 5:
        lines.append(_and_more(summary.count - 5))
    return Message(
        kind=NotifyKind.MISSED,
        title=ngettext("{n} missed reminder", "{n} missed reminders", summary.count).format(n=summary.count),
        body="\n".join(lines),
        buttons=(Button(ActionKind.OPEN_AGENDA, _("Open agenda")),),
        click=ActionKind.OPEN_AGENDA,
    )


def _problem_head(op: OutboxOp, conflict: bool, title: str) -> str:
    if op is OutboxOp.CREATE:
        head = (
            _("Your new event “{title}” conflicts with a change on the server.")
            if conflict
            else _("Your new event “{title}” was not saved.")
        )
    elif op is OutboxOp.CANCEL:
        head = (
            _("Your cancel of “{title}” conflicts with a change on the server.")
            if conflict
            else _("Your cancel of “{title}” was not saved.")
        )
    else:
        head = (
            _("Your edit of “{title}” conflicts with a change on the server.")
            if conflict
            else _("Your edit of “{title}” was not saved.")
        )
    return head.format(title=title)


def outbox_problem_message(entry: OutboxEntry) -> Message:
    """A write the server refused or that conflicts: what it was, what the server said, what to do."""
    title = clip(str(entry.payload.get("title") or (entry.base or {}).get("title") or _("an event")), TITLE_LIMIT)
    conflict = entry.state is OutboxState.CONFLICT
    if conflict:
        advice = _("Open the agenda to keep yours or the server's version.")
    else:
        advice = _("Open the agenda to fix and resend it, or discard it.")
    lines = [_problem_head(entry.op, conflict, title)]
    if entry.error_message:
        lines.append(clip(entry.error_message, 2 * LINE_LIMIT))
    lines.append(advice)
    return Message(
        kind=NotifyKind.WRITE_PROBLEM,
        title=_("Klen could not save a change"),
        body="\n".join(lines),
        buttons=(Button(ActionKind.OPEN_AGENDA, _("Open agenda")),),
        click=ActionKind.OPEN_AGENDA,
        event_id=entry.event_id,
    )
