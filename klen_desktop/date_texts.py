"""The one set of date and time formats every screen and notification uses, in the user's locale.

Four shapes, nowhere else: a day heading (``Today, Saturday 5 December``), a short date (``Sat 5 Dec``), a
date-time (``Sat 5 Dec, 20:30``) and a time (``20:30``, or ``8:30 PM`` where the locale reads a 12-hour clock);
and for a column too narrow for the short date (a week grid on a small screen), its weekday and day (``Sat 5``).
A date names its year only when it is not this year. Qt-free, so the notification texts read as the windows do.
What is built from them lives here too: time spans, "as of" stamps, a week's range, a length (``1 h 30 min``),
a time zone's name, and the Qt display formats of the date boxes, so an editable date reads as a shown one.
So do the shapes of the optional second time zone shown beside local times (``08:00 New York``): the zone is
chosen in Settings and set here with :func:`set_second_zone`, so every window reads the same one.

The shapes come from the process's ``LC_TIME`` locale, which Qt sets from the environment when the application
starts, so these texts follow the same locale as ``QLocale.system()``: the order of day and month and the clock.
The words (day and month names, "Today", the day's number as the language writes it, ``7.`` in German) come
from the app's language (:mod:`klen_desktop.i18n`), like every other word on screen, so a German window reads
``Mo 7. Dez 2026`` whether or not the system has German locale data. They are read once per language:
formatting by hand afterwards keeps ``strftime`` (which imports the ``time`` module on every call, slow under
PySide's import hook) out of the agenda's paint path. The C locale (``C.UTF-8`` too) names no preference; it
reads as day-first on a 24-hour clock.
"""

from __future__ import annotations

import locale
import os
from datetime import date, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

from klen_desktop.i18n import _, current_language, ngettext, pgettext
from klen_desktop.records import record

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "Etc/Universal", "Etc/Zulu", "Universal", "Zulu", "UCT"})
_GMT_NAMES = frozenset({"GMT", "Etc/GMT", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0", "Etc/Greenwich", "GMT0", "Greenwich"})


@record
class DateStyle:
    """What the locale decides: the names, the order of day and month, and the clock."""

    weekdays: tuple[str, ...]  # Monday first
    short_weekdays: tuple[str, ...]
    months: tuple[str, ...]  # January first
    short_months: tuple[str, ...]
    month_first: bool
    twelve_hour: bool
    am: str = "AM"
    pm: str = "PM"
    day_pattern: str = "{day}"  # the day of the month in a date: "{day}." in German

    def day_number(self, day: date) -> str:
        return self.day_pattern.format(day=day.day)


def _names() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    weekdays = (
        pgettext("weekday", "Monday"),
        pgettext("weekday", "Tuesday"),
        pgettext("weekday", "Wednesday"),
        pgettext("weekday", "Thursday"),
        pgettext("weekday", "Friday"),
        pgettext("weekday", "Saturday"),
        pgettext("weekday", "Sunday"),
    )
    short_weekdays = (
        pgettext("weekday, short", "Mon"),
        pgettext("weekday, short", "Tue"),
        pgettext("weekday, short", "Wed"),
        pgettext("weekday, short", "Thu"),
        pgettext("weekday, short", "Fri"),
        pgettext("weekday, short", "Sat"),
        pgettext("weekday, short", "Sun"),
    )
    months = (
        pgettext("month", "January"),
        pgettext("month", "February"),
        pgettext("month", "March"),
        pgettext("month", "April"),
        pgettext("month", "May"),
        pgettext("month", "June"),
        pgettext("month", "July"),
        pgettext("month", "August"),
        pgettext("month", "September"),
        pgettext("month", "October"),
        pgettext("month", "November"),
        pgettext("month", "December"),
    )
    short_months = (
        pgettext("month, short", "Jan"),
        pgettext("month, short", "Feb"),
        pgettext("month, short", "Mar"),
        pgettext("month, short", "Apr"),
        pgettext("month, short", "May"),
        pgettext("month, short", "Jun"),
        pgettext("month, short", "Jul"),
        pgettext("month, short", "Aug"),
        pgettext("month, short", "Sep"),
        pgettext("month, short", "Oct"),
        pgettext("month, short", "Nov"),
        pgettext("month, short", "Dec"),
    )
    return weekdays, short_weekdays, months, short_months


def style() -> DateStyle:
    """The date style of the locale and the app's language, read once per language."""
    return _style(current_language())


def forget_style() -> None:
    """Read the locale again at the next text (tests that change it)."""
    _style.cache_clear()


@cache
def _style(language: str) -> DateStyle:  # noqa: ARG001 (the cache key: one style per language)
    weekdays, short_weekdays, months, short_months = _names()
    month_first, twelve_hour, am, pm = _order_and_clock()
    return DateStyle(
        weekdays=weekdays,
        short_weekdays=short_weekdays,
        months=months,
        short_months=short_months,
        month_first=month_first,
        twelve_hour=twelve_hour,
        am=am,
        pm=pm,
        # Translators: the day of the month inside a date ("Mon 7 Dec"); German writes "{day}." (7.).
        day_pattern=pgettext("day of the month", "{day}"),
    )


def _order_and_clock() -> tuple[bool, bool, str, str]:
    name = locale.setlocale(locale.LC_TIME)
    if name in {"C", "POSIX"} or name.startswith("C.") or not hasattr(locale, "nl_langinfo"):
        return False, False, "AM", "PM"
    dates = locale.nl_langinfo(locale.D_FMT)
    times = locale.nl_langinfo(locale.T_FMT)
    month_first = "%m" in dates and "%d" in dates and dates.index("%m") < dates.index("%d")
    twelve_hour = "%I" in times or "%r" in times or "%l" in times
    return (
        month_first,
        twelve_hour,
        locale.nl_langinfo(locale.AM_STR) or "AM",
        locale.nl_langinfo(locale.PM_STR) or "PM",
    )


def _today() -> date:
    return datetime.now().astimezone().date()


def clock(moment: datetime) -> str:
    """The time of day of an already-local ``moment``: ``20:30`` or ``8:30 PM``."""
    st = style()
    if not st.twelve_hour:
        return f"{moment.hour:02d}:{moment.minute:02d}"
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment.minute:02d} {st.am if moment.hour < 12 else st.pm}"


def _day_month(day: date, weekdays: tuple[str, ...], months: tuple[str, ...], *, with_year: bool) -> str:
    st = style()
    month = months[day.month - 1]
    text = f"{weekdays[day.weekday()]} "
    text += f"{month} {st.day_number(day)}" if st.month_first else f"{st.day_number(day)} {month}"
    if with_year:
        text += f", {day.year}" if st.month_first else f" {day.year}"
    return text


def short_date(day: date, today: date | None = None) -> str:
    """``Sat 5 Dec``; ``Sat 5 Dec 2027`` when not in ``today``'s year."""
    st = style()
    return _day_month(day, st.short_weekdays, st.short_months, with_year=day.year != (today or _today()).year)


def short_date_with_year(day: date) -> str:
    """``Sat 5 Dec 2026``: the short date with its year even in this one (a date picker's face: the year is what
    tells a date of next year's same week)."""
    st = style()
    return _day_month(day, st.short_weekdays, st.short_months, with_year=True)


def weekday_and_day(day: date) -> str:
    """``Sat 5``: the short date without its month, where the month is named beside it (a week's columns)."""
    st = style()
    return f"{st.short_weekdays[day.weekday()]} {st.day_number(day)}"


def date_time(moment: datetime, today: date | None = None) -> str:
    """``Sat 5 Dec, 20:30`` for an already-local ``moment``."""
    return f"{short_date(moment.date(), today)}, {clock(moment)}"


def weekday(day: date) -> str:
    """The short name of ``day``'s weekday: ``Sat``. Names a day unambiguously only within the coming six."""
    return style().short_weekdays[day.weekday()]


def day_month(day: date) -> str:
    """``5 Dec`` (``Dec 5`` month first): a date with neither weekday nor year, where a column is narrow."""
    st = style()
    month = st.short_months[day.month - 1]
    return f"{month} {st.day_number(day)}" if st.month_first else f"{st.day_number(day)} {month}"


def clock_span(start: datetime, end: datetime) -> str:
    """``20:30–21:00`` for two already-local times of the same day."""
    return f"{clock(start)}–{clock(end)}"


def span(start: datetime, end: datetime, today: date | None = None) -> str:
    """``14:30–15:00`` for already-local times; the end's weekday is added when it falls on another day of the
    week ahead, its date when later (a weekday alone would read as this week)."""
    days = (end.date() - start.date()).days
    if days == 0:
        return clock_span(start, end)
    if days < 7:
        return f"{clock(start)}–{weekday(end.date())} {clock(end)}"
    return f"{clock(start)}–{date_time(end, today)}"


def stamp(moment: datetime, today: date | None = None) -> str:
    """When something happened, for an already-local ``moment``: ``14:02`` today, else ``Fri 4 Dec, 14:02``."""
    return clock(moment) if moment.date() == (today or _today()) else date_time(moment, today)


def day_range(first: date, last: date, today: date | None = None) -> str:
    """``Sat 5 Dec – Fri 11 Dec``: a run of days, such as the agenda's week."""
    return f"{short_date(first, today)} – {short_date(last, today)}"


def duration_text(length: timedelta) -> str:
    """A length as a person reads it, to the minute: ``45 min``, ``1 h 30 min``, ``6 days 8 h 49 min``."""
    days, rest = divmod(round(length.total_seconds() / 60), 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [ngettext("{n} day", "{n} days", days).format(n=days)] if days else []
    parts += [ngettext("{n} h", "{n} h", hours).format(n=hours)] if hours else []
    parts += [ngettext("{n} min", "{n} min", minutes).format(n=minutes)] if minutes or not parts else []
    return " ".join(parts)


def qt_date_format() -> str:
    """The short date as a Qt display format, for a date box: ``ddd d MMM yyyy``. The year is always shown,
    unlike in the short date: it is what the user edits to reach next year."""
    st = style()
    day = _qt_literal(st.day_pattern)
    return f"ddd MMM {day}, yyyy" if st.month_first else f"ddd {day} MMM yyyy"


def _qt_literal(day_pattern: str) -> str:
    """The day pattern (``{day}.``) as a Qt date format: the text around the day quoted, the day as ``d``."""
    before, _field, after = (part.replace("'", "''") for part in day_pattern.partition("{day}"))
    return (f"'{before}'" if before else "") + "d" + (f"'{after}'" if after else "")


def qt_date_time_format() -> str:
    """The date-time as a Qt display format, for a date-time box: ``ddd d MMM yyyy, HH:mm``."""
    return f"{qt_date_format()}, {'h:mm AP' if style().twelve_hour else 'HH:mm'}"


def day_heading(day: date, today: date | None = None) -> str:
    """``Today, Saturday 5 December``, ``Monday 7 December``; the year only when not ``today``'s."""
    st = style()
    today = today or _today()
    text = _day_month(day, st.weekdays, st.months, with_year=day.year != today.year)
    offset = (day - today).days
    if offset == 0:
        return _("Today, {date}").format(date=text)
    if offset == 1:
        return _("Tomorrow, {date}").format(date=text)
    if offset == -1:
        return _("Yesterday, {date}").format(date=text)
    return text


def moment_range(start: datetime, end: datetime, today: date | None = None) -> str:
    """``Sat 5 Dec, 20:30–21:00`` for already-local times; the end's date is named when it is another day."""
    if start.date() == end.date():
        return f"{date_time(start, today)}–{clock(end)}"
    return f"{date_time(start, today)} – {date_time(end, today)}"


def offset_text(moment: datetime) -> str:
    """``UTC+1``, ``UTC−3:30``, ``UTC+0`` for an aware ``moment``'s offset from UTC."""
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{'+' if minutes >= 0 else '−'}{hours}" + (f":{rest:02d}" if rest else "")


def zone_text(zone_id: str, moment: datetime) -> str:
    """A time zone as a person reads it: ``UTC``, ``Berlin (UTC+1)``, ``Buenos Aires (UTC−3)``.

    IANA ids name a city after the last slash; ``Etc/GMT-1`` style ids (whose sign is the reverse of the offset)
    and unknown ids read as their offset alone.
    """
    offset = offset_text(moment)
    if zone_id in _UTC_NAMES or (not zone_id and moment.tzname() == "UTC"):
        return "UTC"
    if zone_id in _GMT_NAMES:
        return "GMT"
    if not zone_id or zone_id.startswith("Etc/") or "/" not in zone_id:
        return "UTC" if offset == "UTC+0" else offset
    city = zone_id.rsplit("/", 1)[1].replace("_", " ")
    return f"{city} ({offset})"


def local_zone_id() -> str:
    """The configured local zone's IANA id (``TZ``, or where ``/etc/localtime`` points), ``""`` when unknown: the
    same source Python's ``astimezone()`` reads, so the name always matches the times shown beside it."""
    configured = os.environ.get("TZ", "").lstrip(":")
    if configured:
        return configured
    try:
        target = os.path.realpath("/etc/localtime") if os.path.lexists("/etc/localtime") else ""
    except OSError:
        return ""
    return target.rsplit("zoneinfo/", 1)[1] if "zoneinfo/" in target else ""


def local_zone_text(moment: datetime) -> str:
    """The local time zone at ``moment`` as a person reads it (see :func:`zone_text`)."""
    return zone_text(local_zone_id(), moment.astimezone())


# -- the second time zone ----------------------------------------------------------------------------------------

_second: tuple[str, ZoneInfo] | None = None


def known_zone(zone_id: str) -> bool:
    """True when ``zone_id`` is an IANA zone this computer (or the bundled tzdata) has."""
    if not zone_id or zone_id != zone_id.strip() or zone_id.startswith(("/", ".")) or ".." in zone_id:
        return False
    # zoneinfo (with sysconfig, for its search path) loads with a second zone only: 0.3 MiB nobody else needs.
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(zone_id)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def set_second_zone(zone_id: str) -> None:
    """Show ``zone_id`` beside local times from now on; ``""`` (or an unknown zone) shows none."""
    global _second
    if not known_zone(zone_id):
        _second = None
        return
    from zoneinfo import ZoneInfo

    _second = (zone_id, ZoneInfo(zone_id))


def second_zone_id() -> str:
    """The second zone shown, ``""`` for none."""
    return _second[0] if _second else ""


def zone_city(zone_id: str) -> str:
    """The place a zone is named after: ``New York`` for ``America/New_York``, ``UTC`` for ``Etc/UTC``."""
    if zone_id in _UTC_NAMES or zone_id in _GMT_NAMES:
        return "UTC" if zone_id in _UTC_NAMES else "GMT"
    return zone_id.rsplit("/", 1)[-1].replace("_", " ")


def second_span(start: datetime, end: datetime) -> str:
    """``08:00–09:00 New York``: an event's times in the second zone (its end's weekday when it is another day
    there); ``""`` with no second zone."""
    if _second is None:
        return ""
    zone = _second[1]
    first, last = start.astimezone(zone), end.astimezone(zone)
    day = "" if first.date() == start.astimezone().date() else f"{weekday(first.date())} "
    end_day = "" if last.date() == first.date() else f"{weekday(last.date())} "
    return f"{day}{clock(first)}–{end_day}{clock(last)} {zone_city(_second[0])}"


def second_range(start: datetime, end: datetime, today: date | None = None) -> str:
    """``Sat 5 Dec, 08:00–09:00 · New York (UTC−5)``: the detail pane's and the editor's line for the second zone;
    ``""`` with no second zone."""
    if _second is None:
        return ""
    zone = _second[1]
    first = start.astimezone(zone)
    return f"{moment_range(first, end.astimezone(zone), today)} · {zone_text(_second[0], first)}"


def second_hour_label(moment: datetime) -> str:
    """The week grid's second hour column: ``08:00`` in the second zone for an aware ``moment`` (the column's
    heading names the zone); ``""`` with no second zone."""
    return clock(moment.astimezone(_second[1])) if _second is not None else ""
