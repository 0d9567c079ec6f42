"""Quick add on a table of phrases: what each one is read as, and which ones are questions instead of guesses.

Every phrase is read relative to one fixed moment, Monday 7 December 2026 at 10:00 in Berlin, so the table holds
at any hour the suite runs; the parser takes ``now`` and the zone as arguments.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from klen_desktop.api.models import EventType
from klen_desktop.quick_add import parse_quick_add

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=BERLIN)  # a Monday

MEETING, BUSY, CALL, VIDEO, APPT = (
    EventType.MEETING,
    EventType.BUSY,
    EventType.VOICE_CALL,
    EventType.VIDEO_CALL,
    EventType.APPOINTMENT,
)

# text, type, start, end, customer, location, title (local times, "%m-%d %H:%M")
READ = [
    (
        "Call with Jane Doe tomorrow 3pm 30 min video",
        VIDEO,
        "12-08 15:00",
        "12-08 15:30",
        "Jane Doe",
        "",
        "Call with Jane Doe",
    ),
    (
        "Demo for Acme Fri 10:00-11:00 at Office",
        MEETING,
        "12-11 10:00",
        "12-11 11:00",
        "Acme",
        "Office",
        "Demo for Acme",
    ),
    ("busy Tue 9am-12", BUSY, "12-08 09:00", "12-08 12:00", "", "", "Busy"),
    ("busy tomorrow 09:00-12:00", BUSY, "12-08 09:00", "12-08 12:00", "", "", "Busy"),
    ("Lunch with Bob at Luigi's 12:30", MEETING, "12-07 12:30", "12-07 13:00", "Bob", "Luigi's", "Lunch with Bob"),
    ("Meeting 2026-12-10 14:00 for 1h", MEETING, "12-10 14:00", "12-10 15:00", "", "", "Meeting"),
    ("Zoom with Ana 24 Dec 16:00", VIDEO, "12-24 16:00", "12-24 16:30", "Ana", "", "Zoom with Ana"),
    ("Call Jane 2-3pm tomorrow", CALL, "12-08 14:00", "12-08 15:00", "", "", "Call Jane"),
    ("interview in 3 days 11:00-11:45 in Room 4", MEETING, "12-10 11:00", "12-10 11:45", "", "Room 4", "Interview"),
    (
        "Consultation with Dr. Who Friday 11am",
        APPT,
        "12-11 11:00",
        "12-11 11:30",
        "Dr. Who",
        "",
        "Consultation with Dr. Who",
    ),
    (
        "Appointment with Mary Smith Thursday 16:15 45 min",
        APPT,
        "12-10 16:15",
        "12-10 17:00",
        "Mary Smith",
        "",
        "Appointment with Mary Smith",
    ),
    (
        "phone call with +1 team lead tomorrow 8pm",
        CALL,
        "12-08 20:00",
        "12-08 20:30",
        "+1 team lead",
        "",
        "Phone call with +1 team lead",
    ),
    (
        "Video call with Carlos tomorrow at 15:30 for 1.5 hours",
        VIDEO,
        "12-08 15:30",
        "12-08 17:00",
        "Carlos",
        "",
        "Video call with Carlos",
    ),
    ("focus time Wed 13-17", BUSY, "12-09 13:00", "12-09 17:00", "", "", "Focus time"),
    ("Workshop Dec 15 9:00am - 1pm at HQ", MEETING, "12-15 09:00", "12-15 13:00", "", "HQ", "Workshop"),
    ("Check-up for Lisa 15th December 10:30", APPT, "12-15 10:30", "12-15 11:00", "Lisa", "", "Check-up for Lisa"),
    ("Review today 16:00", MEETING, "12-07 16:00", "12-07 16:30", "", "", "Review"),
    ("Call today at 5pm", CALL, "12-07 17:00", "12-07 17:30", "", "", "Call"),
    ("Standup tomorrow 09:15 15 min", MEETING, "12-08 09:15", "12-08 09:30", "", "", "Standup"),
    (
        "Demo with Globex day after tomorrow 11am 1h",
        MEETING,
        "12-09 11:00",
        "12-09 12:00",
        "Globex",
        "",
        "Demo with Globex",
    ),
    ("meet Tom at Cafe Central tomorrow noon", MEETING, "12-08 12:00", "12-08 12:30", "", "Cafe Central", "Meet Tom"),
    (
        "Teams call with Priya Wed 10:00 to 10:45",
        VIDEO,
        "12-09 10:00",
        "12-09 10:45",
        "Priya",
        "",
        "Teams call with Priya",
    ),
    ("Appointment 24.12. 9:00", APPT, "12-24 09:00", "12-24 09:30", "", "", "Appointment"),
    ("Appointment 15/12 14:00", APPT, "12-15 14:00", "12-15 14:30", "", "", "Appointment"),
    ("Call with Ken Jan 3 10:00", CALL, "01-03 10:00", "01-03 10:30", "Ken", "", "Call with Ken"),
    ("busy 2026-12-31 13:00-17:00", BUSY, "12-31 13:00", "12-31 17:00", "", "", "Busy"),
    (
        "Sync with Marketing this Friday 2pm",
        MEETING,
        "12-11 14:00",
        "12-11 14:30",
        "Marketing",
        "",
        "Sync with Marketing",
    ),
    ("Call with Ann this Monday 4pm", CALL, "12-07 16:00", "12-07 16:30", "Ann", "", "Call with Ann"),
    ("Call with Ann next Monday 4pm", CALL, "12-14 16:00", "12-14 16:30", "Ann", "", "Call with Ann"),
    (
        "Visit for Oak Dental in 2 weeks 10:00",
        APPT,
        "12-21 10:00",
        "12-21 10:30",
        "Oak Dental",
        "",
        "Visit for Oak Dental",
    ),
    ("Presentation Sat 11:00 2h at Town Hall", MEETING, "12-12 11:00", "12-12 13:00", "", "Town Hall", "Presentation"),
    ("Late call tomorrow 22-00", CALL, "12-08 22:00", "12-09 00:00", "", "", "Late call"),
    ("Call with Jo tomorrow 11-1pm", CALL, "12-08 11:00", "12-08 13:00", "Jo", "", "Call with Jo"),
    ("Session with Kim tomorrow 7pm 1h30", APPT, "12-08 19:00", "12-08 20:30", "Kim", "", "Session with Kim"),
    (
        "Dinner with clients tomorrow 19:30 at The Ivy",
        MEETING,
        "12-08 19:30",
        "12-08 20:00",
        "clients",
        "The Ivy",
        "Dinner with clients",
    ),
    (
        "Quarterly planning Thu 9:00-12:00 @ Board room",
        MEETING,
        "12-10 09:00",
        "12-10 12:00",
        "",
        "Board room",
        "Quarterly planning",
    ),
    ("vacation Fri 8am-6pm", BUSY, "12-11 08:00", "12-11 18:00", "", "", "Vacation"),
    ("Webex with Lee tomorrow 10:00 half an hour", VIDEO, "12-08 10:00", "12-08 10:30", "Lee", "", "Webex with Lee"),
    ("Review at 15:00", MEETING, "12-07 15:00", "12-07 15:30", "", "", "Review"),
    ("Call at 18", CALL, "12-07 18:00", "12-07 18:30", "", "", "Call"),
    ("Meeting tomorrow from 10:00 until 11:30", MEETING, "12-08 10:00", "12-08 11:30", "", "", "Meeting"),
    ("Demo for the team Fri 10:00", MEETING, "12-11 10:00", "12-11 10:30", "", "", "Demo for the team"),
    ("Call with Jane Doe, tomorrow 3pm", CALL, "12-08 15:00", "12-08 15:30", "Jane Doe", "", "Call with Jane Doe"),
    ("Check in Dec 9 at 8:30", MEETING, "12-09 08:30", "12-09 09:00", "", "", "Check in"),
]

# text, a part of the question it must raise (nothing is saved from these)
ASKED = [
    ("busy Monday 9-12", "is today"),  # Monday on a Monday; 9-12 am or pm too
    ("busy Tue 9-12", "could be 09:00–12:00 or 21:00–00:00"),
    ("call at 3", "could be 03:00 or 15:00"),
    ("Call tomorrow 3:30", "could be 03:30 or 15:30"),
    ("Review 3/4 10:00", "could be 3 April or 4 March"),
    ("standup 09:30", "has passed"),
    ("Call today 8am", "has passed"),
    ("Consultation next Friday 11am", "could be"),
    ("Meeting next week 10:00", "names no day"),
    ("Call with Jane tomorrow", "at what time"),
    ("Call with Jane", "at what time"),
    ("Meeting Dec 1 10:00", "has passed this year"),
    ("Meeting 1/12 10:00", "could be 1 December or 12 January"),
    ("Call tomorrow 25:00", "not a time"),
    ("Call tomorrow 13pm", "not a time"),
    ("Meeting tomorrow 10:00 and Fri 11:00", "more than one"),
    ("Meeting tomorrow Fri 10:00", "more than one day"),
    ("Meeting tomorrow 10:00-11:00 for 2h", "both an end time and a length"),
    ("Call tomorrow 30 min 1h", "more than one length"),
    ("Meeting 31.02. 10:00", "not a date"),
    ("Call Monday 4pm", "is today"),
    ("busy tomorrow 2-4", "could be 02:00–04:00 or 14:00–16:00"),
]


def _local(moment: datetime | None) -> str:
    assert moment is not None
    return moment.astimezone(BERLIN).strftime("%m-%d %H:%M")


@pytest.mark.parametrize(("text", "kind", "start", "end", "customer", "location", "title"), READ)
def test_phrase_is_read(
    text: str, kind: EventType, start: str, end: str, customer: str, location: str, title: str
) -> None:
    parsed = parse_quick_add(text, NOW, BERLIN)
    assert parsed.questions == ()
    assert parsed.ready
    assert (parsed.event_type, _local(parsed.start), _local(parsed.end)) == (kind, start, end)
    assert (parsed.customer_name, parsed.location, parsed.title) == (customer, location, title)


@pytest.mark.parametrize(("text", "question"), ASKED)
def test_ambiguous_or_incomplete_phrase_asks(text: str, question: str) -> None:
    parsed = parse_quick_add(text, NOW, BERLIN)
    assert not parsed.ready
    assert parsed.start is None
    assert any(question.lower() in asked.lower() for asked in parsed.questions), parsed.questions


def test_the_table_holds_at_least_sixty_phrases() -> None:
    assert len(READ) + len(ASKED) >= 60


def test_a_date_in_summer_time_gets_the_summer_offset() -> None:
    parsed = parse_quick_add("Meeting 2027-07-01 10:00", NOW, BERLIN)
    assert parsed.start is not None
    assert parsed.start.utcoffset() is not None and parsed.start.utcoffset().total_seconds() == 2 * 3600


def test_video_provider_comes_from_the_words() -> None:
    parsed = parse_quick_add("Zoom with Ana tomorrow 16:00", NOW, BERLIN)
    assert parsed.has_video and parsed.video_provider == "Zoom"
    draft = parsed.draft()
    assert draft.has_video_conference and draft.video_conference_provider == "Zoom"
    assert draft.customer_name == "Ana"


def test_a_draft_for_the_editor_is_made_even_from_a_question() -> None:
    fallback = datetime(2026, 12, 7, 10, 30, tzinfo=BERLIN)
    parsed = parse_quick_add("Call with Jane", NOW, BERLIN)
    draft = parsed.draft(start=fallback)
    assert (draft.title, draft.customer_name, draft.start) == ("Call with Jane", "Jane", fallback)
    assert parsed.problems()


# In a fresh interpreter: the zone is read from TZ once per process.
POSIX_RULE_PROBE = """
from datetime import datetime
from klen_desktop.quick_add import parse_quick_add

parsed = parse_quick_add("Call with Dana 24 Dec 10:00", datetime(2026, 12, 8, 1, 30).astimezone())
print(parsed.start.astimezone().strftime("%m-%d %H:%M %z"), parsed.questions)
"""


@pytest.mark.parametrize(
    ("rule", "read"), [("<-0136>1:36", "12-24 10:00 -0136"), ("<+0040>-0:40", "12-24 10:00 +0040")]
)
def test_a_month_name_is_read_where_the_zone_is_a_posix_rule_not_a_name(rule: str, read: str) -> None:
    # TZ may hold a rule rather than a zone name; the date parser's own zone lookup (tzlocal) refuses those.
    env = {**os.environ, "TZ": rule}
    result = subprocess.run(
        [sys.executable, "-c", POSIX_RULE_PROBE], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{read} ()"
