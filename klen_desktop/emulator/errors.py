"""The error answers of the emulated API: one exception carrying status, code and message.

Handlers raise :class:`ApiError`; the app turns it into the documented envelope
``{"error": code, "message": message}`` with the given status and headers. The documented messages are
kept here as constants so tests and handlers share one spelling.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

MSG_AUTH_REQUIRED: Final = "API key is required"
MSG_INVALID_KEY: Final = "Invalid or inactive API key"
MSG_NO_READ: Final = "This API key does not have can_read_calendar permission"
MSG_NO_WRITE: Final = "This API key does not have can_write_calendar permission"
MSG_NOT_FOUND: Final = "Event not found or you do not have access"
MSG_SERVER_ERROR: Final = "An unexpected server error occurred"
MSG_INVALID_DATE: Final = "Invalid date format. Expected YYYY-MM-DD"
MSG_INVALID_DURATION: Final = "Duration must be between 1 and 180 minutes"
MSG_INVALID_DATETIME: Final = "Invalid datetime format. Expected ISO 8601 format (YYYY-MM-DDTHH:MM:SS.sssZ) for {field}"


class ApiError(Exception):
    """An error answer: ``status`` with body ``{"error": code, "message": message}`` and extra ``headers``."""

    def __init__(self, status: int, code: str, message: str, *, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers: dict[str, str] = dict(headers or {})

    def body(self) -> dict[str, str]:
        return {"error": self.code, "message": self.message}


def validation_error(message: str) -> ApiError:
    return ApiError(400, "validation_error", message)


def missing_parameter(name: str) -> ApiError:
    return ApiError(400, "missing_parameter", f"Missing required parameter: {name}")


def invalid_datetime(field: str) -> ApiError:
    return ApiError(400, "invalid_datetime_format", MSG_INVALID_DATETIME.format(field=field))


def invalid_parameter(message: str = MSG_INVALID_DATE) -> ApiError:
    return ApiError(400, "invalid_parameter_format", message)


def not_found() -> ApiError:
    return ApiError(404, "not_found", MSG_NOT_FOUND)


def rate_limited(message: str, retry_after: int) -> ApiError:
    return ApiError(429, "rate_limit_exceeded", message, headers={"Retry-After": str(max(1, retry_after))})
