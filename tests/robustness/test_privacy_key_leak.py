"""The API key lives only in the keyring: the real app goes through onboarding, syncs, meets a 5xx, a revoked
key and a crash, and then no file it wrote (settings, cache database with its -wal, logs) and no log line holds
the key. The app runs in-process (tests/ui harness) with private XDG folders and the session's Secret Service.
"""

from __future__ import annotations

import io
import logging
import secrets
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from app_harness import MakeApp
from fixtures_emulator import STANDARD_KEYS, TEST_RPM
from PySide6.QtCore import QTimer

from klen_desktop.emulator import ApiKeySpec, EmulatorServer
from klen_desktop.logging_setup import configure_logging

pytestmark = [pytest.mark.asyncio, pytest.mark.session, pytest.mark.timeout(40)]


@pytest.fixture
def app_logging(tmp_path: Path) -> Iterator[io.StringIO]:
    """The launch's logging (stderr + rotating file + crash hook), with "stderr" captured; restored after."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, sys.excepthook)
    configure_logging("DEBUG", to_file=True, folder=tmp_path / "state" / "log", crash_report=True)
    captured = io.StringIO()
    for handler in root.handlers:
        if type(handler) is logging.StreamHandler:
            handler.setStream(captured)
    try:
        yield captured
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        sys.excepthook = saved[2]
        for name in ("qasync", "httpx", "httpcore"):
            logging.getLogger(name).setLevel(logging.NOTSET)


def _files_holding(folder: Path, needles: list[bytes]) -> list[str]:
    hits = []
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            hits += [f"{path}: {needle!r}" for needle in needles if needle in data]
    return hits


async def test_the_key_is_in_no_file_and_no_log_line_after_onboarding_sync_errors_and_a_crash(
    make_app: MakeApp,
    make_emulator: Callable[..., EmulatorServer],
    app_logging: io.StringIO,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every folder the app may write to is under tmp_path (make_app already moves data and config there).
    for var, sub in (("XDG_CACHE_HOME", "cache"), ("XDG_STATE_HOME", "state"), ("XDG_RUNTIME_DIR", "run")):
        monkeypatch.setenv(var, str(tmp_path / sub))
    (tmp_path / "run").mkdir(mode=0o700)
    body = secrets.token_hex(16)
    key = f"klen_live_{body}"
    server = make_emulator(keys=(*STANDARD_KEYS, ApiKeySpec(key, rpm=TEST_RPM)))
    server.admin.insert_events([{"title": "Fitting with j.doe@example.com", **_slot(server)}])

    app = await make_app(server=server, demo=True)
    try:
        # Onboarding: the user pastes the key; the controller stores it in the keyring and goes live.
        await app.controller.save_key(key)
        assert await app.desktop.key_store.get() == key
        live = app.controller.session.core
        assert live.config.api_key == key and not live.config.demo
        await app.until(lambda: app.controller.status.last_success is not None, "the first live sync")
        await app.controller.reload()
        assert "Fitting with j.doe@example.com" in app.agenda_titles()

        # A 5xx: the sync reports it and goes on.
        server.faults.fail_next(2, status=503)  # both attempts of one poll
        await app.controller.sync_now()
        await app.until(lambda: app.controller.status.last_error_code == "server_error", "the 503 to show")

        # The key is revoked: the next sync meets a 401.
        server.admin.revoke_key(key)
        await app.controller.sync_now()
        await app.until(lambda: app.controller.status.last_error_code == "invalid_key", "the 401 to show")

        # A crash: an exception escapes a Qt slot and reaches sys.excepthook, its message holding the key.
        def crash() -> None:
            raise RuntimeError(f"slot failed while holding {key}")

        QTimer.singleShot(0, crash)
        await app.until(lambda: "unhandled exception" in app_logging.getvalue(), "the crash report")
    finally:
        await app.desktop.key_store.delete()
        await app.desktop.shutdown()  # closes the database: the -wal is checkpointed or left, both are searched

    needles = [key.encode(), body.encode(), body[:12].encode()]
    log_text = app_logging.getvalue()
    log_file = tmp_path / "state" / "log" / "klen-desktop.log"
    assert "RuntimeError: slot failed while holding klen_***" in log_file.read_text()
    assert "klen_desktop.crash" in log_text and "-> 401" in log_text and "-> 503" in log_text
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert any(name.endswith("settings.json") or "sqlite3" in name for name in written), written
    assert _files_holding(tmp_path, needles) == []
    assert not any(needle.decode() in log_text for needle in needles)


def _slot(server: EmulatorServer) -> dict[str, object]:
    from datetime import UTC, datetime, timedelta

    start = (datetime.now(UTC) + timedelta(hours=3)).replace(second=0, microsecond=0)
    return {"start_time": start, "end_time": start + timedelta(minutes=30)}
