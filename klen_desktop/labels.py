"""How the app's values read in words, the same on screen and in notifications: the labels of event types and
statuses, and server text cut to one line. No Qt: the notification builders use it as much as the widgets."""

from __future__ import annotations

import unicodedata

from klen_desktop.api.models import EventStatus, EventType
from klen_desktop.i18n import N_, _

_ZWJ = "\u200d"
_EXTENDERS = frozenset({_ZWJ, "\ufe0e", "\ufe0f"})


def extends_previous(ch: str) -> bool:
    """True when ``ch`` belongs to the character before it (a combining mark, ZWJ, variation selector, skin
    tone, emoji tag): a cut just before it would leave half a letter or half an emoji."""
    code = ord(ch)
    return (
        ch in _EXTENDERS
        or unicodedata.category(ch) in ("Mn", "Me", "Mc")
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F
    )


def clip(text: str | None, limit: int) -> str:
    """Server text for one line: whitespace (newlines, tabs) flattened, cut to ``limit`` characters with "…".

    The cut falls between whole characters as the user sees them (never inside an emoji ZWJ sequence or
    between a letter and its accents).
    """
    if not text:
        return ""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    end = max(0, limit - 1)
    while end > 0 and (extends_previous(flat[end]) or flat[end - 1] == _ZWJ):
        end -= 1
    return flat[:end].rstrip() + "…"


class Labels(dict[str, str]):
    """Labels of an enum's values, in the user's language; a value the app does not know (a new type from the
    server) reads as its own words (``"team_webinar"`` → "Team webinar") instead of failing the menu or
    notification that shows it. The table holds the English labels; each is translated when it is read."""

    def __getitem__(self, key: str) -> str:
        if dict.__contains__(self, key):
            return _(dict.__getitem__(self, key))
        return self.__missing__(key)

    def __missing__(self, key: str) -> str:
        words = "".join(ch if ch.isprintable() else " " for ch in str(key)).replace("_", " ").strip()
        return clip(words[:1].upper() + words[1:], 40) if words else _("Other")


TYPE_LABELS = Labels(
    {
        EventType.MEETING: N_("Meeting"),
        EventType.APPOINTMENT: N_("Appointment"),
        EventType.BUSY: N_("Busy"),
        EventType.VOICE_CALL: N_("Voice call"),
        EventType.VIDEO_CALL: N_("Video call"),
    }
)


STATUS_LABELS = Labels(
    {
        EventStatus.SCHEDULED: N_("Scheduled"),
        EventStatus.CONFIRMED: N_("Confirmed"),
        EventStatus.CANCELLED: N_("Cancelled"),
        EventStatus.COMPLETED: N_("Completed"),
        EventStatus.NO_SHOW: N_("No-show"),
    }
)
