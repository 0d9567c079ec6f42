"""Fuzzing the editor's drafts: ``validate`` never raises, and a draft it passes is a body the server takes.

Arbitrary text (any code point, padding spaces), times in any offset, any reminder minutes and flags. The
offline properties run many examples; the check against a real emulator over loopback runs a small sample.
``make fuzz`` raises both budgets through ``KLEN_FUZZ_EXAMPLES``.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from fixtures_emulator import CREATE, EVENTS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from klen_desktop.api.models import CREATE_STATUSES, EventDetail, EventStatus, EventType, parse_model
from klen_desktop.drafts import EventDraft, validate
from klen_desktop.store.events import StoredEvent

LONG_RUN = int(os.environ.get("KLEN_FUZZ_EXAMPLES", "0") or 0)


def fuzz_settings(ci_examples: int, *, long_share: int = 1) -> settings:
    # Moderate in CI; under make fuzz the budget (divided by long_share for the slower loopback property).
    return settings(
        max_examples=max(LONG_RUN // long_share, ci_examples),
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


SENT = {"create": 0, "patch": 0}  # how many examples reached the server (printed by make fuzz via -s)

# Text as a user may type or paste it: any code point, often padded with spaces, sometimes long.
typed = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
texts = st.one_of(
    typed,
    st.builds(lambda t: f"  {t}\t", typed),
    st.sampled_from(["", " ", "a@b.co", "+49 30 123-4567", "0044 20 7946 0958", "https://meet.example/x"]),
    st.text(min_size=300, max_size=1200),
)
# Fields with a format: mostly empty or well-formed (so valid drafts are common), sometimes anything.
good_emails = st.just("") | st.from_regex(r"\A[a-zA-Z0-9._%+\-]{1,20}@[a-z0-9\-]{1,12}(\.[a-z]{2,6}){1,2}\Z")
good_phones = st.just("") | st.from_regex(r"\A(\+|00)[1-9]\d{2}([ .\-]?\d{2,3}){2,4}\Z")
good_urls = st.just("") | st.from_regex(r"\Ahttps?://[a-z0-9]{1,12}(\.[a-z]{2,5})+(/[!-~]{0,30})?\Z")
offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
instants = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=offsets)
minutes = st.integers() | st.integers(min_value=-5, max_value=7 * 24 * 60 + 5)


@st.composite
def drafts(draw: st.DrawFn, *, creating: bool | None = None, tidy: bool = False) -> EventDraft:
    """Any draft; ``tidy`` keeps the formatted fields well-formed so that most drafts pass (for loopback)."""
    loose = st.nothing() if tidy else texts
    new = draw(st.booleans()) if creating is None else creating
    start = draw(instants)
    end = start + timedelta(minutes=draw(st.integers(min_value=1 if tidy else -120, max_value=60 * 24 * 40)))
    return EventDraft(
        title=draw(typed.filter(str.strip) if tidy else texts.filter(str.strip) if new else texts),
        start=start,
        end=end,
        description=draw(texts),
        event_type=draw(st.sampled_from(EventType)),
        status=draw(st.sampled_from(sorted(CREATE_STATUSES) if new and tidy else list(EventStatus))),
        location=draw(texts),
        customer_name=draw(texts),
        customer_email=draw(good_emails | loose),
        customer_phone=draw(good_phones | loose),
        customer_notes=draw(texts),
        has_video_conference=draw(st.booleans()),
        video_conference_url=draw(good_urls | loose),
        video_conference_provider=draw(texts),
        is_reminder_enabled=draw(st.booleans()),
        remind_before_minutes=draw(st.integers(0, 7 * 24 * 60) if tidy else minutes),
        sync_external_calendars=draw(st.booleans()),
        send_notifications=draw(st.booleans()),
        event_id=None if new else draw(st.integers(min_value=1, max_value=10**6)),
    )


@fuzz_settings(250)
@given(draft=drafts(), other=drafts())
def test_validate_never_raises_and_to_input_follows_it(draft: EventDraft, other: EventDraft) -> None:
    problems = validate(draft, creating=draft.creating)
    assert all(isinstance(k, str) and isinstance(v, str) and v for k, v in problems.items())
    validate(draft, creating=False, unchanged_from=other)  # the edit path must not raise either
    if problems:
        return
    payload = draft.to_input().to_payload()
    assert payload["title"] == draft.title.strip()
    assert payload["start_time"].endswith("Z") and payload["end_time"].endswith("Z")
    assert all(value != "" for value in payload.values())  # empty texts are omitted on a create


@fuzz_settings(25, long_share=200)
@given(draft=drafts(creating=True, tidy=True))
def test_a_valid_draft_is_accepted_by_the_emulator(api, emulator, draft: EventDraft) -> None:
    # Only drafts that pass are sent: the server must then take them, and keep what was typed.
    if validate(draft, creating=True):
        return
    SENT["create"] += 1
    emulator.admin.reset("empty")  # fresh daily-limit counter for every example
    client = api()
    answer = client.post(CREATE, json=draft.to_input().to_payload())
    assert answer.status_code == 201, answer.text
    created = answer.json()
    detail = client.get(f"{EVENTS}/{created['id']}").json()
    assert detail["title"] == draft.title.strip()
    assert detail["start_time"] == draft.to_input().to_payload()["start_time"]
    assert (detail["description"] or "") == draft.description.strip()


@fuzz_settings(25, long_share=200)
@given(draft=drafts(creating=True, tidy=True), edit=drafts(creating=False, tidy=True))
def test_a_valid_edit_is_accepted_by_the_emulator(api, emulator, draft: EventDraft, edit: EventDraft) -> None:
    # The edit path: the PATCH built from any valid change of a stored event is accepted as sent.
    if validate(draft, creating=True):
        return
    emulator.admin.reset("empty")
    client = api()
    created = client.post(CREATE, json=draft.to_input().to_payload())
    assert created.status_code == 201, created.text
    detail = parse_model(EventDetail, client.get(f"{EVENTS}/{created.json()['id']}").json())
    stored = StoredEvent(summary=detail, detail=detail, detail_fetched_at=datetime.now(UTC), local_state=None)
    changed = replace(edit, event_id=detail.id)
    if validate(changed, creating=False, unchanged_from=EventDraft.from_event(stored)):
        return
    patch = changed.to_patch(stored).to_payload()
    SENT["patch"] += 1
    answer = client.patch(f"{EVENTS}/{detail.id}/update", json=patch)
    assert answer.status_code == 200, (patch, answer.text)


def test_the_loopback_sample_was_not_empty() -> None:
    # Runs after the two loopback properties (file order): a strategy that never made a valid draft tests nothing.
    if SENT["create"] or SENT["patch"]:
        print(f"drafts sent to the emulator: {SENT}")
        assert SENT["create"] >= 1


def test_overlong_texts_are_caught_in_the_editor_not_by_a_refused_save() -> None:
    # Found by the fuzzer: a 256-character title passed validate() and the server then refused the save.
    start = datetime(2025, 6, 1, 9, tzinfo=UTC)
    draft = EventDraft(title="t" * 256, start=start, end=start + timedelta(hours=1), description="d" * 10_001)
    assert set(validate(draft, creating=True)) == {"title", "description"}
    ok = replace(draft, title=" " + "t" * 255 + " ", description="d" * 10_000)
    assert validate(ok, creating=True) == {}
    # An edit does not trap the user on a long title the server already holds and they did not touch.
    assert validate(replace(draft, location="x"), creating=False, unchanged_from=draft) == {}
