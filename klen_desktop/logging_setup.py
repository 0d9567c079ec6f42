"""Logging for the app: stderr plus a private rotating log file, and a filter that redacts anything that looks
like an API key, an Authorization header, a customer's email address or phone number, whatever logger it comes
from (httpx and httpcore included). Unhandled exceptions are logged through the same filter (the crash report).

A key need not look like one (``klen_...``): the stored key itself is registered with :func:`register_secret`
as soon as it is read from the keyring or put on the wire, and masked wherever it appears, in whatever form a
log line could carry it (as is, URL-encoded, escaped in a repr or JSON).
"""

from __future__ import annotations

import io
import logging
import os
import re
import sys
from pathlib import Path
from types import TracebackType
from urllib.parse import quote

import platformdirs

LOG_FILENAME = "klen-desktop.log"
LOG_MAX_BYTES = 1_000_000
LOG_BACKUPS = 3
_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


_SECRET_PATTERNS = (
    re.compile(r"klen_[A-Za-z0-9_\-]+"),
    re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?bearer\s+)[^\s'\"]+"),
    re.compile(r"(?i)(api_key=)[^&\s'\"]+"),
)
# Customers' contact data is personal data: keep the first letter and the domain (enough to tell two apart
# while debugging), and only the last two digits of a phone number.
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+\-])([A-Za-z0-9])[A-Za-z0-9._%+\-]*@([A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)")
# E.164-ish: a leading "+" and 8-15 digits, optionally grouped by spaces, dashes, dots or parentheses. Bare
# digit runs are left alone: they are ids, timestamps and counts far more often than phone numbers.
_PHONE = re.compile(r"\+\d(?:[\s\-.()]{0,2}\d){6,14}")


# Shorter strings are too likely to be ordinary words or numbers to be blanked everywhere; no key is that short.
_MIN_SECRET_LENGTH = 8
# (form, mask) pairs, replaced whole, never changed in place: redact() runs on any thread.
_known_secrets: tuple[tuple[str, str], ...] = ()


def register_secret(value: str) -> None:
    """Mask ``value`` (the API key in use) in every later log line and crash report, whatever it looks like."""
    global _known_secrets
    text = value.strip()
    if len(text) < _MIN_SECRET_LENGTH:
        return
    mask = "klen_***" if text.startswith("klen_") else "***"  # the same mask as the pattern below gives
    forms = {text, quote(text, safe=""), text.replace("\\", "\\\\").replace('"', '\\"'), repr(text)[1:-1]}
    known = set(_known_secrets) | {(form, mask) for form in forms}
    # Longest first, so a form that contains another is masked whole.
    _known_secrets = tuple(sorted(known, key=lambda pair: len(pair[0]), reverse=True))


def _mask_phone(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return "+***" + digits[-2:]


def redact(text: str) -> str:
    for secret, mask in _known_secrets:
        text = text.replace(secret, mask)
    text = _SECRET_PATTERNS[0].sub("klen_***", text)
    text = _SECRET_PATTERNS[1].sub(r"\1***", text)
    text = _SECRET_PATTERNS[2].sub(r"\1***", text)
    text = _EMAIL.sub(r"\1***@\2", text)
    return _PHONE.sub(_mask_phone, text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's final message (and its traceback text) with secrets and contact data masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        if record.exc_info and not record.exc_text:
            # A traceback repeats the exception's message (which may hold a key or an email): format it
            # here once, redacted; the formatter reuses exc_text instead of formatting exc_info again.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class PrivateRotatingFileHandler(logging.FileHandler):
    """A log file of at most ``maxBytes``, rotated through ``backupCount`` numbered copies, each created 0600:
    logs name customers and their appointments.

    It does what ``logging.handlers.RotatingFileHandler`` does, written out here because that module brings
    ``pickle`` and the socket handlers with it: 0.6 MiB resident, for the life of a tray app, for one method.
    """

    def __init__(self, filename: Path, *, maxBytes: int, backupCount: int, encoding: str) -> None:
        self.maxBytes = maxBytes
        self.backupCount = backupCount
        super().__init__(filename, mode="a", encoding=encoding, delay=False)

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        # A file left by an older version (or created under a looser umask) is tightened too.
        os.fchmod(fd, 0o600)
        return open(fd, "a", encoding=self.encoding, errors=self.errors)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self._full_with(record):
                self._rotate()
            super().emit(record)
        except Exception:  # logging's own rule: a handler that fails reports it and the app carries on
            self.handleError(record)

    def _full_with(self, record: logging.LogRecord) -> bool:
        if self.maxBytes <= 0 or self.backupCount <= 0:
            return False
        if self.stream is None:
            self.stream = self._open()
        line = self.format(record) + self.terminator
        self.stream.seek(0, os.SEEK_END)  # another process (the command line) may have written meanwhile
        return self.stream.tell() + len(line.encode(self.encoding or "utf-8", "replace")) >= self.maxBytes

    def _rotate(self) -> None:
        if self.stream is not None:
            self.stream.close()
        try:
            for number in range(self.backupCount - 1, 0, -1):
                older = Path(f"{self.baseFilename}.{number}")
                if older.exists():
                    os.replace(older, f"{self.baseFilename}.{number + 1}")
            if os.path.exists(self.baseFilename):
                os.replace(self.baseFilename, f"{self.baseFilename}.1")
        finally:  # a rename refused (a file locked, a full disk) still leaves a file to write to
            self.stream = self._open()


def log_dir() -> Path:
    """The per-user log folder (platformdirs ``user_log_dir``); not created here."""
    return Path(platformdirs.user_log_dir("klen-desktop", appauthor=False))


def file_handler(folder: Path | None = None) -> PrivateRotatingFileHandler:
    """The rotating log file (1 MB x 3) in ``folder`` (default :func:`log_dir`), created 0700 / 0600."""
    from klen_desktop.paths import ensure_private_dir

    target = ensure_private_dir(folder if folder is not None else log_dir())
    handler = PrivateRotatingFileHandler(
        target / LOG_FILENAME, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
    )
    for backup in target.glob(LOG_FILENAME + ".*"):
        os.chmod(backup, 0o600)  # rotated files of an older version
    return handler


def log_unhandled(kind: type[BaseException], value: BaseException, traceback: TracebackType | None) -> None:
    """The crash report: an exception nobody caught (a Qt slot's, say) is logged, redacted, with its traceback."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, value, traceback)
        return
    logging.getLogger("klen_desktop.crash").critical("unhandled exception", exc_info=(kind, value, traceback))


def configure_logging(
    level: str = "WARNING", *, to_file: bool = False, folder: Path | None = None, crash_report: bool = False
) -> None:
    """Log to stderr and, with ``to_file`` (a real launch), to the private rotating file in ``folder`` (default
    :func:`log_dir`). ``crash_report`` installs :func:`log_unhandled` as ``sys.excepthook``, so an exception
    escaping a Qt slot is logged through the same filter. Both are off by default: a test configuring logging
    must not write into the user's folders or replace the process-wide hook."""
    redacting = RedactingFilter()
    formatter = logging.Formatter(_LOG_FORMAT)
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    problem: OSError | None = None
    if to_file:
        try:
            handlers.append(file_handler(folder))
        except OSError as exc:
            problem = exc  # a read-only or full home must not stop the app: stderr still gets everything
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(redacting)
    root = logging.getLogger()
    root.handlers[:] = handlers
    root.setLevel(level.upper())
    if crash_report:
        sys.excepthook = log_unhandled
    # httpx logs every request line at INFO; our client logs what matters (method, path, status) itself.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))
    logging.getLogger("httpcore").setLevel(max(logging.WARNING, root.level))
    # qasync logs every executor future's result at DEBUG, and a keyring read's result is the API key itself.
    logging.getLogger("qasync").setLevel(max(logging.WARNING, root.level))
    if problem is not None:
        logging.getLogger(__name__).warning("cannot write the log file: %s", problem)
