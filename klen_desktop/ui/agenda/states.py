"""What the agenda says instead of, or under, its list: the empty and loading states and the footer line."""

from __future__ import annotations

from datetime import date, datetime

from klen_desktop.date_texts import day_range
from klen_desktop.i18n import N_, _, ngettext
from klen_desktop.sync.status import SyncPhase, SyncStatus
from klen_desktop.ui.agenda.banners import since_text
from klen_desktop.ui.agenda.model import AgendaModel

GO_TO_MATCH = N_("Go to the nearest match")


def page_message(model: AgendaModel, status: SyncStatus) -> tuple[str, str | None]:
    """The message shown instead of the list ("" when the list shows) and its button's text, if any."""
    if not model.loaded:
        if status.halted:
            return _("The calendar can't be loaded until the key problem above is solved."), None
        if status.phase in (SyncPhase.OFFLINE, SyncPhase.SERVER_ERROR):
            return _("Klen can't be reached and nothing is cached yet. Retrying automatically."), None
        return _("Loading your calendar…"), None
    if model.visible_events:
        return "", None
    if not model.covered:
        return _("Loading these days…"), None
    week = model.shown_range
    period = "" if week is None else f" ({day_range(week[0], week[1])})"
    if not model.filter.is_default:
        elsewhere = len(model.matching_days())
        if elsewhere:
            text = ngettext(
                "No events this week{period} match the search and filters; {n} does in other weeks.",
                "No events this week{period} match the search and filters; {n} do in other weeks.",
                elsewhere,
            )
            return text.format(period=period, n=f"{elsewhere:,}"), _(GO_TO_MATCH)
        return _("No events this week{period} match the search and filters.").format(period=period), _("Clear filters")
    return _("No events this week{period}.").format(period=period), _("New event")


def footer_text(model: AgendaModel, status: SyncStatus, *, demo: bool, now: datetime, shown: int | None = None) -> str:
    """``Demo · 12 of 51 events · Last synced 14:02 (just now)``; ``shown`` is how many the view shows, when it is
    not the list (a day or week grid)."""
    parts = []
    if demo:
        parts.append(_("Demo"))
    if model.loaded:
        shown, total = model.visible_events if shown is None else shown, model.total_events
        if shown == total:
            parts.append(ngettext("{n} event", "{n} events", total).format(n=f"{total:,}"))
        else:
            parts.append(
                ngettext("{shown} of {n} event", "{shown} of {n} events", total).format(
                    shown=f"{shown:,}", n=f"{total:,}"
                )
            )
    if status.phase is SyncPhase.SYNCING:
        parts.append(_("Syncing…"))
    elif status.last_success is not None:
        parts.append(_("Last synced {since}").format(since=since_text(status.last_success, now)))
    return " · ".join(parts)


def nearest(days: list[date], first: date, last: date) -> date | None:
    """Of ``days`` (ascending), the first after the week from ``first`` to ``last``, else the last before it."""
    later = [d for d in days if d > last]
    if later:
        return later[0]
    earlier = [d for d in days if d < first]
    return earlier[-1] if earlier else None
