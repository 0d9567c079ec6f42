"""Logging for the app: one stderr handler and a filter that redacts anything that looks like an API key or an
Authorization header, whatever logger it comes from (httpx and httpcore included)."""

from __future__ import annotations

import logging
import re

_SECRET_PATTERNS = (
    re.compile(r"klen_[A-Za-z0-9_\-]+"),
    re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?bearer\s+)[^\s'\"]+"),
    re.compile(r"(?i)(api_key=)[^&\s'\"]+"),
)


def redact(text: str) -> str:
    text = _SECRET_PATTERNS[0].sub("klen_***", text)
    text = _SECRET_PATTERNS[1].sub(r"\1***", text)
    return _SECRET_PATTERNS[2].sub(r"\1***", text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's final message with secrets masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True


def configure_logging(level: str = "WARNING") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every request line at INFO; our client logs what matters (method, path, status) itself.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))
    logging.getLogger("httpcore").setLevel(max(logging.WARNING, root.level))
    # qasync logs every executor future's result at DEBUG, and a keyring read's result is the API key itself.
    logging.getLogger("qasync").setLevel(max(logging.WARNING, root.level))
