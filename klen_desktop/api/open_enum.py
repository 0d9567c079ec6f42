"""String enums of server values that keep the values they do not know instead of failing on them.

The server may add an event type or a status at any time; an event of a new kind is still an event to show.
"""

from __future__ import annotations

from enum import StrEnum

_OTHER = "OTHER"


class OpenEnum(StrEnum):
    """A string enum that keeps values it does not know (as pseudo-members named ``OTHER``) instead of failing.

    ``for x in EventType`` still lists only the known members; ``EventType("webinar").known`` is false.
    """

    @classmethod
    def _missing_(cls, value: object) -> OpenEnum | None:
        if not isinstance(value, str) or not value or len(value) > _MAX_ENUM_TEXT:
            return None
        folded = value.strip().lower()
        for known in cls:
            if known.value == folded:  # "Scheduled" or " scheduled": the same status, written loosely
                return known
        member = str.__new__(cls, value)
        member._name_ = _OTHER
        member._value_ = value
        return member

    @property
    def known(self) -> bool:
        return self._name_ != _OTHER


# A label longer than this is not a type or status a person could read; it is refused like any bad value.
_MAX_ENUM_TEXT = 64
