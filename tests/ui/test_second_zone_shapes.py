"""The second time zone's texts under a day-first 24-hour and a month-first 12-hour locale, across DST changes
and a change of the local zone, and the setting kept in the settings file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from local_zone import local_zone

from klen_desktop import date_texts
from klen_desktop.date_texts import (
    second_hour_label,
    second_range,
    second_span,
    set_second_zone,
)
from klen_desktop.settings import Preferences, load_preferences, save_preferences, validate_preferences

BERLIN = ZoneInfo("Europe/Berlin")
TODAY = date(2027, 6, 1)  # the "today" the dates are read against: no year named for 2027


@pytest.fixture(params=["day-first-24h", "month-first-12h"])
def style(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param == "month-first-12h":
        monkeypatch.setattr(date_texts, "_order_and_clock", lambda: (True, True, "AM", "PM"))
    date_texts.forget_style()
    set_second_zone("America/New_York")
    with local_zone("Europe/Berlin"):
        yield str(request.param)
    set_second_zone("")
    date_texts.forget_style()


def berlin(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=BERLIN)


def hour(start: datetime) -> str:
    """The second zone's span of the hour from ``start``."""
    return second_span(start, start + timedelta(hours=1))


def test_an_events_times_in_the_second_zone(style: str) -> None:
    twelve = style == "month-first-12h"
    assert hour(berlin(1, 15, 14)) == ("8:00 AM–9:00 AM New York" if twelve else "08:00–09:00 New York")
    # Another day there: its weekday is named, and the end's when the event crosses midnight there.
    assert hour(berlin(1, 15, 3)) == ("Thu 9:00 PM–10:00 PM New York" if twelve else "Thu 21:00–22:00 New York")
    assert second_span(berlin(1, 15, 5, 30), berlin(1, 15, 6, 30)) == (
        "Thu 11:30 PM–Fri 12:30 AM New York" if twelve else "Thu 23:30–Fri 00:30 New York"
    )
    assert second_range(berlin(1, 15, 14), berlin(1, 15, 15), TODAY) == (
        "Fri Jan 15, 8:00 AM–9:00 AM · New York (UTC−5)" if twelve else "Fri 15 Jan, 08:00–09:00 · New York (UTC−5)"
    )
    # The week grid's second hour column: the hour there of a local hour.
    assert second_hour_label(berlin(1, 15, 9)) == ("3:00 AM" if twelve else "03:00")


def test_the_second_zone_follows_both_daylight_saving_changes(style: str) -> None:
    # New York moves its clocks on 14 March 2027, Berlin on 28 March: for two weeks they are 5 hours apart.
    texts = [hour(berlin(3, day, 14)) for day in (10, 20, 30)]
    if style == "month-first-12h":
        assert texts == ["8:00 AM–9:00 AM New York", "9:00 AM–10:00 AM New York", "8:00 AM–9:00 AM New York"]
    else:
        assert texts == ["08:00–09:00 New York", "09:00–10:00 New York", "08:00–09:00 New York"]
    assert second_range(berlin(3, 20, 14), berlin(3, 20, 15), TODAY).endswith("New York (UTC−4)")


def test_a_change_of_the_local_zone_is_followed(style: str) -> None:
    moment = berlin(1, 15, 20)
    assert hour(moment) == ("2:00 PM–3:00 PM New York" if style == "month-first-12h" else "14:00–15:00 New York")
    with local_zone("Asia/Tokyo"):
        text = hour(moment)
    # 04:00 on Saturday in Tokyo is 14:00 on Friday in New York: a day apart now, so the weekday is named.
    assert text == ("Fri 2:00 PM–3:00 PM New York" if style == "month-first-12h" else "Fri 14:00–15:00 New York")


def test_no_second_zone_means_local_times_alone() -> None:
    set_second_zone("")
    assert second_range(berlin(1, 15, 14), berlin(1, 15, 15)) == ""
    assert second_hour_label(berlin(1, 15, 14)) == ""
    assert second_span(berlin(1, 15, 14), berlin(1, 15, 15)) == ""
    set_second_zone("Not/AZone")  # a hand-edited file with a zone this computer lacks: none shown
    assert date_texts.second_zone_id() == ""


def test_the_choice_is_kept_in_the_settings_file_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    prefs = Preferences(second_zone="Asia/Kolkata", shortcut_quick_add="Ctrl+Alt+K")
    save_preferences(prefs, path)
    assert load_preferences(path) == prefs
    assert json.loads(path.read_text())["second_zone"] == "Asia/Kolkata"
    assert validate_preferences(Preferences(second_zone="Mars/Olympus")) == {
        "second_zone": "'Mars/Olympus' is not a time zone this computer knows."
    }
    assert validate_preferences(Preferences(second_zone="../../etc/passwd"))
    # A file edited by hand: the bad zone goes back to none, the rest is kept.
    path.write_text(json.dumps({"second_zone": "Mars/Olympus", "shortcut_quick_add": "Ctrl+Alt+K"}))
    assert load_preferences(path) == Preferences(shortcut_quick_add="Ctrl+Alt+K")
    assert validate_preferences(Preferences(shortcut_quick_add="K"))["shortcut_quick_add"].startswith("Add Ctrl")
    same = Preferences(shortcut_quick_add="Ctrl+Alt+K", shortcut_join_next_call="Alt+Ctrl+K")
    assert validate_preferences(same) == {"shortcut_join_next_call": "The same combination cannot run both actions."}
