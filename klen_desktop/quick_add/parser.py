"""Reads one sentence ("Call with Jane Doe tomorrow 3pm 30 min video") into a :class:`QuickAdd`.

The order matters: dates in digits first (so ``2026-12-10`` is not read as a time range), then lengths and times,
then dates in words, then the type, customer and place from the words that are left; the rest is the title.
Everything is relative to ``now`` in the user's zone. Nothing is guessed: what could be read two ways, what is
missing and what is in the past become questions (see :mod:`klen_desktop.quick_add.dates` and
:mod:`klen_desktop.quick_add.clock_times`).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

from klen_desktop.date_texts import clock
from klen_desktop.i18n import N_, _
from klen_desktop.quick_add.clock_times import TimeError, TimesFound, find_times
from klen_desktop.quick_add.dates import DateFound, take_numeric_dates, take_word_dates
from klen_desktop.quick_add.result import DEFAULT_LENGTH, QuickAdd
from klen_desktop.quick_add.text_spans import Sentence
from klen_desktop.quick_add.words import take_words

MAX_TEXT = 500
NO_TIME = N_("Say at what time (e.g. 3pm or 15:00).")


def _at(day: date, moment: time, zone: tzinfo | None) -> datetime:
    """``day`` at ``moment`` on the local clock: with the zone's own rules for that day (summer time included)."""
    if zone is not None:
        return datetime.combine(day, moment, tzinfo=zone)
    return datetime.combine(day, moment).astimezone()


def _when(
    dates: list[DateFound], times: TimesFound, now: datetime, zone: tzinfo | None
) -> tuple[datetime | None, datetime | None, list[str]]:
    questions = [found.question for found in dates if found.question]
    days = [found for found in dates if found.day is not None]
    if times.question:
        questions.append(times.question)
    if len({found.day for found in days}) > 1:
        questions.append(_("The text gives more than one day: keep one."))
    if questions:
        return None, None, questions
    if times.start is None:
        return None, None, [_(NO_TIME)]
    day = days[0].day if days else now.date()
    assert day is not None
    start = _at(day, times.start, zone)
    if times.end is not None:
        end_day = day if times.end > times.start else day + timedelta(days=1)  # "22-00": until midnight
        end = _at(end_day, times.end, zone)
    else:
        end = start + (times.length or DEFAULT_LENGTH)
    if start < now:
        if not days or days[0].today_said:
            text = _("{time} today has passed: add a later day (e.g. tomorrow) or a later time.")
        else:
            text = _("{time} that day has passed: add a later day (e.g. tomorrow) or a later time.")
        return None, None, [text.format(time=clock(start))]
    if end <= start:
        return None, None, [_("The end must be after the start.")]
    return start, end, []


def parse_quick_add(text: str, now: datetime, zone: tzinfo | None = None) -> QuickAdd:
    """Read ``text`` relative to ``now`` (aware) in ``zone`` (default: the computer's local zone)."""
    local_now = now.astimezone(zone) if zone is not None else now.astimezone()
    sentence = Sentence(text[:MAX_TEXT])
    dates = take_numeric_dates(sentence, local_now.date())
    try:
        times = find_times(sentence)
    except TimeError as exc:
        times = TimesFound(question=str(exc))
    dates += take_word_dates(sentence, local_now)
    words = take_words(sentence)
    start, end, questions = _when(dates, times, local_now, zone)
    if len(text) > MAX_TEXT:
        questions.append(_("Keep it under {n} characters; add the rest in the editor.").format(n=MAX_TEXT))
    return QuickAdd(
        text=sentence.text,
        title=words.title,
        event_type=words.event_type,
        start=start,
        end=end,
        customer_name=words.customer,
        location=words.location,
        video_provider=words.video_provider,
        length_assumed=times.end is None and times.length is None,
        questions=tuple(questions),
    )
