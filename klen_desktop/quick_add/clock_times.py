"""Times of day and lengths in a quick-add sentence: ``3pm``, ``15:00``, ``at 9``, ``noon``, ranges ``10:00-11:00``,
``9-12``, ``2-3pm``, and lengths ``30 min``, ``1h``, ``1.5 hours``, ``1h30``.

What is read as what (a reading that could go two ways is reported, never picked):

* ``am``/``pm`` decides. A time with a leading zero (``09:00``) or an hour from 13 to 23 is a 24-hour time, and so
  is a time with minutes from 8:00 to 12:59 (``10:00`` is the morning on either clock).
* A bare hour (``at 3``, ``9-12``) or a time with minutes before 8 (``3:30``) could be either half of the day: the
  sentence is ambiguous until it says ``am``/``pm`` or uses the 24-hour clock.
* In a range, a half of the day said on one side carries to the other when that gives an end after the start
  within 12 hours (``2-3pm`` is 14:00–15:00, ``11-1pm`` 11:00–13:00, ``9am-12`` 9:00–12:00).
"""

from __future__ import annotations

import re
from datetime import time, timedelta

from klen_desktop.i18n import _
from klen_desktop.quick_add.text_spans import Sentence
from klen_desktop.records import record

_AMPM = r"(?:a\.?m\.?|p\.?m\.?)"


def _clock(p: str) -> str:
    """A time of day with its groups named ``{p}h``, ``{p}m``, ``{p}ap`` (am/pm) and ``{p}w`` (noon, midnight)."""
    return rf"(?:(?P<{p}h>\d{{1,2}})(?:[:.](?P<{p}m>\d{{2}}))?\s*(?P<{p}ap>{_AMPM})?|(?P<{p}w>noon|midday|midnight))"


_EDGE_BEFORE = r"(?<![\w:/.\-])"
_EDGE_AFTER = r"(?![\w:/]|\.\d)"
RANGE = re.compile(
    rf"(?:\bfrom\s+)?{_EDGE_BEFORE}{_clock('a')}\s*(?:-|–|—|\bto\b|\buntil\b|\btill\b)\s*{_clock('b')}{_EDGE_AFTER}",
    re.IGNORECASE,
)
# A lone time needs a sign it is one: am/pm, minutes, a word (noon), or "at"/"@" before a bare hour.
SINGLE = re.compile(
    rf"(?:(?:\bat|@)\s*{_EDGE_BEFORE}{_clock('a')}|{_EDGE_BEFORE}(?P<xh>\d{{1,2}})(?:[:.](?P<xm>\d{{2}})\s*(?P<xap>{_AMPM})?"
    rf"|\s*(?P<yap>{_AMPM})))(?![\w:/])|\b(?P<zw>noon|midday|midnight)\b",
    re.IGNORECASE,
)
_NUMBER = r"\d+(?:[.,]\d+)?"
LENGTH = re.compile(
    rf"(?:\bfor\s+)?(?:"
    rf"(?P<h>{_NUMBER})\s*(?:h|hrs?|hours?)\s*(?P<hm>\d{{1,2}})\s*(?:m|mins?|minutes?)?"
    rf"|(?P<n>{_NUMBER})\s*(?P<unit>minutes?|mins?|m|hours?|hrs?|h)"
    rf"|(?P<half>half an hour|half hour)|(?P<one>an hour|one hour)"
    rf")\b",
    re.IGNORECASE,
)


@record
class ClockReading:
    """A time of day as written: one reading, or two (morning and evening) when the text does not say which."""

    readings: tuple[time, ...]
    text: str

    @property
    def ambiguous(self) -> bool:
        return len(self.readings) > 1


@record
class TimesFound:
    """The times of the sentence: a start (and an end, from a range), a length, and what could not be read."""

    start: time | None = None
    end: time | None = None
    length: timedelta | None = None
    question: str | None = None


class TimeError(ValueError):
    """A time that cannot be one (``25:00``, ``13pm``)."""


def _reading(hour_text: str | None, minute_text: str | None, ampm: str | None, word: str | None) -> ClockReading:
    if word:
        moment = time(0, 0) if word.lower() == "midnight" else time(12, 0)
        return ClockReading((moment,), word)
    assert hour_text is not None
    hour, minute = int(hour_text), int(minute_text or 0)
    written = hour_text + (f":{minute_text}" if minute_text else "") + (ampm or "")
    if minute > 59:
        raise TimeError(_("“{written}” is not a time of day.").format(written=written))
    if ampm:
        if not 1 <= hour <= 12:
            raise TimeError(
                _("“{written}” is not a time of day: with am or pm the hour goes from 1 to 12.").format(written=written)
            )
        evening = ampm.lower().startswith("p")
        return ClockReading((time((hour % 12) + (12 if evening else 0), minute),), written)
    if hour == 24 and minute == 0:
        return ClockReading((time(0, 0),), written)
    if hour > 23:
        raise TimeError(_("“{written}” is not a time of day.").format(written=written))
    if hour_text.startswith("0") or hour == 0 or hour >= 13 or (minute_text and hour >= 8):
        return ClockReading((time(hour, minute),), written)
    return ClockReading((time(hour, minute), time(hour + 12 if hour < 12 else 0, minute)), written)


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _forward(start: time, end: time) -> int:
    """Minutes from ``start`` to ``end``, over midnight when ``end`` is earlier (an end of 00:00 is midnight)."""
    return (_minutes(end) - _minutes(start)) % (24 * 60) or 24 * 60


def _pair(first: ClockReading, second: ClockReading) -> list[tuple[time, time]]:
    """The readings of a range that make sense: the end after the start, less than 12 hours later, and the same
    half of the day carried across when only one side said it."""
    pairs = []
    for start in first.readings:
        for end in second.readings:
            gap = _forward(start, end)
            crosses_midnight = _minutes(end) <= _minutes(start) and _minutes(end) != 0
            if gap <= 12 * 60 and not crosses_midnight:
                pairs.append((start, end))
    if len(pairs) > 1 and (not first.ambiguous or not second.ambiguous):
        pairs = [min(pairs, key=lambda pair: _forward(*pair))]
    return pairs


def _range(match: re.Match[str]) -> TimesFound:
    first = _reading(match["ah"], match["am"], match["aap"], match["aw"])
    second = _reading(match["bh"], match["bm"], match["bap"], match["bw"])
    if first.ambiguous and not second.ambiguous and match["bap"]:
        # "2-3pm": the pm said once is meant for both.
        first = _reading(match["ah"], match["am"], match["bap"], None)
        if _forward(first.readings[0], second.readings[0]) > 12 * 60:
            first = _reading(match["ah"], match["am"], "am" if match["bap"].lower().startswith("p") else "pm", None)
    pairs = _pair(first, second)
    written = match.group(0).strip()
    if not pairs:
        text = _("“{written}” ends before it starts: write the times as 10:00-11:00.")
        return TimesFound(question=text.format(written=written))
    if len(pairs) > 1:
        readings = _(" or ").join(f"{_hm(a)}–{_hm(b)}" for a, b in pairs)
        text = _("“{written}” could be {readings}: add am or pm, or use the 24-hour clock.")
        return TimesFound(question=text.format(written=written, readings=readings))
    start, end = pairs[0]
    return TimesFound(start=start, end=end)


def _single(match: re.Match[str]) -> TimesFound:
    if match["ah"] or match["aw"]:
        reading = _reading(match["ah"], match["am"], match["aap"], match["aw"])
    elif match["zw"]:
        reading = _reading(None, None, None, match["zw"])
    else:
        reading = _reading(match["xh"], match["xm"], match["xap"] or match["yap"], None)
    if reading.ambiguous:
        morning, evening = reading.readings
        return TimesFound(
            question=_("“{written}” could be {one} or {other}: add am or pm, or use the 24-hour clock.").format(
                written=reading.text, one=_hm(morning), other=_hm(evening)
            )
        )
    return TimesFound(start=reading.readings[0])


def _hm(moment: time) -> str:
    return f"{moment.hour:02d}:{moment.minute:02d}"


def _length(match: re.Match[str]) -> timedelta:
    if match["half"]:
        return timedelta(minutes=30)
    if match["one"]:
        return timedelta(hours=1)
    if match["h"]:
        return timedelta(hours=float(match["h"].replace(",", ".")), minutes=int(match["hm"]))
    amount = float(match["n"].replace(",", "."))
    unit = match["unit"].lower()
    return timedelta(hours=amount) if unit.startswith("h") else timedelta(minutes=amount)


def find_times(sentence: Sentence) -> TimesFound:
    """Take the length, then a range or a single time, out of ``sentence``. Raises :class:`TimeError`."""
    lengths = [_length(match) for match in sentence.take(LENGTH)]
    ranges = list(sentence.take(RANGE))
    singles = list(sentence.take(SINGLE))
    length = lengths[0] if lengths else None
    if len(lengths) > 1:
        return TimesFound(question=_("The text gives more than one length: keep one (e.g. 30 min)."))
    if len(ranges) + len(singles) > 1:
        return TimesFound(length=length, question=_("The text gives more than one time: keep one (e.g. 15:00)."))
    if ranges:
        found = _range(ranges[0])
        if found.question is None and length is not None:
            return TimesFound(question=_("The text gives both an end time and a length: keep one."))
        return found
    if singles:
        found = _single(singles[0])
        return TimesFound(start=found.start, length=length, question=found.question)
    return TimesFound(length=length)
