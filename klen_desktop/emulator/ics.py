"""The ``.ics`` file of one event (decision 6.25), built with the ``icalendar`` library.

Status maps to iCalendar's: scheduled -> TENTATIVE, cancelled -> CANCELLED, everything else -> CONFIRMED
(a completed or no-show event did take its place in the calendar). ``SEQUENCE`` counts updates so calendar
apps replace their copy when the event changes.
"""

from __future__ import annotations

from datetime import timedelta

from icalendar import Alarm, Calendar, Event

from klen_desktop.emulator.model import EventRow

PRODID = "-//Klen Desktop//Klen Calendar Emulator//EN"
_STATUS = {"scheduled": "TENTATIVE", "cancelled": "CANCELLED"}


def event_ics(row: EventRow) -> bytes:
    """The event as a one-VEVENT iCalendar document."""
    f = row.fields
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    ev = Event()
    ev.add("uid", row.uuid)
    ev.add("dtstamp", row.updated_at)
    ev.add("created", row.created_at)
    ev.add("last-modified", row.updated_at)
    ev.add("sequence", row.sequence)
    ev.add("dtstart", f.start_time)
    ev.add("dtend", f.end_time)
    ev.add("summary", f.title)
    ev.add("status", _STATUS.get(f.status, "CONFIRMED"))
    ev.add("transp", "TRANSPARENT" if f.status in ("cancelled", "no_show") else "OPAQUE")
    if f.description:
        ev.add("description", f.description)
    if f.location:
        ev.add("location", f.location)
    if f.video_conference_url:
        ev.add("url", f.video_conference_url)
    if f.is_reminder_enabled and f.status not in ("cancelled", "completed", "no_show"):
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f.title)
        alarm.add("trigger", -timedelta(minutes=f.remind_before_minutes))
        ev.add_component(alarm)
    cal.add_component(ev)
    return bytes(cal.to_ical())
