"""Dates in a quick-add sentence, relative to today in the user's zone: ``today``, ``tomorrow``, ``Fri``,
``next Monday``, ``in 3 days``, ``24 Dec``, ``Dec 24``, ``24.12.``, ``12/24``, ``2026-12-24``.

Phrases with month names and counted days (``24 December``, ``in 2 weeks``) are resolved by dateparser, a
maintained parser of dates in many forms; the choices it cannot know are made here, and the ones that could go
two ways are reported as questions instead of guessed:

* A weekday that is today (``Monday`` on a Monday): today, or a week from now?
* ``next Friday`` when Friday is this week: this coming one, or the one after?
* ``3/4``: 3 April or 4 March? (Only the dotted form, ``3.4.``, is read day first without asking.)
* A date without a year that passed within the last two months (``1 Dec`` on 7 December): a typo, or next year?
  An older one is next year's (``Jan 3`` typed in December).
* ``next week`` names no day.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from klen_desktop.date_texts import day_month, short_date, style
from klen_desktop.i18n import _
from klen_desktop.quick_add.text_spans import Sentence
from klen_desktop.records import record

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY = (
    r"mon(?:day)?|tue(?:s(?:day)?)?|wed(?:s|nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?"
)
_MONTH = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?"
    r"|nov(?:ember)?|dec(?:ember)?"
)
_ORDINAL = r"(?:st|nd|rd|th)?"
NUMERIC = re.compile(
    r"(?<![\w:/.\-])(?:(?P<iso>\d{4}-\d{1,2}-\d{1,2})"
    r"|(?P<a>\d{1,2})/(?P<b>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?"
    r"|(?P<da>\d{1,2})\.(?P<db>\d{1,2})\.(?P<dy>\d{4}|\d{2})?)(?![\w/]|[.:]\d)",
    re.IGNORECASE,
)
MONTH_DAY = re.compile(
    rf"\b(?:on\s+)?(?P<phrase>(?:the\s+)?\d{{1,2}}{_ORDINAL}\s+(?:of\s+)?(?:{_MONTH})\.?"
    rf"|(?:{_MONTH})\.?\s+(?:the\s+)?\d{{1,2}}{_ORDINAL})(?:,?\s+(?P<year>\d{{4}}))?\b",
    re.IGNORECASE,
)
COUNTED = re.compile(r"\bin\s+(?:\d{1,3}|a|an|one|two|three|four|five|six|seven)\s+(?:days?|weeks?)\b", re.IGNORECASE)
RELATIVE = re.compile(r"\b(?P<word>(?:the\s+)?day\s+after\s+tomorrow|today|tonight|tomorrow|tmrw|tmr)\b", re.IGNORECASE)
WEEKDAY = re.compile(rf"\b(?:(?P<which>this|next|coming|on)\s+)?(?P<day>{_WEEKDAY})\b\.?", re.IGNORECASE)
NEXT_WEEK = re.compile(r"\b(?:next|this)\s+week\b", re.IGNORECASE)
# A date without a year this much in the past is questioned; an older one is next year's.
RECENTLY_PASSED = timedelta(days=60)


@record
class DateFound:
    """One date phrase: the day it names, or the question to ask about it. ``today_said``: it says "today"."""

    day: date | None
    question: str | None = None
    today_said: bool = False


def _written(match: re.Match[str]) -> str:
    return match.group(0).strip()


def _without_year(day_of_year: tuple[int, int], today: date, written: str) -> DateFound:
    month, day = day_of_year
    try:
        this_year = date(today.year, month, day)
    except ValueError:
        return DateFound(None, _("“{written}” is not a date.").format(written=written))
    if this_year >= today:
        return DateFound(this_year)
    if today - this_year <= RECENTLY_PASSED:
        return DateFound(
            None, _("“{written}” has passed this year: write the year to mean next year's.").format(written=written)
        )
    try:
        return DateFound(date(today.year + 1, month, day))
    except ValueError:  # 29 February
        return DateFound(None, _("“{written}” is not a date next year: write the year.").format(written=written))


def _numeric(match: re.Match[str], today: date) -> DateFound:
    written = _written(match)
    if match["iso"]:
        try:
            return DateFound(date.fromisoformat("-".join(part.zfill(2) for part in match["iso"].split("-"))))
        except ValueError:
            return DateFound(None, _("“{written}” is not a date.").format(written=written))
    if match["da"]:
        day, month, year = int(match["da"]), int(match["db"]), match["dy"]
    else:
        first, second, year = int(match["a"]), int(match["b"]), match["y"]
        if first <= 12 and second <= 12 and first != second:
            return DateFound(
                None,
                _(
                    "“{written}” could be {one} or {other}: "
                    "write the month as a word (e.g. 3 Apr) or the date as year-month-day."
                ).format(written=written, one=_named(first, second), other=_named(second, first)),
            )
        day, month = (first, second) if first > 12 or first == second else (second, first)
    if year is None:
        return _without_year((month, day), today, written)
    full_year = int(year) + (2000 if len(year) == 2 else 0)
    try:
        return DateFound(date(full_year, month, day))
    except ValueError:
        return DateFound(None, f"“{written}” is not a date.")


def _named(day: int, month: int) -> str:
    months = style().months
    return f"{months[month - 1]} {day}" if style().month_first else f"{day} {months[month - 1]}"


def _dateparser_day(phrase: str, now: datetime) -> date | None:
    import dateparser  # imported on first use: a quarter of a second, paid only by a quick add

    # The base is the local wall time, without a zone; only the date is taken, so reading it as UTC (no conversion
    # happens either way) loses nothing, and keeps dateparser from asking tzlocal for the machine's zone: tzlocal
    # raises where TZ is a POSIX rule rather than a zone name (TZ='<-0136>1:36').
    settings = {"RELATIVE_BASE": now.replace(tzinfo=None), "PREFER_DATES_FROM": "future", "TIMEZONE": "UTC"}
    found = dateparser.parse(phrase, languages=["en"], settings=settings)
    return found.date() if found is not None else None


def _month_day(match: re.Match[str], now: datetime) -> DateFound:
    written = _written(match)
    phrase = match["phrase"] + (f" {match['year']}" if match["year"] else "")
    day = _dateparser_day(phrase, now)
    if day is None:
        return DateFound(None, f"“{written}” is not a date.")
    if match["year"]:
        return DateFound(day)
    return _without_year((day.month, day.day), now.date(), written)


def _weekday(match: re.Match[str], today: date) -> DateFound:
    written = _written(match)
    target = _WEEKDAYS.index(match["day"][:3].lower())
    ahead = (target - today.weekday()) % 7
    which = (match["which"] or "").lower()
    if which == "this":
        return DateFound(today + timedelta(days=ahead), today_said=ahead == 0)
    if which == "next":
        if ahead == 0:
            return DateFound(today + timedelta(days=7))
        first, second = today + timedelta(days=ahead), today + timedelta(days=ahead + 7)
        return DateFound(
            None,
            _("“{written}” could be {one} or {other}: write the date (e.g. {example}).").format(
                written=written, one=_day_text(first), other=_day_text(second), example=_short(second)
            ),
        )
    if ahead == 0:
        text = _("“{written}” is today: write “today” or “next {day}” (a week from today).")
        return DateFound(None, text.format(written=written, day=match["day"]))
    return DateFound(today + timedelta(days=ahead))


def _day_text(day: date) -> str:
    return short_date(day, day)


def _short(day: date) -> str:
    return day_month(day)


def _relative(match: re.Match[str], today: date) -> DateFound:
    word = " ".join(match["word"].lower().split())
    if word.endswith("day after tomorrow"):
        return DateFound(today + timedelta(days=2))
    if word in ("today", "tonight"):
        return DateFound(today, today_said=True)
    return DateFound(today + timedelta(days=1))


def take_numeric_dates(sentence: Sentence, today: date) -> list[DateFound]:
    """Dates written in digits; taken before the times, so ``12-10`` of ``2026-12-10`` is no time range."""
    return [_numeric(match, today) for match in sentence.take(NUMERIC)]


def take_word_dates(sentence: Sentence, now: datetime) -> list[DateFound]:
    """Dates written in words, relative to ``now`` (local, aware)."""
    today = now.date()
    found = [_month_day(match, now) for match in sentence.take(MONTH_DAY)]
    for match in sentence.take(COUNTED):
        day = _dateparser_day(_written(match), now)
        found.append(DateFound(day) if day is not None else DateFound(None, f"“{_written(match)}” is not a date."))
    found += [_relative(match, today) for match in sentence.take(RELATIVE)]
    for match in sentence.take(NEXT_WEEK):
        found.append(
            DateFound(
                None,
                _("“{written}” names no day: write the day (e.g. Tue, or 15 Dec).").format(written=_written(match)),
            )
        )
    found += [_weekday(match, today) for match in sentence.take(WEEKDAY)]
    return found
