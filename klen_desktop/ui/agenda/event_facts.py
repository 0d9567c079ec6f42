"""The facts of one event as label/value pairs in local time: what the detail pane shows and "Copy details" copies.

Qt-free, so the clipboard text and the pane cannot disagree, and both are tested without widgets. Values are the
server's plain text; the widgets that show them must render them as plain text.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from klen_desktop.api.models import EventSummary
from klen_desktop.date_texts import (
    clock,
    date_time,
    day_month,
    local_zone_text,
    moment_range,
    second_range,
    second_span,
    second_zone_id,
    weekday,
    zone_city,
)
from klen_desktop.i18n import N_, _, ngettext, pgettext
from klen_desktop.labels import STATUS_LABELS, TYPE_LABELS
from klen_desktop.store.events import LocalState, StoredEvent
from klen_desktop.ui.formatting import isolate, local, one_line

LOCAL_STATE_LABELS = {
    LocalState.PENDING: N_("Saved here, waiting to reach the server"),
    LocalState.ATTENTION: N_("The server refused a change: see the banner above"),
    LocalState.CONFLICT: N_("Changed on the server since you edited it: see the banner above"),
}


# A row shows a few hundred characters at most: longer text is cut here, once per event, so the delegate never
# measures 5,000 characters to elide them on a paint.
_ROW_TEXT_LIMIT = 400


class RowTexts(NamedTuple):
    """The strings of one agenda row, made once per event value (a row is painted many times)."""

    time: str
    status: str
    title: str
    subtitle: str
    keep_whole: str = ""  # a part of the subtitle the row must never cut (a phone number cut is a wrong number)


def row_texts(event: StoredEvent) -> RowTexts:
    """Local time range, status, one-line title and "customer · location" of an agenda row.

    The date texts are made without ``strftime`` (see :mod:`klen_desktop.date_texts`): it would be slow enough
    to show in scrolling.
    """
    s = event.summary
    start, end = local(s.start_time), local(s.end_time)
    span = f"{clock(start)}–"
    days = (end.date() - start.date()).days
    if days >= 7:
        # A weekday alone would read as "within the week": a long event names its end date (no time: the
        # row's time column has room for "00:00–Wed 00:00" and no more).
        span += day_month(end.date())
    else:
        if days:
            span += f"{weekday(end.date())} "
        span += clock(end)
    parts = []
    if s.customer is not None and s.customer.name:
        parts.append(s.customer.name)
    if s.location:
        parts.append(s.location)
    keep = ""
    if not parts and s.customer is not None and (s.customer.phone or s.customer.email):
        parts.append(s.customer.phone or s.customer.email or "")
        keep = one_line(s.customer.phone, 40) if s.customer.phone else ""
    return RowTexts(
        time=span,
        status=STATUS_LABELS[s.status],
        title=one_line(s.title, _ROW_TEXT_LIMIT),
        # Each part isolated: an Arabic name must not carry the " · " and the place into its direction.
        # The second zone's times lead the subtitle: the time column has room for the local times only.
        subtitle=" · ".join(
            [second_span(s.start_time, s.end_time)] * bool(second_zone_id())
            + [isolate(one_line(part, _ROW_TEXT_LIMIT // 2)) for part in parts]
        ),
        keep_whole=isolate(keep),
    )


def when_text(summary: EventSummary) -> str:
    """``Sat 5 Dec, 20:30–21:00 · Berlin (UTC+1)``: the local times and the zone they are in."""
    start, end = local(summary.start_time), local(summary.end_time)
    return f"{moment_range(start, end)} · {local_zone_text(start)}"


def _stamp(value: datetime | None) -> str:
    return "" if value is None else date_time(local(value))


def _customer_rows(summary: EventSummary, notes: str | None) -> list[tuple[str, str]]:
    c = summary.customer
    rows = [
        (_("Customer"), (c.name or "") if c else ""),
        (_("Email"), (c.email or "") if c else ""),
        (_("Phone"), (c.phone or "") if c else ""),
    ]
    rows.append((_("Customer notes"), notes or ((c.notes or "") if c else "")))
    return rows


def detail_rows(event: StoredEvent) -> list[tuple[str, str]]:
    """Every known fact of ``event`` that has a value, in reading order. Details are used when cached."""
    s = event.summary
    d = event.detail
    rows: list[tuple[str, str]] = [
        (_("When"), when_text(s)),
        (_("In {city}").format(city=zone_city(second_zone_id())), second_range(s.start_time, s.end_time)),
        (_("Type"), TYPE_LABELS[s.event_type]),
        (_("Status"), STATUS_LABELS[s.status]),
        (_("Location"), s.location or ""),
    ]
    if event.local_state is not None:
        rows.append((_("Local changes"), _(LOCAL_STATE_LABELS[event.local_state])))
    rows += _customer_rows(s, d.customer.notes if d and d.customer else None)
    if d is not None:
        rows.append((_("Description"), d.description or ""))
    if s.has_video_conference or s.video_conference_url:
        provider = d.video_conference_provider if d else None
        rows.append((_("Video call"), " · ".join(x for x in (provider, s.video_conference_url) if x) or _("Yes")))
    if d is not None:
        if d.is_reminder_enabled:
            minutes = d.remind_before_minutes
            rows.append(
                (
                    _("Reminder"),
                    _("On")
                    if minutes is None
                    else ngettext("{n} min before", "{n} min before", minutes).format(n=minutes),
                )
            )
        else:
            rows.append((_("Reminder"), pgettext("reminder", "Off")))
        cals = d.external_calendars
        if cals is not None:
            synced = [
                name
                for name, value in (
                    ("Google", cals.google),
                    ("Outlook", cals.outlook),
                    ("GoHighLevel", cals.gohighlevel),
                )
                if value
            ]
            rows.append((_("External calendars"), ", ".join(synced) or _("Not synced")))
    booked = _("An AI agent") if s.created_by_ai_agent else ""
    if s.ai_agent is not None:
        rows.append((_("AI agent"), s.ai_agent.name or _("Agent {id}").format(id=s.ai_agent.id)))
        booked = (
            _("AI agent {name}").format(name=s.ai_agent.name) if s.created_by_ai_agent and s.ai_agent.name else booked
        )
    rows.append((_("Booked by"), booked))
    if d is not None:
        if d.team is not None:
            rows.append((_("Team"), d.team.name or _("Team {id}").format(id=d.team.id)))
        rows += [(_("Created"), _stamp(d.created_at)), (_("Updated"), _stamp(d.updated_at))]
    return [(label, value) for label, value in rows if value]


def details_text(event: StoredEvent) -> str:
    """Plain text for the clipboard: the title, then one ``Label: value`` line per fact."""
    lines = [event.summary.title]
    lines += [_("{label}: {value}").format(label=label, value=value) for label, value in detail_rows(event)]
    return "\n".join(lines)
