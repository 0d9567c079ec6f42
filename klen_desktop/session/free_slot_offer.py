"""The tray's "Next free 30 minutes", with no Qt: what its item says, and what a click on it does.

The first click looks the slot up; the answer stays in the item's text, because the menu closed on that click and
the user reads the answer by opening it again. A slot found today is booked by the next click. When none is free
today the item says when the next one is (or that none is free in the days looked at); when the look-up failed
it says why in a word or two. Either way the next click looks again, as does any click once an answer is older
than :data:`OFFER_LIFETIME` (a slot offered long ago may be taken by now, so it is never booked).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from klen_desktop.api.errors import (
    ConnectionFailed,
    KeyRejected,
    KlenError,
    PermissionMissing,
    RateLimited,
    ServerFailed,
    TimedOut,
)
from klen_desktop.api.models import AvailabilitySlot
from klen_desktop.date_texts import clock, short_date, span, weekday
from klen_desktop.i18n import N_, _, ngettext
from klen_desktop.records import record
from klen_desktop.session.calendar import LOOK_AHEAD_DAYS, FreeSlots
from klen_desktop.session.merged import MergedCalendar

FREE_SLOT_MINUTES = 30
OFFER_LIFETIME = timedelta(minutes=5)


class Click(StrEnum):
    LOOK = "look"  # ask the session, then give the answer to :meth:`FreeSlotOffer.answered`
    BOOK = "book"  # book :attr:`FreeSlotOffer.booking`
    WAIT = "wait"  # a look-up is under way


@record
class SlotAnswer:
    """One look-up's answer: ``slot`` to book today, or ``text`` saying why there is none (``failed``: the
    look-up itself did not work)."""

    slot: AvailabilitySlot | None
    text: str = ""
    failed: bool = False


def no_slot_text(found: FreeSlots, minutes: int, now: datetime) -> str:
    """``No free 30 minutes today — next: Mon 09:00`` (local time), or that none is free in the days looked at."""
    if found.later is None:
        return ngettext(
            "No free {minutes} minutes in the next {n} day",
            "No free {minutes} minutes in the next {n} days",
            LOOK_AHEAD_DAYS,
        ).format(minutes=minutes, n=LOOK_AHEAD_DAYS)
    start = found.later.start.astimezone()
    # A weekday names a day unambiguously only within the coming six.
    within_week = (start.date() - now.astimezone().date()).days < 7
    day = weekday(start.date()) if within_week else short_date(start.date())
    return _("No free {minutes} minutes today — next: {day} {time}").format(minutes=minutes, day=day, time=clock(start))


# The few words a menu item has room for, by kind of failure; the first that matches wins (a time-out is a
# failure to connect too, but says something else).
_FAILURE_REASONS: tuple[tuple[type[KlenError], str], ...] = (
    (TimedOut, N_("Klen did not answer")),
    (ConnectionFailed, N_("offline")),
    (RateLimited, N_("rate limit reached")),
    (KeyRejected, N_("API key not accepted")),
    (PermissionMissing, N_("the key lacks a permission")),
    (ServerFailed, N_("Klen server error")),
)


def failure_reason(exc: KlenError) -> str:
    """Why a look-up failed, in a word or two."""
    return _(next((reason for kind, reason in _FAILURE_REASONS if isinstance(exc, kind)), exc.title))


async def look_up(session: MergedCalendar, now: datetime, minutes: int = FREE_SLOT_MINUTES) -> SlotAnswer:
    """The answer to a click that asked for the next free slot of ``minutes`` (one request; never raises a
    :class:`KlenError`: a failure is an answer the item shows)."""
    try:
        found = await session.free_slots_ahead(now, minutes)
    except KlenError as exc:
        return SlotAnswer(
            None, _("Could not look up free time: {reason}").format(reason=failure_reason(exc)), failed=True
        )
    if found.today is not None:
        return SlotAnswer(found.today)
    return SlotAnswer(None, no_slot_text(found, minutes, now))


class FreeSlotOffer:
    """The item's state between clicks. Every method takes ``now``, so the rule runs on any clock."""

    def __init__(self, minutes: int = FREE_SLOT_MINUTES, lifetime: timedelta = OFFER_LIFETIME) -> None:
        self.minutes = minutes
        self._lifetime = lifetime
        self._looking_since: datetime | None = None
        self._answer: SlotAnswer | None = None
        self._answered_at: datetime | None = None

    @property
    def booking(self) -> AvailabilitySlot | None:
        """The slot the next click books, if one is offered."""
        return self._answer.slot if self._answer is not None else None

    def looking(self, now: datetime) -> bool:
        self._forget_stale(now)
        return self._looking_since is not None

    def label(self, now: datetime) -> str:
        """What the item says at ``now``."""
        self._forget_stale(now)
        if self._looking_since is not None:
            return _("Looking for a free slot…")
        if self._answer is None:
            return _("Next free {minutes} minutes").format(minutes=self.minutes)
        slot = self._answer.slot
        if slot is None:
            return self._answer.text
        start, end = slot.start.astimezone(), slot.end.astimezone()
        if start.date() == now.astimezone().date():
            return _("Book {time} today").format(time=span(start, end))
        return _("Book {time} {date}").format(time=span(start, end), date=short_date(start.date()))

    def click(self, now: datetime) -> tuple[Click, AvailabilitySlot | None]:
        """What a click at ``now`` does, with the slot when it books one; after LOOK the offer waits for
        :meth:`answered`."""
        self._forget_stale(now)
        if self._looking_since is not None:
            return Click.WAIT, None
        slot = self.booking
        self._answer = self._answered_at = None
        if slot is not None:
            # Gone from the offer before the booking goes out: a second quick click books nothing twice.
            return Click.BOOK, slot
        self._looking_since = now
        return Click.LOOK, None

    def answered(self, answer: SlotAnswer, now: datetime) -> None:
        self._looking_since = None
        self._answer, self._answered_at = answer, now

    def _forget_stale(self, now: datetime) -> None:
        # A look-up that never answered (the app lost its session under it) must not hold the item forever.
        if self._looking_since is not None and now - self._looking_since > self._lifetime:
            self._looking_since = None
        if self._answered_at is not None and now - self._answered_at > self._lifetime:
            self._answer = self._answered_at = None
