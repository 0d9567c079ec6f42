"""Logs keep no secrets and no customer contact data, and the log file is private (0600 in a 0700 folder) and
rotates (1 MB x 3) with every rotated file private too."""

from __future__ import annotations

import io
import logging
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from klen_desktop.logging_setup import (
    LOG_BACKUPS,
    LOG_FILENAME,
    RedactingFilter,
    configure_logging,
    file_handler,
    log_dir,
    log_unhandled,
    redact,
)

pytestmark = pytest.mark.timeout(20)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(
    ("line", "secret", "kept"),
    [
        ("headers={'Authorization': 'Bearer sk-live-9f8e7d6c'}", "sk-live-9f8e7d6c", "Bearer ***"),
        ("authorization: bearer abc.def.ghi", "abc.def.ghi", "bearer ***"),
        ("GET /x?api_key=s3cr3t&page=2", "s3cr3t", "api_key=***&page=2"),
        ("key klen_live_0123456789abcdef rejected", "0123456789abcdef", "klen_***"),
        ("customer jane.doe+vip@example.com booked", "jane.doe+vip", "j***@example.com"),
        ("mail to ÖLAF@mail.example.co.uk", "LAF@", "***@mail.example.co.uk"),
        ("call +49 30 1234 5678 now", "1234 56", "+***78"),
        ("phone=+1 (415) 555-0199.", "555-01", "+***99"),
        ("sms +447700900123", "7700900", "+***23"),
    ],
)
def test_redact_masks_keys_authorization_emails_and_phones(line: str, secret: str, kept: str) -> None:
    cleaned = redact(line)
    assert secret not in cleaned
    assert kept in cleaned


@pytest.mark.parametrize(
    "line",
    [
        "sync: 5000 events in window, 12 changes",
        "event 1234567890 moved to 2026-11-24T20:00:00+01:00",
        "GET /api/v1/calendar/events/42 -> 200 in 0.031 s",
    ],
)
def test_redact_leaves_ids_times_and_counts_alone(line: str) -> None:
    assert redact(line) == line


def test_the_filter_masks_arguments_and_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("klen_desktop.test_privacy")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("reminder for %s (%s)", "ann@example.org", "+33 6 12 34 56 78")
        try:
            raise ValueError("bad key klen_live_topsecret for bob@example.net")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    output = stream.getvalue()
    for secret in ("ann@", "12 34 56", "topsecret", "bob@"):
        assert secret not in output
    assert "a***@example.org" in output and "+***78" in output and "b***@example.net" in output


@pytest.fixture
def restored_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, sys.excepthook)
    try:
        yield
    finally:
        for handler in root.handlers:
            if handler not in saved[0]:
                handler.close()
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        sys.excepthook = saved[2]
        for name in ("qasync", "httpx", "httpcore"):
            logging.getLogger(name).setLevel(logging.NOTSET)


def test_the_log_file_is_in_the_user_log_dir_and_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, restored_logging: None
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    old = os.umask(0o022)  # a usual, permissive umask: privacy must not depend on the user's
    try:
        folder = log_dir()
        assert folder.is_relative_to(tmp_path / "state")
        configure_logging("INFO", to_file=True, crash_report=True)
        logging.getLogger("klen_desktop.test").warning("sent to zoe@example.com")
    finally:
        os.umask(old)
    log_file = folder / LOG_FILENAME
    assert _mode(folder) == 0o700
    assert _mode(log_file) == 0o600
    text = log_file.read_text()
    assert "z***@example.com" in text and "zoe@" not in text
    root_handlers = logging.getLogger().handlers
    assert any(type(h) is logging.StreamHandler for h in root_handlers)  # stderr is kept


def test_the_file_rotates_and_every_rotated_file_stays_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        handler = file_handler(tmp_path / "log")
    finally:
        os.umask(old)
    handler.maxBytes = 2_000  # the real limit is 1 MB; a small one keeps the test fast
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("klen_desktop.test_rotation")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        for n in range(600):
            logger.warning("line %d for customer +44 7700 900%03d", n, n)
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
        handler.close()
    files = sorted((tmp_path / "log").iterdir())
    assert [f.name for f in files] == [LOG_FILENAME] + [f"{LOG_FILENAME}.{i}" for i in range(1, LOG_BACKUPS + 1)]
    for path in files:
        assert _mode(path) == 0o600, path
        assert path.stat().st_size <= 2_100
        assert "7700 900" not in path.read_text()


def test_a_looser_existing_log_file_and_folder_are_tightened(tmp_path: Path) -> None:
    folder = tmp_path / "log"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    for name in (LOG_FILENAME, LOG_FILENAME + ".1"):
        (folder / name).write_text("old\n")
        os.chmod(folder / name, 0o644)
    handler = file_handler(folder)
    handler.close()
    assert _mode(folder) == 0o700
    assert _mode(folder / LOG_FILENAME) == 0o600
    assert _mode(folder / (LOG_FILENAME + ".1")) == 0o600


def test_an_unhandled_exception_is_reported_through_the_redacting_logger(restored_logging: None) -> None:
    configure_logging("INFO", crash_report=True)
    assert sys.excepthook is log_unhandled
    stream = io.StringIO()
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(stream)
    try:
        raise RuntimeError("crashed with Authorization: Bearer klen_live_abcdef for eve@example.com")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())  # as Python and Qt do for an exception nobody caught
    output = stream.getvalue()
    assert "CRITICAL klen_desktop.crash: unhandled exception" in output
    assert "Traceback" in output and "RuntimeError" in output
    assert "abcdef" not in output and "eve@" not in output


def test_logging_without_to_file_writes_no_file_and_keeps_the_hook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, restored_logging: None
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    hook = sys.excepthook
    configure_logging("DEBUG")
    assert sys.excepthook is hook
    assert not (tmp_path / "state").exists()
