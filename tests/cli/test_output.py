"""What ``next`` shows on a panel: the text, the tooltip and the class waybar styles by, for an event under way,
one soon, one later today, one on another day, and none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from klen_desktop.command_line.json_times import utc_text
from klen_desktop.command_line.output import next_fields, render

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def event(start: datetime, minutes: int = 30, title: str = "Call with Jane") -> dict[str, object]:
    return {"id": 7, "title": title, "type": "voice_call", "status": "confirmed", "start": utc_text(start),
            "end": utc_text(start + timedelta(minutes=minutes)), "customer": None, "pending": False}  # fmt: skip


def data(first: dict[str, object] | None, *upcoming: dict[str, object]) -> dict[str, object]:
    return {"now": utc_text(NOW), "event": first, "upcoming": list(upcoming), "demo": False, "source": "app"}


def test_the_class_says_how_near_the_next_event_is() -> None:
    assert next_fields(data(event(NOW - timedelta(minutes=5))))["class"] == "ongoing"
    assert next_fields(data(event(NOW + timedelta(minutes=10))))["class"] == "soon"
    assert next_fields(data(event(NOW + timedelta(days=3))))["class"] == "later"
    nothing = next_fields(data(None))
    assert (nothing["class"], nothing["text"]) == ("none", "")


def test_the_text_says_what_and_when_and_the_tooltip_lists_the_rest_of_today() -> None:
    ongoing = next_fields(data(event(NOW - timedelta(minutes=5))))
    assert ongoing["text"].startswith("Now: Call with Jane (until ")
    soon = next_fields(data(event(NOW + timedelta(minutes=10)), event(NOW + timedelta(hours=2), title="Lunch")))
    assert "Call with Jane (in 10 min)" in soon["text"]
    assert soon["tooltip"].splitlines()[1].endswith("Lunch")


def test_a_long_or_hostile_title_stays_on_one_line() -> None:
    fields = next_fields(data(event(NOW + timedelta(hours=1), title="A\nvery " + "long " * 40)))
    assert "\n" not in fields["text"] and len(fields["text"]) < 120


def test_json_for_waybar_is_one_line_with_its_fields_and_the_event() -> None:
    import json

    line = render("next", data(event(NOW + timedelta(minutes=10))), as_json=True)
    value = json.loads(line)
    assert "\n" not in line and {"text", "tooltip", "class", "event", "upcoming"} <= set(value)


def test_a_hostile_title_cannot_drive_the_terminal_or_the_panel() -> None:
    import json

    title = "Call \x1b]0;owned\x07 %{A1:rm -rf ~:}click%{A} <b>&amp;</b>"
    text = next_fields(data(event(NOW + timedelta(minutes=10), title=title)))["text"]
    assert "\x1b" not in text and "\x07" not in text
    assert "%{" not in text  # polybar would read a click action there
    waybar = json.loads(render("next", data(event(NOW + timedelta(minutes=10), title=title)), as_json=True))
    assert "<b>" not in waybar["text"] and "&lt;b&gt;" in waybar["text"]  # Pango markup escaped
    assert waybar["event"]["title"] == title  # the event itself is as the server sent it, JSON-escaped
