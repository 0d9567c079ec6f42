"""The event being edited, as a frozen value: made from a cached event or a new slot, checked, and turned
into the API's create body or the smallest PATCH.

Qt-free on purpose: the editor dialog renders a draft and reads one back, the controller saves it, and every
rule here is unit-tested without a display.

Choices the API docs leave open (section 6 of the contract), made here and nowhere else:

* Text fields are plain ``str``; empty means "not set". A create omits empty fields; a PATCH that clears a
  field sends ``""`` (not ``null``), the value a text column without a value is most likely to accept.
* The video URL is optional even when video is on: the docs' own create example turns video on with only a
  provider, so the server may make the link. When video is off, URL and provider are not sent.
* Titles hold at most :data:`MAX_TITLE_LENGTH` characters and other texts :data:`MAX_TEXT_LENGTH` (the bounds
  our emulator enforces): checked here so the user is told in the editor, not by a refused save.
* Reminder minutes go from 0 to :data:`MAX_REMIND_MINUTES` (one week, the bound our emulator enforces too);
  a larger value is almost surely a typo.
* Phone numbers must be international (``+`` and 7 to 15 digits, or ``00`` instead of ``+``); spaces, dashes,
  dots and brackets are tolerated and dropped when sent (``+49 30 123-4567`` -> ``+49301234567``).
* An event longer than :data:`LONG_EVENT` may be saved (retreats and trips are real) but is questioned
  (:func:`length_warning`): such a length is far more often a whole date typed into the end by mistake.
* ``sync_external_calendars`` and ``send_notifications`` are request flags the server never returns, so an
  edit sends them only when turned off, and only together with a real change.
"""

from __future__ import annotations

import re
from dataclasses import fields, replace
from datetime import datetime, timedelta
from typing import Any, Final

from klen_desktop.api.models import CREATE_STATUSES, EventInput, EventPatch, EventStatus, EventType
from klen_desktop.date_texts import duration_text
from klen_desktop.i18n import _
from klen_desktop.links import is_web_link
from klen_desktop.records import record
from klen_desktop.store.events import StoredEvent

MAX_REMIND_MINUTES: Final = 7 * 24 * 60
MAX_TITLE_LENGTH: Final = 255
MAX_TEXT_LENGTH: Final = 10_000
#: The server's default when a create does not say (used for events whose details are not cached).
SERVER_DEFAULT_REMIND_MINUTES: Final = 60
#: Longer than this, an event is questioned before it is saved (not refused).
LONG_EVENT: Final = timedelta(days=1)
MIN_PHONE_DIGITS: Final = 7
MAX_PHONE_DIGITS: Final = 15

_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
_PHONE_SEPARATORS = re.compile(r"[\s\-.()/]")

#: Draft fields that are plain text (stripped before use).
TEXT_FIELDS: Final = (
    "title",
    "description",
    "location",
    "customer_name",
    "customer_email",
    "customer_phone",
    "customer_notes",
    "video_conference_url",
    "video_conference_provider",
)

#: Draft field -> API field where the names differ (the API's other writable names equal the draft's).
_API_NAMES: Final = {"start": "start_time", "end": "end_time"}
_DRAFT_NAMES: Final = {api: draft for draft, api in _API_NAMES.items()}


@record
class EventDraft:
    """Every editable field of an event. ``event_id`` None means a new event.

    ``start`` and ``end`` must be timezone-aware. ``partial`` is True when the draft was made from an event
    whose details were not cached: description, customer notes, reminder and video provider are then
    unknown rather than empty (an edit leaves them alone unless the user fills them in).
    """

    title: str
    start: datetime
    end: datetime
    description: str = ""
    event_type: EventType = EventType.MEETING
    status: EventStatus = EventStatus.SCHEDULED
    location: str = ""
    customer_name: str = ""
    customer_email: str = ""
    customer_phone: str = ""
    customer_notes: str = ""
    has_video_conference: bool = False
    video_conference_url: str = ""
    video_conference_provider: str = ""
    is_reminder_enabled: bool = True
    remind_before_minutes: int = 15
    sync_external_calendars: bool = True
    send_notifications: bool = True
    event_id: int | None = None
    partial: bool = False

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value: datetime = getattr(self, name)
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValueError(f"EventDraft.{name} must be timezone-aware, got {value!r}")

    @property
    def creating(self) -> bool:
        return self.event_id is None

    @classmethod
    def new(cls, start: datetime, end: datetime, *, default_reminder: int = 15) -> EventDraft:
        """An empty new event from ``start`` to ``end`` (status scheduled, type meeting, reminder on)."""
        return cls(title="", start=start, end=end, remind_before_minutes=default_reminder)

    @classmethod
    def from_event(cls, event: StoredEvent) -> EventDraft:
        """The draft of a cached event: the newest summary, plus from the details what only they carry."""
        summary = event.summary
        detail = event.detail
        customer = summary.customer
        draft = cls(
            title=summary.title,
            start=summary.start_time,
            end=summary.end_time,
            event_type=summary.event_type,
            status=summary.status,
            location=summary.location or "",
            customer_name=(customer.name if customer else None) or "",
            customer_email=(customer.email if customer else None) or "",
            customer_phone=(customer.phone if customer else None) or "",
            has_video_conference=summary.has_video_conference,
            video_conference_url=summary.video_conference_url or "",
            remind_before_minutes=SERVER_DEFAULT_REMIND_MINUTES,
            event_id=summary.id,
            partial=detail is None,
        )
        if detail is None:
            return draft
        notes = detail.customer.notes if detail.customer else None
        return replace(
            draft,
            description=detail.description or "",
            customer_notes=notes or "",
            video_conference_provider=detail.video_conference_provider or "",
            is_reminder_enabled=detail.is_reminder_enabled,
            remind_before_minutes=(
                detail.remind_before_minutes
                if detail.remind_before_minutes is not None
                else SERVER_DEFAULT_REMIND_MINUTES
            ),
        )

    def to_input(self) -> EventInput:
        """The create (or full update) body. Raises ``ValueError`` if the draft does not validate."""
        problems = validate(self, creating=self.creating)
        if problems:
            raise ValueError(f"Draft is not valid: {problems}")
        values = {name: value for name, value in _wire_values(self).items() if value != ""}
        return EventInput(**values)

    def to_patch(self, base: StoredEvent) -> EventPatch:
        """A PATCH holding only the fields this draft changed compared with ``base`` (may be empty).

        Raises ``ValueError`` if a changed field does not validate.
        """
        before = EventDraft.from_event(base)
        problems = validate(self, creating=False, unchanged_from=before)
        if problems:
            raise ValueError(f"Draft is not valid: {problems}")
        mine, theirs = _wire_values(self), _wire_values(before)
        changed = {name: value for name, value in mine.items() if _differs(name, self, before, value, theirs[name])}
        flags = ("sync_external_calendars", "send_notifications")
        for flag in flags:
            changed.pop(flag, None)
        if changed:
            changed.update({flag: False for flag in flags if not getattr(self, flag)})
        return EventPatch(**changed)

    def changed_from(self, other: EventDraft) -> bool:
        """True when the user changed anything (texts compared without surrounding spaces)."""
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if f.name in TEXT_FIELDS:
                mine, theirs = mine.strip(), theirs.strip()
            if mine != theirs:
                return True
        return False


def _wire_values(draft: EventDraft) -> dict[str, Any]:
    """The draft in API names and API form; "" for an empty text, video fields blank when video is off."""
    video = draft.has_video_conference
    phone = draft.customer_phone.strip()
    return {
        "title": draft.title.strip(),
        "start_time": draft.start,
        "end_time": draft.end,
        "description": draft.description.strip(),
        "event_type": draft.event_type,
        "status": draft.status,
        "location": draft.location.strip(),
        "customer_name": draft.customer_name.strip(),
        "customer_email": draft.customer_email.strip(),
        "customer_phone": (normalise_phone(phone) or phone) if phone else "",
        "customer_notes": draft.customer_notes.strip(),
        "has_video_conference": video,
        "video_conference_url": draft.video_conference_url.strip() if video else "",
        "video_conference_provider": draft.video_conference_provider.strip() if video else "",
        "is_reminder_enabled": draft.is_reminder_enabled,
        "remind_before_minutes": draft.remind_before_minutes,
        "sync_external_calendars": draft.sync_external_calendars,
        "send_notifications": draft.send_notifications,
    }


def _differs(api_name: str, draft: EventDraft, before: EventDraft, mine: object, theirs: object) -> bool:
    if api_name == "customer_phone":
        # A number the user did not touch is not re-sent just because we would write it differently.
        return draft.customer_phone.strip() != before.customer_phone.strip()
    if api_name == "remind_before_minutes" and not draft.is_reminder_enabled:
        return False  # minutes of a disabled reminder mean nothing; the toggle itself is compared separately
    return mine != theirs


def normalise_phone(text: str) -> str | None:
    """``+`` and the digits of an international number (``00`` read as ``+``), or None if it is not one."""
    compact = _PHONE_SEPARATORS.sub("", text.strip())
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if not compact.startswith("+"):
        return None
    digits = compact[1:]
    if not digits.isascii() or not digits.isdigit():
        return None
    if not MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS:
        return None
    return compact


def is_email(text: str) -> bool:
    return bool(_EMAIL.match(text))


def validate(draft: EventDraft, *, creating: bool, unchanged_from: EventDraft | None = None) -> dict[str, str]:
    """Problems with ``draft`` as {draft field name: message for the user}; empty when it may be sent.

    ``unchanged_from`` (an edit's starting point) skips the format checks of text fields the user did not
    change: the server already holds those values, and refusing to save an unrelated change because of
    them would only trap the user.
    """
    errors: dict[str, str] = {}

    def touched(name: str) -> bool:
        if unchanged_from is None:
            return True
        return str(getattr(draft, name)).strip() != str(getattr(unchanged_from, name)).strip()

    if not draft.title.strip():
        errors["title"] = _("Enter a title.")
    elif touched("title") and len(draft.title.strip()) > MAX_TITLE_LENGTH:
        errors["title"] = _("Shorten the title to at most {n} characters.").format(n=MAX_TITLE_LENGTH)
    for name in TEXT_FIELDS[1:]:
        if name not in errors and touched(name) and len(str(getattr(draft, name)).strip()) > MAX_TEXT_LENGTH:
            errors[name] = _("Shorten this to at most {n} characters.").format(n=MAX_TEXT_LENGTH)
    if draft.end <= draft.start:
        errors["end"] = _("The end must be after the start.")
    if creating and draft.status not in CREATE_STATUSES:
        errors["status"] = _("A new event can only be Scheduled or Confirmed.")
    email = draft.customer_email.strip()
    if email and touched("customer_email") and not is_email(email):
        errors["customer_email"] = _("Enter an email address such as name@example.com.")
    phone = draft.customer_phone.strip()
    if phone and touched("customer_phone") and normalise_phone(phone) is None:
        errors["customer_phone"] = _(
            "Enter the number in international form: + then {low} to {high} digits, e.g. +1 555 123 4567."
        ).format(low=MIN_PHONE_DIGITS, high=MAX_PHONE_DIGITS)
    url = draft.video_conference_url.strip()
    if draft.has_video_conference and url and touched("video_conference_url") and not is_web_link(url):
        errors["video_conference_url"] = _(
            "Enter a web link starting with https:// (or http://), without spaces or a user name and password."
        )
    if draft.is_reminder_enabled or unchanged_from is None or touched("remind_before_minutes"):
        minutes = draft.remind_before_minutes
        if minutes < 0:
            errors["remind_before_minutes"] = _("Reminder minutes cannot be negative.")
        elif minutes > MAX_REMIND_MINUTES:
            errors["remind_before_minutes"] = _("Remind at most {n} minutes (one week) before.").format(
                n=MAX_REMIND_MINUTES
            )
    return errors


def length_warning(draft: EventDraft) -> str:
    """A question for an event longer than :data:`LONG_EVENT`, or "" (an end before the start is refused by
    :func:`validate` instead)."""
    length = draft.end - draft.start
    if length <= LONG_EVENT:
        return ""
    return _("This event lasts {duration} — is the end right?").format(duration=duration_text(length))


def draft_field(api_field: str) -> str:
    """The draft field an API field name refers to (``start_time`` -> ``start``); other names are unchanged."""
    return _DRAFT_NAMES.get(api_field, api_field)


def api_field(draft_field_name: str) -> str:
    """The API field of a draft field (``end`` -> ``end_time``)."""
    return _API_NAMES.get(draft_field_name, draft_field_name)
