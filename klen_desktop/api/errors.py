"""Typed errors of the Klen API client.

One class per meaning, each carrying a short title and a message that says what happened and what the user
can do. Nothing here ever holds the API key: errors keep the server's ``error`` code and ``message``, the
HTTP status and the request's method and path (never headers, never the query string).
"""

from __future__ import annotations

from klen_desktop.i18n import N_


class KlenError(Exception):
    """Base of every error the client raises."""

    title = N_("Klen Calendar error")

    def __init__(self, message: str, *, title: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if title is not None:
            self.title = title

    def __str__(self) -> str:
        return self.message


class MalformedResponse(KlenError):
    """The server answered with data we cannot read (bad JSON, missing or wrongly typed field)."""

    title = N_("Unexpected answer from Klen")

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ConnectionFailed(KlenError):
    """The request did not get an answer: DNS, refused or dropped connection.

    ``reached_server`` is False only when the request certainly never left (connection refused or a name
    that does not resolve), which is the one case where a create or cancel may be sent again.
    """

    title = N_("Cannot reach Klen")

    def __init__(self, message: str, *, reached_server: bool = True) -> None:
        super().__init__(message)
        self.reached_server = reached_server


class TimedOut(ConnectionFailed):
    """No answer in time. The server may have acted on the request."""

    title = N_("Klen did not answer in time")


class ApiStatusError(KlenError):
    """The server answered with an error status (or a body with ``error`` on a 2xx)."""

    def __init__(self, message: str, *, status: int, code: str | None, method: str = "", path: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.method = method
        self.path = path


class InvalidRequest(ApiStatusError):
    """400: the request was rejected as invalid. ``field`` names the offending field where it can be told."""

    title = N_("Klen rejected the request")

    def __init__(
        self, message: str, *, status: int, code: str | None, field: str | None = None, method: str = "", path: str = ""
    ) -> None:
        super().__init__(message, status=status, code=code, method=method, path=path)
        self.field = field


class KeyRejected(ApiStatusError):
    """401: the API key is missing, unknown, inactive or revoked."""

    title = N_("API key not accepted")


class PermissionMissing(ApiStatusError):
    """403: the key lacks a permission. ``permission`` names it (e.g. ``can_write_calendar``) when known."""

    title = N_("Permission missing")

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None,
        permission: str | None = None,
        method: str = "",
        path: str = "",
    ) -> None:
        super().__init__(message, status=status, code=code, method=method, path=path)
        self.permission = permission


class EventNotFound(ApiStatusError):
    """404: the event does not exist or this key cannot see it."""

    title = N_("Event not found")


class RateLimited(ApiStatusError):
    """429: a limit was hit. ``retry_after`` is in seconds when the server said.

    ``daily_limit`` is True when it is the per-day event-creation limit rather than the per-minute request
    limit; it resets at ``retry_after`` seconds from now. ``limit`` is the number of creates a day, when said.
    """

    title = N_("Klen rate limit reached")

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None,
        retry_after: float | None,
        daily_limit: bool,
        limit: int | None = None,
        method: str = "",
        path: str = "",
    ) -> None:
        super().__init__(message, status=status, code=code, method=method, path=path)
        self.retry_after = retry_after
        self.daily_limit = daily_limit
        self.limit = limit


class ServerFailed(ApiStatusError):
    """5xx: the server failed. Safe to try again later."""

    title = N_("Klen server error")


class InsecureConnection(KlenError):
    """The configured base URL would send the key in clear text (plain http to a non-loopback host)."""

    title = N_("Insecure connection refused")
