"""How times, types and statuses read on screen: always in the user's local time zone."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Protocol, TypeVar

from klen_desktop import date_texts
from klen_desktop.api.models import EventStatus
from klen_desktop.date_texts import date_time
from klen_desktop.event_rules import is_open
from klen_desktop.i18n import _, ngettext
from klen_desktop.labels import clip, extends_previous
from klen_desktop.records import record


class Timed(Protocol):
    """Anything with a start and an end (an EventSummary, a StoredEvent, a free slot's times)."""

    @property
    def start_time(self) -> datetime: ...

    @property
    def end_time(self) -> datetime: ...


def local(dt: datetime) -> datetime:
    """``dt`` in the local zone: times are stored in UTC and shown in local time."""
    return dt.astimezone()


def local_midnight(day: date) -> datetime:
    """The start of ``day`` in the local zone (aware; through the zone's rules, so right across DST changes)."""
    return datetime.combine(day, time()).astimezone()


def time_range(event: Timed) -> str:
    return span(event.start_time, event.end_time)


def span(start_time: datetime, end_time: datetime) -> str:
    """``14:30–15:00`` in local time (see :func:`klen_desktop.date_texts.span`)."""
    return date_texts.span(local(start_time), local(end_time))


def day_heading(day: date, today: date) -> str:
    """``Today, Saturday 5 December``: the one day-heading format (see :mod:`klen_desktop.date_texts`)."""
    return date_texts.day_heading(day, today)


#: WCAG AA for body text: the least contrast text must have against what it is drawn on.
READABLE_CONTRAST = 4.5


class Colour(Protocol):
    """An sRGB colour with channels from 0 to 1 (a QColor), named without importing Qt."""

    def redF(self) -> float: ...
    def greenF(self) -> float: ...
    def blueF(self) -> float: ...


def contrast_ratio(a: Colour, b: Colour) -> float:
    """The WCAG contrast ratio of two colours, from 1 (the same) to 21 (black on white)."""

    def luminance(c: Colour) -> float:
        rgb = (c.redF(), c.greenF(), c.blueF())
        linear = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in rgb]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


C = TypeVar("C", bound=Colour)


def readable_ink(preferred: C, background: Colour, fallbacks: Sequence[C]) -> C:
    """``preferred`` where it reads on ``background``, else the fallback that reads best: themes pair a highlight
    with a highlighted text that does not always read on it (white on a dark theme's light blue)."""
    if contrast_ratio(preferred, background) >= READABLE_CONTRAST:
        return preferred
    return max(fallbacks, key=lambda c: contrast_ratio(c, background))


@record
class _Rgb:
    r: float
    g: float
    b: float

    def redF(self) -> float:
        return self.r

    def greenF(self) -> float:
        return self.g

    def blueF(self) -> float:
        return self.b


def readable_alpha(ink: Colour, background: Colour, faintest: float) -> float:
    """The least opacity from ``faintest`` up at which ``ink`` drawn over ``background`` still reads (see
    :data:`READABLE_CONTRAST`); 1 when only full ink does. For muted text on a highlight."""
    inks = (ink.redF(), ink.greenF(), ink.blueF())
    backs = (background.redF(), background.greenF(), background.blueF())
    alpha = faintest
    while alpha < 1.0:
        mixed = _Rgb(*(alpha * i + (1 - alpha) * b for i, b in zip(inks, backs, strict=True)))
        if contrast_ratio(mixed, background) >= READABLE_CONTRAST:
            return alpha
        alpha = round(alpha + 0.05, 2)
    return 1.0


def local_zone_text(at: datetime) -> str:
    """The local zone at ``at`` as a person reads it: ``UTC``, ``Berlin (UTC+1)``."""
    return date_texts.local_zone_text(at)


# Counted down minute by minute only this close to the start; further out "in about 5 h" is what a glance needs,
# and a text that changes every minute would wake the app (and the panel showing its tooltip) every minute all day.
COUNTDOWN_WITHIN = timedelta(hours=2)
_DAY = 24 * 3600


def starts_in(event: Timed, now: datetime) -> str:
    seconds = (event.start_time - now).total_seconds()
    if seconds <= 0:
        return _("now") if event.end_time > now else _("ended")
    minutes = int(seconds // 60)
    if minutes < 1:
        return _("in less than a minute")
    if minutes < 60:
        return ngettext("in {n} min", "in {n} min", minutes).format(n=minutes)
    if seconds < COUNTDOWN_WITHIN.total_seconds():
        hours, minutes = divmod(minutes, 60)
        if minutes:
            return _("in {hours} h {minutes} min").format(hours=hours, minutes=f"{minutes:02d}")
        return ngettext("in {n} h", "in {n} h", hours).format(n=hours)
    if seconds < _DAY:
        hours = _nearest_hour(seconds)
        return ngettext("in about {n} h", "in about {n} h", hours).format(n=hours)
    return _("on {date}").format(date=date_time(local(event.start_time)))


def _nearest_hour(seconds: float) -> int:
    return int(seconds / 3600 + 0.5)


def starts_in_changes(event: Timed, now: datetime) -> datetime | None:
    """The instant just after which :func:`starts_in` reads differently for ``event`` (``now`` itself when
    ``now`` is on such a boundary): a day before it ("on Mon ..." -> "in about 24 h"), each half hour within
    the day ("in about 5 h" -> "in about 4 h"), each whole minute in the last :data:`COUNTDOWN_WITHIN`
    ("in 5 min" -> "in 4 min"), its start ("now") and its end; None once it has ended."""
    seconds = (event.start_time - now).total_seconds()
    if seconds <= 0:
        return event.end_time if event.end_time > now else None
    countdown = COUNTDOWN_WITHIN.total_seconds()
    if countdown <= seconds < _DAY:
        boundary = max(3600 * _nearest_hour(seconds) - 1800, countdown)
        return event.start_time - timedelta(seconds=boundary)
    return event.start_time - timedelta(minutes=min(int(seconds // 60), 24 * 60))


def one_line(text: str | None, limit: int = 80) -> str:
    """Server text for a single-line widget: control characters flattened, long text elided (never inside an
    emoji sequence or between a letter and its accents)."""
    return clip(text, limit)


_RTL = frozenset({"R", "AL"})
_ZWSP = "\u200b"
_LONG_WORD = 40  # characters: a word this long gets break opportunities (a label's minimum width is its longest word)
_RUN = 30  # characters between the break opportunities added to such a word


def breakable(text: str) -> str:
    """``text`` for a word-wrapped label: zero-width spaces inside very long words, so the label can wrap them.

    Qt wraps labels at word boundaries only, and a label's minimum width is its longest word: one 5,000-character
    "word" from the server would widen its window past the screen. Words of ordinary length are left exactly as
    they are, and a break never splits a visible character.
    """
    if len(text) <= _LONG_WORD or all(len(word) <= _LONG_WORD for word in text.split()):
        return text
    out: list[str] = []
    for word in _words(text):
        if len(word) <= _LONG_WORD:
            out.append(word)
            continue
        run = 0
        for i, ch in enumerate(word):
            if run >= _RUN and not extends_previous(ch) and word[i - 1] != "\u200d":
                out.append(_ZWSP)
                run = 0
            out.append(ch)
            run += 1
    return "".join(out)


def _words(text: str) -> list[str]:
    """``text`` cut into words and the whitespace between them (joined again, they give ``text`` back)."""
    parts: list[str] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or text[i].isspace() != text[start].isspace():
            parts.append(text[start:i])
            start = i
    return parts


def isolate(text: str) -> str:
    """``text`` wrapped as a bidi isolate when it holds right-to-left letters: an Arabic or Hebrew title keeps
    its own direction inside our left-to-right labels without moving the times and words around it."""
    if any(unicodedata.bidirectional(ch) in _RTL for ch in text):
        return f"\u2068{text}\u2069"
    return text


class HasStatus(Protocol):
    @property
    def status(self) -> EventStatus: ...


def is_active(event: HasStatus) -> bool:
    return is_open(event.status)
