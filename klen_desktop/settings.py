"""The user's non-secret preferences, kept as JSON beside the other per-user configuration.

The API key is never here: it lives only in the OS keyring (:mod:`klen_desktop.secrets`). This file holds
sync cadence, sync window, the default reminder, which notifications to show, start-at-login, and the agenda's
last view (its list, or the Day or Week grid).

Reading never fails the app: a missing file means the defaults; a file that is not JSON (or not an object)
is moved aside as ``settings.json.bad`` so the user's text is kept for inspection, and the defaults are used;
a single unknown or invalid value falls back to its default with a logged warning while the other values are
kept. Writing is atomic (a temporary file in the same folder, fsync, then ``os.replace``), so a crash leaves
either the old file or the new one, and the file is 0600 from the start because it is created that way.

The file carries ``version``; a newer version than this code knows is read as far as it matches, and
rewritten in this code's version on the next save.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, fields, replace
from pathlib import Path
from typing import Any

from klen_desktop.date_texts import known_zone
from klen_desktop.i18n import LANGUAGE_NAMES, _
from klen_desktop.paths import config_dir, set_aside, write_private_file
from klen_desktop.records import record
from klen_desktop.shortcuts.keys import KeyComboError, parse_or_none

log = logging.getLogger(__name__)

SETTINGS_FILENAME = "settings.json"
SETTINGS_VERSION = 1

# The API allows a fixed number of requests a minute per key, shared by polling, detail reads and writes; a
# poll costs at least one list request, so polling faster than twice a minute leaves too little for the rest.
MIN_FAST_POLL_SECONDS = 30
MAX_POLL_SECONDS = 3600
MAX_WINDOW_DAYS_BACK = 90
MAX_WINDOW_DAYS_AHEAD = 365
MAX_REMINDER_MINUTES = 7 * 24 * 60
AGENDA_VIEWS = ("agenda", "day", "week")
SHORTCUT_FIELDS = ("shortcut_quick_add", "shortcut_join_next_call")


@record(slots=True)
class Preferences:
    """Everything the user may tune that is not a secret. Build through :func:`validate_preferences` to check it."""

    fast_poll_seconds: int = 60
    slow_poll_seconds: int = 300
    window_days_back: int = 7
    window_days_ahead: int = 30
    default_reminder_minutes: int = 15
    notify_reminders: bool = True
    notify_new_bookings: bool = True
    notify_changes: bool = True
    notify_cancellations: bool = True
    start_at_login: bool = False
    agenda_view: str = "agenda"  # the one the user last switched to; the agenda opens on it
    language: str = ""  # "" the desktop's (the environment's), else a code of i18n.LANGUAGE_NAMES; read at start
    # Global shortcuts, as Qt's portable text ("Ctrl+Alt+K"); "" is off, the default: any default combination
    # could silently clash with one the user's desktop or another application already uses.
    shortcut_quick_add: str = ""
    shortcut_join_next_call: str = ""
    second_zone: str = ""  # an IANA zone shown beside local times ("America/New_York"); "" shows none
    version: int = SETTINGS_VERSION


@record(slots=True)
class KeyState:
    """What the settings dialog needs to know about the API key, never the key itself.

    ``stored``: a key is in the keyring. ``demo``: the app is showing the demo calendar. ``keyring_problem``:
    the keyring cannot be used (the text to show as it is, such as :data:`klen_desktop.secrets.NO_BACKEND_HELP`);
    key inputs are then disabled. ``service_url``: the address the app's calendar comes from (the demo emulator's
    in demo mode).
    """

    stored: bool = False
    demo: bool = False
    keyring_problem: str | None = None
    service_url: str = ""


def validate_preferences(prefs: Preferences) -> dict[str, str]:
    """Problems with ``prefs`` as field name -> message fit to show next to that field; empty means valid."""
    errors: dict[str, str] = {}
    if prefs.fast_poll_seconds < MIN_FAST_POLL_SECONDS:
        errors["fast_poll_seconds"] = _(
            "At least {seconds} s: faster checks would use up the API's per-minute request budget."
        ).format(seconds=MIN_FAST_POLL_SECONDS)
    elif prefs.fast_poll_seconds > MAX_POLL_SECONDS:
        errors["fast_poll_seconds"] = _("At most {seconds} s (once an hour).").format(seconds=MAX_POLL_SECONDS)
    if prefs.slow_poll_seconds < prefs.fast_poll_seconds:
        errors["slow_poll_seconds"] = _("Cannot be shorter than the busy-time interval above.")
    elif prefs.slow_poll_seconds > MAX_POLL_SECONDS:
        errors["slow_poll_seconds"] = _("At most {seconds} s (once an hour).").format(seconds=MAX_POLL_SECONDS)
    if not 0 <= prefs.window_days_back <= MAX_WINDOW_DAYS_BACK:
        errors["window_days_back"] = _("Between 0 and {n} days.").format(n=MAX_WINDOW_DAYS_BACK)
    if not 1 <= prefs.window_days_ahead <= MAX_WINDOW_DAYS_AHEAD:
        errors["window_days_ahead"] = _("Between 1 and {n} days.").format(n=MAX_WINDOW_DAYS_AHEAD)
    if not 0 <= prefs.default_reminder_minutes <= MAX_REMINDER_MINUTES:
        errors["default_reminder_minutes"] = _("Between 0 and {n} minutes (one week).").format(n=MAX_REMINDER_MINUTES)
    if prefs.agenda_view not in AGENDA_VIEWS:
        errors["agenda_view"] = "One of " + ", ".join(AGENDA_VIEWS) + "."
    if prefs.language not in LANGUAGE_NAMES:
        errors["language"] = "One of " + ", ".join(repr(code) for code in LANGUAGE_NAMES) + "."
    errors.update(_extra_problems(prefs))
    return errors


def _extra_problems(prefs: Preferences) -> dict[str, str]:
    """The global shortcuts and the second time zone (their own module knows each rule)."""
    errors: dict[str, str] = {}
    shortcuts = []
    for name in SHORTCUT_FIELDS:
        try:
            combo = parse_or_none(getattr(prefs, name))
        except KeyComboError as exc:
            errors[name] = str(exc)
            continue
        if combo is not None:
            shortcuts.append(combo)
    if len(set(shortcuts)) < len(shortcuts):
        errors[SHORTCUT_FIELDS[-1]] = _("The same combination cannot run both actions.")
    if prefs.second_zone and not known_zone(prefs.second_zone):
        errors["second_zone"] = _("{zone} is not a time zone this computer knows.").format(zone=repr(prefs.second_zone))
    return errors


def settings_path() -> Path:
    """``settings.json`` in platformdirs' ``user_config_dir("klen-desktop")`` (the folder is created 0700)."""
    return config_dir() / SETTINGS_FILENAME


def _coerce(name: str, value: Any, default: Any) -> Any:
    """``value`` when it has the type of ``default`` (bool and int kept apart), else raise ValueError."""
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        raise ValueError(f"{name} must be true or false")
    if isinstance(default, int):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise ValueError(f"{name} must be a whole number")
    if isinstance(default, str):
        if isinstance(value, str):
            return value
        raise ValueError(f"{name} must be text")
    raise ValueError(f"{name} has an unsupported type")  # pragma: no cover - every field is bool, int or str


def preferences_from_dict(data: dict[str, Any]) -> Preferences:
    """Preferences from a decoded settings object; unknown keys and invalid values fall back with a warning."""
    defaults = Preferences()
    known = {f.name for f in fields(Preferences)}
    for name in sorted(set(data) - known):
        log.warning("settings: ignoring unknown setting %r", name)
    values: dict[str, Any] = {}
    for name in known - {"version"}:
        if name not in data:
            continue
        try:
            values[name] = _coerce(name, data[name], getattr(defaults, name))
        except ValueError as exc:
            log.warning("settings: %s; using the default %r", exc, getattr(defaults, name))
    version = data.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > SETTINGS_VERSION:
        log.warning("settings: written by a newer Klen Desktop (version %s); reading what this version knows", version)
    prefs = replace(defaults, **values)
    # A value can be well typed yet out of range (or at odds with another): each such field goes back to its
    # default alone, so one bad number does not cost the user every other choice.
    for name, message in validate_preferences(prefs).items():
        log.warning("settings: %s %s; using the default", name, message)
        prefs = replace(prefs, **{name: getattr(defaults, name)})
    if validate_preferences(prefs):
        log.warning("settings: the saved values do not fit together; using the defaults")
        return defaults
    return prefs


def load_preferences(path: Path | None = None) -> Preferences:
    """The saved preferences, or the defaults (never raises for a missing, unreadable or corrupt file)."""
    path = settings_path() if path is None else path
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Preferences()
    except OSError as exc:
        log.warning("settings: cannot read %s (%s); using the defaults", path, type(exc).__name__)
        return Preferences()
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        set_aside(path, "settings")
        return Preferences()
    if not isinstance(data, dict):
        set_aside(path, "settings")
        return Preferences()
    return preferences_from_dict(data)


def save_preferences(prefs: Preferences, path: Path | None = None) -> None:
    """Write ``prefs`` atomically as a 0600 JSON file.

    Raises ValueError for invalid preferences (see :func:`validate_preferences`) and OSError when the disk refuses.
    """
    errors = validate_preferences(prefs)
    if errors:
        raise ValueError("; ".join(errors.values()))
    path = settings_path() if path is None else path
    payload = json.dumps(asdict(replace(prefs, version=SETTINGS_VERSION)), indent=2, sort_keys=True) + "\n"
    write_private_file(path, payload)
    log.info("settings saved to %s", path)
