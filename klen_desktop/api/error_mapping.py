"""Turn a Klen error answer into one typed error. Pure: the caller hands over status, headers and parsed body.

The server's envelope is ``{"error": code, "message": text}``. The status decides the class; on a 2xx that
still carries ``error`` (the docs' schemas mix both into one object) the code decides instead. Messages shown
to the user say what happened and what to do, and quote the server's own words.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from klen_desktop.api.constants import MAX_DAILY_RESET, MAX_WAIT
from klen_desktop.api.errors import (
    ApiStatusError,
    EventNotFound,
    InvalidRequest,
    KeyRejected,
    PermissionMissing,
    RateLimited,
    ServerFailed,
)
from klen_desktop.date_texts import clock, short_date
from klen_desktop.i18n import _, ngettext

# Every name the API takes in a body or a query string; a 400 message naming one of them points at it.
KNOWN_FIELDS = (
    "title",
    "description",
    "start_time",
    "end_time",
    "event_type",
    "status",
    "location",
    "customer_name",
    "customer_email",
    "customer_phone",
    "customer_notes",
    "has_video_conference",
    "video_conference_url",
    "video_conference_provider",
    "is_reminder_enabled",
    "remind_before_minutes",
    "ai_agent_id",
    "team_id",
    "created_by_ai_agent",
    "sync_external_calendars",
    "send_notifications",
    "reason",
    "start_date",
    "end_date",
    "duration",
    "page",
    "limit",
)

_CODE_FIELDS = {"invalid_duration": "duration"}
_MISSING_PARAMETER = re.compile(r"parameter:\s*['\"]?([A-Za-z_][A-Za-z0-9_]*)")
_FIELD_ALTERNATIVES = "|".join(sorted(KNOWN_FIELDS, key=len, reverse=True))
_FIELD_WORD = re.compile(rf"(?<![A-Za-z0-9_])({_FIELD_ALTERNATIVES})(?![A-Za-z0-9_])")
_PERMISSION = re.compile(r"\b(can_[a-z_]+)\b")
_LIMIT_OF = re.compile(r"\blimit of (\d{1,9})\b", re.IGNORECASE)
_DAY_WORDS = re.compile(r"\b(day|daily|per[ _]day|midnight)\b|_per_day", re.IGNORECASE)

_CLASS_BY_CODE: dict[str, int] = {
    "validation_error": 400,
    "missing_parameter": 400,
    "invalid_datetime_format": 400,
    "invalid_parameter_format": 400,
    "invalid_duration": 400,
    "authentication_required": 401,
    "invalid_key": 401,
    "permission_denied": 403,
    "not_found": 404,
    "rate_limit_exceeded": 429,
    "server_error": 500,
}


def _seconds(text: str) -> float | None:
    try:
        seconds = float(text)
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) else None


def parse_retry_after(
    value: str | None, *, now: datetime | None = None, ceiling: float = MAX_DAILY_RESET
) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP-date); None if absent or unreadable.

    Whatever the server sends, the answer is None or a finite number in ``[0, ceiling]``: a negative or past
    value means "now", NaN, infinity and garbage mean "not said", and a header repeated by a proxy
    (``120, 60``) counts by its longest value.
    """
    if value is None:
        return None
    text = value.strip()[:200]  # nothing longer is a date or a number; do not parse a megabyte of header
    if not text:
        return None
    seconds = _seconds(text)
    if seconds is None and "," in text:
        parts = [_seconds(part.strip()) for part in text.split(",")]
        if parts and all(part is not None for part in parts):
            seconds = max(part for part in parts if part is not None)
    if seconds is None:
        try:
            when = parsedate_to_datetime(text)
            if when.tzinfo is None:  # RFC 9110 dates are GMT; a zone-less one is read as UTC
                when = when.replace(tzinfo=UTC)
            reference = now if now is not None else datetime.now(UTC)
            seconds = (when - reference).total_seconds()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    return min(max(seconds, 0.0), ceiling)


def wait_in_words(seconds: float) -> str:
    """A wait as the user reads it: ``45 s``, ``12 min``, ``3 h 37 min``; never a count of seconds past a minute."""
    if seconds < 59.5:
        return _("{n} s").format(n=f"{max(seconds, 0):.0f}")
    minutes = round(seconds / 60)
    if minutes < 60:
        return ngettext("{n} min", "{n} min", minutes).format(n=minutes)
    hours, minutes = divmod(minutes, 60)
    if minutes:
        return _("{hours} h {minutes} min").format(hours=hours, minutes=minutes)
    return ngettext("{n} h", "{n} h", hours).format(n=hours)


def clock_time(when: datetime, now: datetime | None = None) -> str:
    """A moment as the user reads it: the local wall-clock time, with the day when it is not the day of ``now``."""
    local = when.astimezone()
    days = (local.date() - (now if now is not None else datetime.now(UTC)).astimezone().date()).days
    if days == 0:
        return clock(local)
    if days == 1:
        return _("{time} tomorrow").format(time=clock(local))
    return _("{time} on {date}").format(time=clock(local), date=short_date(local.date()))


def after_wait(seconds: float, now: datetime | None = None) -> str:
    """``13:05 (in 3 h 37 min)``: when a wait of ``seconds`` from ``now`` ends, in local time and as a wait."""
    reference = now if now is not None else datetime.now(UTC)
    return _("{time} (in {wait})").format(
        time=clock_time(reference + timedelta(seconds=seconds), reference), wait=wait_in_words(seconds)
    )


def daily_limit_of(message: str | None) -> int | None:
    """The number of creates a day a limit message names (``... creation limit of 50 reached``), if it does."""
    found = _LIMIT_OF.search(message or "")
    return int(found.group(1)) if found else None


def field_from_message(message: str, code: str | None = None) -> str | None:
    """The request field a 400 message is about (``Missing required parameter: title`` -> ``title``), if any."""
    missing = _MISSING_PARAMETER.search(message)
    if missing:
        return missing.group(1)
    if code in _CODE_FIELDS:
        return _CODE_FIELDS[code]
    named = _FIELD_WORD.search(message)
    if named:
        return named.group(1)
    lowered = _FIELD_WORD.search(message.lower())
    return lowered.group(1) if lowered else None


def permission_from_message(message: str) -> str | None:
    """The permission a 403 message names (``... does not have can_write_calendar permission``)."""
    found = _PERMISSION.search(message)
    return found.group(1) if found else None


def is_daily_limit(body: Mapping[str, object], *, is_create: bool) -> bool:
    """Whether a 429 is the per-day event-creation limit rather than the per-minute request limit.

    True when the body names a per-day limit, or when a create was refused with a message that speaks of a
    day. The per-minute limit never speaks of days, so this does not misfile it.
    """
    texts = [value for key, value in body.items() if key != "error" and isinstance(value, str)]
    for text in texts:
        lowered = text.lower()
        if "per_day" in lowered or "events per day" in lowered or ("daily" in lowered and "event" in lowered):
            return True
    return is_create and any(_DAY_WORDS.search(text) for text in texts)


_MAX_SERVER_WORDS = 300


def _short(text: str | None) -> str | None:
    # A server's message goes into a dialog and the log: a page of it helps nobody and may flood both.
    if text is None or len(text) <= _MAX_SERVER_WORDS:
        return text
    return text[:_MAX_SERVER_WORDS] + "…"


def _server_words(code: str | None, message: str | None) -> str:
    code, message = _short(code), _short(message)
    if code and message:
        return f"{message} ({code})"
    return message or code or _("no details given")


def error_for_response(
    status: int,
    body: Mapping[str, object] | None,
    *,
    retry_after_header: str | None,
    method: str,
    path: str,
    is_create: bool = False,
    scrub: Callable[[str], str] = str,
    now: datetime | None = None,
) -> ApiStatusError:
    """The typed error for a failed answer.

    ``body`` is the parsed JSON object, or None when the body was not a JSON object (a proxy's HTML page,
    say). ``scrub`` cleans any server text before it goes into a message (the client uses it to blank out
    the API key should a server ever echo it). ``path`` must not hold the query string.
    """
    fields = body or {}
    raw_code = fields.get("error")
    code = scrub(raw_code) if isinstance(raw_code, str) else None
    raw_message = fields.get("message")
    message = scrub(raw_message) if isinstance(raw_message, str) else None
    words = _server_words(code, message)
    where = {"method": method, "path": path}
    kind = status if status >= 300 else _CLASS_BY_CODE.get(code or "", status)

    if kind == 400:
        given = fields.get("field")
        field = given if isinstance(given, str) and given else field_from_message(message or "", code)
        about = " " + _("The problem is with '{field}'.").format(field=field) if field else ""
        return InvalidRequest(
            _("Klen rejected the request: {words}.{about} Correct the input and try again.").format(
                words=words, about=about
            ),
            status=status,
            code=code,
            field=field,
            **where,
        )
    if kind == 401:
        return KeyRejected(
            _(
                "Klen did not accept the API key: {words}. Check the key in Settings, or create a new one in "
                "the Klen dashboard under API > API Keys."
            ).format(words=words),
            status=status,
            code=code,
            **where,
        )
    if kind == 403:
        permission = permission_from_message(message or "")
        needed = permission or _("the needed permission")
        return PermissionMissing(
            _(
                "The API key lacks {permission}: {words}. Give the key that permission in the Klen dashboard, "
                "or use a key that has it."
            ).format(permission=needed, words=words),
            status=status,
            code=code,
            permission=permission,
            **where,
        )
    if kind == 404:
        return EventNotFound(
            _(
                "Klen has no such event, or this key cannot see it: {words}. It may have been removed; refresh "
                "the calendar."
            ).format(words=words),
            status=status,
            code=code,
            **where,
        )
    if kind == 429:
        daily = is_daily_limit(fields, is_create=is_create)
        # Only a create refused by the daily limit may be told to wait past MAX_WAIT: the outbox parks it for the
        # user instead of setting a timer. Any other request (a poll, too) never waits longer than MAX_WAIT.
        ceiling = MAX_DAILY_RESET if daily and is_create else MAX_WAIT
        retry_after = parse_retry_after(retry_after_header, now=now, ceiling=ceiling)
        # The server's words are for the log: the user is told what the limit means and when it lifts.
        limit = daily_limit_of(message) if daily else None
        if daily:
            what = (
                ngettext(
                    "Daily limit of {n} new event reached.", "Daily limit of {n} new events reached.", limit
                ).format(n=limit)
                if limit is not None
                else _("Daily limit of new events reached.")
            )
            when = " " + (
                _("It resets at {time}.").format(time=after_wait(retry_after, now))
                if retry_after is not None
                else _("It resets at midnight.")
            )
        else:
            what = _("Klen answers only so many requests a minute.")
            when = " " + (
                _("Try again at {time}.").format(time=after_wait(retry_after, now))
                if retry_after is not None
                else _("Try again in a minute.")
            )
        return RateLimited(
            f"{what}{when}",
            status=status,
            code=code,
            retry_after=retry_after,
            daily_limit=daily,
            limit=limit,
            **where,
        )
    if kind >= 500:
        return ServerFailed(
            _("The Klen server failed (HTTP {status}): {words}. This is on Klen's side; try again in a while.").format(
                status=status, words=words
            ),
            status=status,
            code=code,
            **where,
        )
    return ApiStatusError(
        _("Klen answered HTTP {status} to {method} {path}: {words}.").format(
            status=status, method=method, path=path, words=words
        ),
        status=status,
        code=code,
        **where,
    )
