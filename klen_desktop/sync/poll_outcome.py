"""What a poll's outcome says to the user: the sync phase of an error, and the words of a warning or a limit."""

from __future__ import annotations

from datetime import timedelta

from klen_desktop.api.errors import ConnectionFailed, KeyRejected, KlenError, PermissionMissing, RateLimited
from klen_desktop.i18n import _, ngettext
from klen_desktop.sync.status import SyncPhase
from klen_desktop.sync.window_sync import WindowResult


def phase_for(exc: KlenError) -> SyncPhase:
    if isinstance(exc, KeyRejected):
        return SyncPhase.AUTH_ERROR
    if isinstance(exc, PermissionMissing):
        return SyncPhase.PERMISSION_ERROR
    if isinstance(exc, RateLimited):
        return SyncPhase.RATE_LIMITED
    if isinstance(exc, ConnectionFailed):
        return SyncPhase.OFFLINE
    return SyncPhase.SERVER_ERROR


def limit_message(exc: RateLimited, limited_for: timedelta, patience: timedelta) -> str | None:
    """What to show for a 429 of a poll, after polls were refused for ``limited_for``: nothing (None) while the
    key is only busy, the expected slowdown of a shared key; words and what to do once it lasted ``patience``,
    or at once when the server asks for a wait that long."""
    if (exc.retry_after or 0.0) >= patience.total_seconds():
        return long_pause(exc.message)
    if limited_for < patience:
        return None
    return persistently_limited(max(1, round(limited_for.total_seconds() / 60)))


def persistently_limited(minutes: int) -> str:
    """A key refused for minutes on end (a single 429 on a shared key is not worth a word)."""
    text = ngettext(
        "Klen has refused this app's requests for {n} minute: the API key's per-minute limit is used up, most likely "
        "by other apps or scripts using the same key. Sync keeps trying as the key allows. Give this app a key of its "
        "own (Settings), or slow the other tools down.",
        "Klen has refused this app's requests for {n} minutes: the API key's per-minute limit is used up, most likely "
        "by other apps or scripts using the same key. Sync keeps trying as the key allows. Give this app a key of its "
        "own (Settings), or slow the other tools down.",
        minutes,
    )
    return text.format(n=minutes)


def long_pause(server_message: str) -> str:
    """A 429 whose Retry-After is longer than a shared key's usual slowdown: said at once, with the server's words."""
    advice = _(
        "Sync resumes then by itself. If other apps or scripts use the same API key, give this app a key of its own "
        "(Settings), or slow the other tools down."
    )
    return f"{server_message} {advice}"


def warning_of(result: WindowResult) -> str | None:
    parts: list[str] = []
    if result.rejected:
        n = len(result.rejected)
        text = ngettext(
            "{n} event from the server could not be read and was left out; the rest of the calendar is up to date.",
            "{n} events from the server could not be read and were left out; the rest of the calendar is up to date.",
            n,
        )
        parts.append(text.format(n=n))
    if not result.consistent:
        note = _("The server's event list changed while it was read; events it left out are kept until it settles.")
        parts.append(note)
    return " ".join(parts) or None
