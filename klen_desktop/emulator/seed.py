"""The demo calendar: a realistic fortnight around the server clock's now (7 days back, 7 ahead).

Deterministic for a given clock reading: a seeded generator picks times, people and details, so two
servers started at the same instant hold the same calendar (ids aside). The business sits in
:data:`decisions.SEED_TIMEZONE`; events fall on its local business hours and are stored in UTC.
Phone numbers use ranges reserved for fiction (UK 07700 900xxx, US 555-01xx) and e-mail addresses
``example.com``-style domains, so the demo never points at a real person.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from uuid import UUID
from zoneinfo import ZoneInfo

from klen_desktop.emulator import decisions
from klen_desktop.emulator.model import EventFields
from klen_desktop.emulator.store import EventStore
from klen_desktop.records import record


@record
class _Person:
    name: str
    email: str
    phone: str
    company: str


PEOPLE: Final = (
    _Person("Amelia Hughes", "amelia.hughes@example.com", "+447700900123", "Hughes Interiors"),
    _Person("Oliver Bennett", "oliver@bennett-legal.example", "+447700900456", "Bennett Legal"),
    _Person("Priya Raman", "priya.raman@example.org", "+447700900789", "Raman Dental"),
    _Person("Marcus Feld", "m.feld@feldlogistics.example", "+4915550123456", "Feld Logistics"),
    _Person("Sofia Moreno", "sofia.moreno@example.net", "+34600000123", "Moreno Estudio"),
    _Person("James O'Connor", "james.oconnor@example.com", "+353850000111", "O'Connor Builders"),
    _Person("Hannah Schmidt", "hannah@schmidt-coaching.example", "+4915550198765", "Schmidt Coaching"),
    _Person("Daniel Kim", "daniel.kim@example.com", "+15555550142", "Kim & Park LLP"),
    _Person("Grace Thompson", "grace.t@example.org", "+447700900321", "Thompson Physio"),
    _Person("Lucas Martin", "lucas.martin@example.fr", "+33700000123", "Atelier Martin"),
    _Person("Chloe Davies", "chloe.davies@example.co.uk", "+447700900654", "Davies Florals"),
    _Person("Ethan Brooks", "ethan.brooks@example.com", "+15555550187", "Brooks Realty"),
    _Person("Zara Ahmed", "zara.ahmed@example.com", "+447700900987", "Ahmed Accountancy"),
    _Person("Noah Williams", "noah@williams-garage.example", "+447700900246", "Williams Garage"),
)
NOTES: Final = (
    "Prefers mornings; call the mobile number first.",
    "Interested in the annual plan.",
    "Bring the signed NDA.",
    "Asked for a follow-up summary by e-mail.",
    "Second meeting: pricing questions.",
    "Booked through the website chat.",
    "Wheelchair access needed at reception.",
    "Referred by an existing customer.",
)
VIDEO: Final = (
    ("Zoom", "https://zoom.us/j/{n}"),
    ("Google Meet", "https://meet.google.com/{w}"),
    ("Microsoft Teams", "https://teams.microsoft.com/l/meetup-join/{n}"),
)
TITLES: Final = {
    "meeting": ("Quarterly planning", "Client kickoff: {company}", "Project review", "Contract walkthrough",
                "Partnership intro: {company}"),
    "appointment": ("Consultation: {name}", "Onboarding session: {company}", "Follow-up appointment: {name}",
                    "Site visit: {company}"),
    "busy": ("Focus time", "Lunch", "Travel to client", "Admin block", "Team stand-up"),
    "voice_call": ("Call with {name}", "Discovery call: {company}", "Renewal call: {company}"),
    "video_call": ("Product demo: {company}", "Weekly sync with {name}", "Proposal review: {company}"),
}  # fmt: skip
LOCATIONS: Final = ("Conference Room A", "Conference Room B", "Head office, 2nd floor", "12 Market Street, Leeds")
TYPE_CYCLE: Final = (
    "meeting", "appointment", "video_call", "voice_call", "busy", "appointment", "video_call", "meeting",
)  # fmt: skip
AGENTS_FOR: Final = {"appointment": (7, 19), "voice_call": (12, 7), "video_call": (12, 42), "meeting": (42,)}
REMINDERS: Final = (5, 10, 15, 15, 30, 30, 60, 120, 1440)
#: The events "starting soon", minutes from now, with their reminder lead time. The leads are shorter than the
#: starts, so on a first demo run the reminders come due 5, 10 and 20 minutes later, on time, rather than at once as
#: late ones.
SOON: Final = ((10, "video_call", 5), (25, "voice_call", 15), (50, "appointment", 30))
PAST_STATUS_CYCLE: Final = ("completed", "no_show", "cancelled", "completed", "completed", "completed", "no_show")

SeedItem = tuple[EventFields, str, datetime, datetime]


class _Builder:
    def __init__(self, now: datetime) -> None:
        self.now = now
        self.zone = ZoneInfo(decisions.SEED_TIMEZONE)
        self.rng = random.Random(f"klen-demo-{now.isoformat()}")
        self.items: list[SeedItem] = []
        self.past_count = 0

    def uuid(self) -> str:
        return str(UUID(int=self.rng.getrandbits(128), version=4))

    def hexid(self, prefix: str, length: int = 16) -> str:
        return prefix + "".join(self.rng.choice("0123456789abcdef") for _ in range(length))

    def status_for(self, start: datetime, end: datetime) -> str:
        if end <= self.now:
            status = PAST_STATUS_CYCLE[self.past_count % len(PAST_STATUS_CYCLE)]
            self.past_count += 1
            return status
        if start <= self.now:
            return "confirmed"
        return self.rng.choice(("scheduled", "confirmed"))

    def add(
        self, event_type: str, start: datetime, minutes: int, *, status: str | None = None, remind: int = 0
    ) -> None:
        rng = self.rng
        end = start + timedelta(minutes=minutes)
        person = rng.choice(PEOPLE)
        title = rng.choice(TITLES[event_type]).format(name=person.name, company=person.company)
        with_customer = ("appointment", "voice_call", "video_call")
        has_customer = event_type in with_customer or (event_type != "busy" and rng.random() < 0.5)
        by_agent = event_type in AGENTS_FOR and has_customer and rng.random() < 0.6
        video = VIDEO[rng.randrange(len(VIDEO))] if event_type == "video_call" else None
        fields = EventFields(
            title=title,
            start_time=start,
            end_time=end,
            description=f"{title}. Agenda shared in advance." if event_type != "busy" else None,
            event_type=event_type,
            status=status or self.status_for(start, end),
            location=self._location(event_type, person),
            customer_name=person.name if has_customer else None,
            customer_email=person.email if has_customer else None,
            customer_phone=person.phone if has_customer and rng.random() < 0.85 else None,
            customer_notes=rng.choice(NOTES) if has_customer and rng.random() < 0.4 else None,
            has_video_conference=video is not None,
            video_conference_url=video[1].format(n=rng.randrange(10**9, 10**10), w=self._meet_code())
            if video
            else None,
            video_conference_provider=video[0] if video else None,
            is_reminder_enabled=(event_type != "busy" and rng.random() < 0.85) or remind > 0,
            remind_before_minutes=remind or rng.choice(REMINDERS),
            ai_agent_id=rng.choice(AGENTS_FOR[event_type]) if by_agent else None,
            team_id=rng.choice((123, 124)) if event_type in ("meeting", "video_call") and rng.random() < 0.4 else None,
            created_by_ai_agent=by_agent,
            external_google=self.hexid("gcal_") if rng.random() < 0.35 else None,
            external_outlook=self.hexid("AAMkAG") if rng.random() < 0.15 else None,
            external_gohighlevel=self.hexid("ghl_", 12) if rng.random() < 0.1 else None,
        )
        created = min(start - timedelta(days=rng.randint(1, 10), minutes=rng.randint(0, 600)), self.now)
        updated = min(max(created, end + timedelta(minutes=5)), self.now) if end <= self.now else created
        self.items.append((fields, self.uuid(), created, updated))

    def _location(self, event_type: str, person: _Person) -> str | None:
        if event_type == "voice_call":
            return f"Phone: {person.phone}"
        if event_type in ("meeting", "appointment"):
            return self.rng.choice(LOCATIONS)
        return None

    def _meet_code(self) -> str:
        letters = "abcdefghijklmnopqrstuvwxyz"
        return "-".join("".join(self.rng.choice(letters) for _ in range(n)) for n in (3, 4, 3))

    def day(self, local_day: date, index: int) -> None:
        weekend = local_day.weekday() >= 5
        count = self.rng.randint(0, 2) if weekend else self.rng.randint(3, 5)
        taken: list[tuple[datetime, datetime]] = []
        starts = list(range(9 * 60, 17 * 60, 30))
        self.rng.shuffle(starts)
        for offset in starts:
            if len(taken) == count:
                break
            minutes = self.rng.choice((30, 45, 60, 60, 90))
            if offset + minutes > 18 * 60:
                continue
            local = datetime.combine(local_day, time(offset // 60, offset % 60), tzinfo=self.zone)
            start = local.astimezone(UTC)
            end = start + timedelta(minutes=minutes)
            if any(s < end + timedelta(minutes=15) and e > start - timedelta(minutes=15) for s, e in taken):
                continue
            taken.append((start, end))
            self.add(TYPE_CYCLE[(index + len(taken)) % len(TYPE_CYCLE)], start, minutes)


def demo_events(now: datetime) -> list[SeedItem]:
    """The demo calendar for the instant ``now`` (aware): ``(fields, uuid, created_at, updated_at)`` items."""
    now = now.astimezone(UTC).replace(microsecond=0)
    builder = _Builder(now)
    today = now.astimezone(builder.zone).date()
    for index, offset in enumerate(range(-7, 8)):
        builder.day(today + timedelta(days=offset), index)
    base = now.replace(second=0)
    for minutes, event_type, remind in SOON:
        builder.add(event_type, base + timedelta(minutes=minutes), 30, status="confirmed", remind=remind)
    # A cancelled future event: proves cancelled ones are listed and do not block availability.
    cancelled_at = datetime.combine(today + timedelta(days=2), time(11), tzinfo=builder.zone).astimezone(UTC)
    builder.add("meeting", cancelled_at, 60, status="cancelled")
    return builder.items


def seed_demo(store: EventStore, now: datetime) -> int:
    """Fill ``store`` with the demo calendar for ``now``; returns the number of events stored."""
    return len(store.insert_many(demo_events(now)))
