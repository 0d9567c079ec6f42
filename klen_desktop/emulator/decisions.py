"""Every tunable choice the public Klen docs leave open, in one place.

Each constant names the item of ``klen-calendar-api.md`` section 6 it settles; ``DECISIONS.md`` beside this
file lists all items with the reasoning. Behaviour that is not a number (for example the order of checks on a
write) is implemented where it happens and described in ``DECISIONS.md``.
"""

from __future__ import annotations

from typing import Final

#: Path prefix of every documented calendar endpoint.
API_PREFIX: Final = "/api/v1/calendar"
#: Relative ICS link as the docs show it (6.25); ``{uuid}`` is the event's uuid.
ICS_PATH_TEMPLATE: Final = "/calendar/event/{uuid}/calendar.ics"

# -- Listing (6.1-6.6) ------------------------------------------------------------------------------------
#: 6.1: largest page size; bigger values are clamped to it, not rejected.
MAX_LIMIT: Final = 100
#: Documented default page size of the list endpoint.
DEFAULT_LIMIT: Final = 10
#: Documented default: ``end_date`` = ``start_date`` + 30 days on the list endpoint.
LIST_DEFAULT_RANGE_DAYS: Final = 30

# -- Writes (6.9-6.11) ------------------------------------------------------------------------------------
#: 6.10: longest accepted title.
MAX_TITLE_LENGTH: Final = 255
#: 6.10: longest accepted free-text field (description, notes, location, urls...).
MAX_TEXT_LENGTH: Final = 10_000
#: 6.10: ``remind_before_minutes`` must lie in this closed range (up to one week).
REMIND_BEFORE_RANGE: Final = (0, 7 * 24 * 60)
#: Documented create default of ``remind_before_minutes``.
DEFAULT_REMIND_BEFORE_MINUTES: Final = 60

# -- Limits (6.22, 6.23) ----------------------------------------------------------------------------------
#: Documented default of ``requests_per_minute_limit``.
DEFAULT_RPM: Final = 60
#: Documented default of ``calendar_events_per_day_limit``.
DEFAULT_DAILY_LIMIT: Final = 50
#: 6.23: length of the sliding window of the per-minute limit, in seconds.
RPM_WINDOW_SECONDS: Final = 60

# -- Availability (6.26) ----------------------------------------------------------------------------------
#: 6.26: candidate slots start every this many minutes from the start of business hours.
SLOT_STEP_MINUTES: Final = 30
#: 6.26: business hours in UTC, ``(first hour, end hour)``; a slot must fit inside them.
BUSINESS_HOURS: Final = (9, 17)
#: 6.26: weekdays (Monday = 0) with business hours: every day, weekends included.
BUSINESS_DAYS: Final = frozenset(range(7))
#: 6.26: longest availability range, in days, both ends inclusive.
MAX_AVAILABILITY_DAYS: Final = 31
#: Documented default: availability ``end_date`` = ``start_date`` + 7 days.
AVAILABILITY_DEFAULT_RANGE_DAYS: Final = 7
#: Documented bounds of the availability ``duration`` parameter, in minutes.
DURATION_RANGE: Final = (1, 180)
#: Documented default ``duration``.
DEFAULT_DURATION: Final = 30
#: Statuses whose events do not block availability (6.26).
NON_BLOCKING_STATUSES: Final = frozenset({"cancelled", "no_show"})
#: The ``user_id`` the availability answer reports: all keys share one account.
ACCOUNT_USER_ID: Final = 1

# -- Demo seed ---------------------------------------------------------------------------------------------
#: The demo calendar's business lives in this zone; times are stored and served in UTC.
SEED_TIMEZONE: Final = "Europe/London"

# -- Housekeeping ------------------------------------------------------------------------------------------
#: Bound of the admin request log (oldest records are dropped first).
REQUEST_LOG_SIZE: Final = 10_000
