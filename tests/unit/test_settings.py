"""Preferences on disk: round trip, defaults for what cannot be read, private and atomic writes."""

from __future__ import annotations

import json
import logging
import os
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from klen_desktop.settings import (
    SETTINGS_VERSION,
    Preferences,
    load_preferences,
    save_preferences,
    settings_path,
    validate_preferences,
)


def test_defaults_are_what_the_issue_asks_for() -> None:
    prefs = Preferences()
    assert (prefs.fast_poll_seconds, prefs.slow_poll_seconds) == (60, 300)
    assert (prefs.window_days_back, prefs.window_days_ahead) == (7, 30)
    assert prefs.default_reminder_minutes == 15
    assert prefs.notify_reminders and prefs.notify_new_bookings and prefs.notify_changes and prefs.notify_cancellations
    assert not prefs.start_at_login
    assert prefs.version == SETTINGS_VERSION == 1
    assert validate_preferences(prefs) == {}


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    prefs = Preferences(
        fast_poll_seconds=45,
        slow_poll_seconds=900,
        window_days_back=0,
        window_days_ahead=90,
        default_reminder_minutes=0,
        notify_changes=False,
        start_at_login=True,
    )
    save_preferences(prefs, path)
    assert load_preferences(path) == prefs
    assert json.loads(path.read_text())["version"] == SETTINGS_VERSION


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    assert load_preferences(tmp_path / "nope.json") == Preferences()


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe\x00", b"[1, 2, 3]", b'"text"'])
def test_corrupt_file_is_kept_aside_and_defaults_used(
    tmp_path: Path, content: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "settings.json"
    path.write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="klen_desktop.settings"):
        assert load_preferences(path) == Preferences()
    assert not path.exists()
    assert (tmp_path / "settings.json.bad").read_bytes() == content
    assert "settings.json.bad" in caplog.text
    # The next save writes a fresh, readable file.
    save_preferences(Preferences(fast_poll_seconds=90), path)
    assert load_preferences(path).fast_poll_seconds == 90


def test_invalid_values_fall_back_one_by_one(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "settings.json"
    path.write_text(
        json.dumps(
            {
                "version": 1,
                "fast_poll_seconds": 5,  # below the API budget floor
                "slow_poll_seconds": 600,
                "window_days_ahead": "30",  # wrong type
                "notify_changes": 0,  # a number is not a bool
                "default_reminder_minutes": 20,
                "start_at_login": True,
                "colour": "purple",  # unknown
            }
        )
    )
    with caplog.at_level(logging.WARNING, logger="klen_desktop.settings"):
        prefs = load_preferences(path)
    assert prefs == Preferences(slow_poll_seconds=600, default_reminder_minutes=20, start_at_login=True)
    for name in ("fast_poll_seconds", "window_days_ahead", "notify_changes", "colour"):
        assert name in caplog.text


def test_newer_version_is_read_as_far_as_known(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"version": 7, "fast_poll_seconds": 120, "slow_poll_seconds": 240, "future": 1}))
    with caplog.at_level(logging.WARNING, logger="klen_desktop.settings"):
        prefs = load_preferences(path)
    assert (prefs.fast_poll_seconds, prefs.slow_poll_seconds, prefs.version) == (120, 240, SETTINGS_VERSION)
    assert "newer" in caplog.text


def test_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "settings.json"
    old_umask = os.umask(0o022)
    try:
        save_preferences(Preferences(), path)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_write_is_atomic_and_leaves_no_temp_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "settings.json"
    save_preferences(Preferences(fast_poll_seconds=45), path)
    before = path.read_bytes()

    def disk_full(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(OSError):
        save_preferences(Preferences(fast_poll_seconds=120), path)
    monkeypatch.undo()
    # The old file is whole, and the half-done temporary file is gone.
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["settings.json"]


def test_invalid_preferences_are_not_saved(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    with pytest.raises(ValueError, match="30 s"):
        save_preferences(Preferences(fast_poll_seconds=10), path)
    assert not path.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"fast_poll_seconds": 29}, "fast_poll_seconds"),
        ({"fast_poll_seconds": 120, "slow_poll_seconds": 60}, "slow_poll_seconds"),
        ({"slow_poll_seconds": 7200}, "slow_poll_seconds"),
        ({"window_days_back": -1}, "window_days_back"),
        ({"window_days_ahead": 0}, "window_days_ahead"),
        ({"default_reminder_minutes": -5}, "default_reminder_minutes"),
    ],
)
def test_validation_names_the_field(change: dict[str, int], field: str) -> None:
    errors = validate_preferences(replace(Preferences(), **change))
    assert list(errors) == [field]
    assert errors[field]


def test_fast_poll_message_explains_the_budget() -> None:
    assert "budget" in validate_preferences(Preferences(fast_poll_seconds=10))["fast_poll_seconds"]


def test_default_path_is_in_the_user_config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    path = settings_path()
    assert path == tmp_path / "klen-desktop" / "settings.json"
    save_preferences(Preferences(window_days_ahead=60))
    assert load_preferences().window_days_ahead == 60


def test_the_agenda_view_is_kept_and_an_unknown_or_mistyped_one_falls_back(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    save_preferences(Preferences(agenda_view="week"), path)
    assert load_preferences(path).agenda_view == "week"
    for stored in ("month", 3, None):
        path.write_text(json.dumps({"version": 1, "agenda_view": stored, "start_at_login": True}))
        assert load_preferences(path) == Preferences(start_at_login=True)
