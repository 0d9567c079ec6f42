"""What a quick-add sentence was read as: the event's parts, the questions it leaves open, and the draft it makes."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from klen_desktop.api.models import EventStatus, EventType
from klen_desktop.date_texts import duration_text, local_zone_text, moment_range
from klen_desktop.drafts import EventDraft, validate
from klen_desktop.i18n import _
from klen_desktop.labels import TYPE_LABELS
from klen_desktop.records import record

DEFAULT_LENGTH = timedelta(minutes=30)


@record
class QuickAdd:
    """The sentence read. ``questions`` is empty only when nothing had to be guessed: then :attr:`ready` says
    the draft may be saved as shown. ``length_assumed``: no end or length was written (30 minutes taken)."""

    text: str
    title: str
    event_type: EventType
    start: datetime | None
    end: datetime | None
    customer_name: str = ""
    location: str = ""
    video_provider: str = ""
    length_assumed: bool = False
    questions: tuple[str, ...] = ()

    @property
    def ready(self) -> bool:
        return not self.questions and self.start is not None and self.end is not None

    @property
    def has_video(self) -> bool:
        return self.event_type is EventType.VIDEO_CALL

    def draft(self, *, default_reminder: int = 15, start: datetime | None = None) -> EventDraft:
        """The editor's draft of what was read. Where no time was read, ``start`` (say, the next half hour) and
        30 minutes stand in: for the editor to fill in, never to save from here (see :attr:`ready`)."""
        begin = self.start or start
        if begin is None:
            raise ValueError("nothing to start the event at: pass start")
        end = self.end if self.end is not None and self.start is not None else begin + DEFAULT_LENGTH
        return EventDraft(
            title=self.title,
            start=begin,
            end=end,
            event_type=self.event_type,
            status=EventStatus.SCHEDULED,
            location=self.location,
            customer_name=self.customer_name,
            has_video_conference=self.has_video,
            video_conference_provider=self.video_provider,
            remind_before_minutes=default_reminder,
        )

    def problems(self, *, default_reminder: int = 15) -> tuple[str, ...]:
        """Everything that keeps the draft from being saved as it is: the questions, a missing time, and what
        the editor's own checks would refuse (a title too long)."""
        if not self.ready:
            return self.questions or (_("Say when: a day and a time (e.g. tomorrow 3pm)."),)
        return tuple(validate(self.draft(default_reminder=default_reminder), creating=True).values())


def preview_lines(parsed: QuickAdd, today: date | None = None) -> list[tuple[str, str]]:
    """The parsed event as label and value, in local time: what the user checks before saving."""
    lines = [
        (_("Type"), TYPE_LABELS[parsed.event_type] + (f" ({parsed.video_provider})" if parsed.video_provider else ""))
    ]
    lines.append((_("Title"), parsed.title))
    if parsed.start is not None and parsed.end is not None:
        start, end = parsed.start.astimezone(), parsed.end.astimezone()
        lines.append((_("When"), f"{moment_range(start, end, today)} ({local_zone_text(start)})"))
        length = duration_text(parsed.end - parsed.start)
        shown = _("{length} (no length given)").format(length=length) if parsed.length_assumed else length
        lines.append((_("Length"), shown))
    else:
        lines.append((_("When"), _("not understood yet")))
    if parsed.customer_name:
        lines.append((_("Customer"), parsed.customer_name))
    if parsed.location:
        lines.append((_("Location"), parsed.location))
    return lines
