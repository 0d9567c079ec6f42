"""Applying queued writes to cached events, and the conflict rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from klen_desktop.api.models import Customer, EventDetail, EventStatus, EventType, format_utc
from klen_desktop.sync.local_apply import apply_payload, conflicting_fields, detail_from_input

START = datetime(2026, 12, 1, 9, tzinfo=UTC)


def detail(**changes: object) -> EventDetail:
    values: dict[str, object] = {
        "id": 7,
        "uuid": "u-7",
        "title": "Call",
        "event_type": EventType.MEETING,
        "status": EventStatus.SCHEDULED,
        "start_time": START,
        "end_time": START + timedelta(minutes=30),
        "duration_minutes": 30,
        "remind_before_minutes": 15,
    }
    values.update(changes)
    return EventDetail.model_validate(values)


def test_apply_payload_maps_flat_input_names_onto_the_event() -> None:
    new_end = START + timedelta(hours=2)
    result = apply_payload(
        detail(), {"customer_phone": "+15551234567", "end_time": format_utc(new_end), "send_notifications": False}
    )
    assert result.customer == Customer(phone="+15551234567")
    assert result.end_time == new_end and result.duration_minutes == 120
    assert result.remind_before_minutes == 15


def test_unlinking_an_agent_removes_it() -> None:
    result = apply_payload(detail(ai_agent={"id": 3, "name": "Bot"}), {"ai_agent_id": None})
    assert result.ai_agent is None


def test_detail_from_input_uses_the_create_defaults() -> None:
    created = detail_from_input(
        -4,
        "local:x",
        {"title": "T", "start_time": format_utc(START), "end_time": format_utc(START + timedelta(hours=1))},
    )
    assert (created.id, created.status, created.event_type) == (-4, EventStatus.SCHEDULED, EventType.MEETING)
    assert created.is_reminder_enabled and created.remind_before_minutes == 60 and created.duration_minutes == 60


def test_a_field_changed_by_both_sides_conflicts() -> None:
    base = detail().model_dump(mode="json")
    assert conflicting_fields(base, detail(title="Theirs"), {"title": "Mine"}) == {"title"}


def test_changes_to_other_fields_or_to_the_same_value_do_not_conflict() -> None:
    base = detail().model_dump(mode="json")
    assert conflicting_fields(base, detail(location="Room"), {"title": "Mine"}) == frozenset()
    assert conflicting_fields(base, detail(title="Mine"), {"title": "Mine"}) == frozenset()
    nested = detail(customer=Customer(name="Ann")).model_dump(mode="json")
    assert conflicting_fields(nested, detail(customer=Customer(name="Bob")), {"customer_name": "Cy"}) == {
        "customer_name"
    }


def test_editing_an_event_cancelled_meanwhile_conflicts() -> None:
    base = detail().model_dump(mode="json")
    assert conflicting_fields(base, detail(status=EventStatus.CANCELLED), {"title": "Mine"}) == {"status"}
    assert conflicting_fields(base, detail(status=EventStatus.CANCELLED), {"status": "confirmed"}) == {"status"}


def test_fields_the_base_copy_lacks_never_conflict() -> None:
    summary_base = {k: v for k, v in detail().model_dump(mode="json").items() if k != "description"}
    assert conflicting_fields(summary_base, detail(description="new"), {"description": "mine"}) == frozenset()
