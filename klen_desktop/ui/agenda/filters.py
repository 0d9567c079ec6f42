"""What the agenda shows: the filter value, the search text of an event, and which links may be opened.

Qt-free on purpose: these rules are the agenda's only logic, so they are tested without widgets and reused by
the model (which filters 10,000 rows per keystroke, so :func:`matches` stays a few attribute reads).
"""

from __future__ import annotations

import unicodedata
from dataclasses import field
from typing import NamedTuple

from klen_desktop.api.models import EventStatus, EventSummary, EventType
from klen_desktop.records import record
from klen_desktop.store.events import StoredEvent

# Invisible characters a title may carry (zero-width spaces and joiners, bidi marks, soft hyphens): a search
# for what the user sees must not depend on them.
_INVISIBLE = dict.fromkeys(
    [0x00AD, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
)

ALL_STATUSES = frozenset(EventStatus)
ALL_TYPES = frozenset(EventType)


class AgendaAccount(NamedTuple):
    """An account as the agenda shows it: a filter choice and the colour of its events' stripe."""

    id: str
    name: str
    colour: str


@record
class AgendaFilter:
    """Which events the agenda lists. The default shows everything. ``accounts`` None: every account's."""

    statuses: frozenset[EventStatus] = field(default=ALL_STATUSES)
    types: frozenset[EventType] = field(default=ALL_TYPES)
    text: str = ""
    accounts: frozenset[str] | None = None

    @property
    def is_default(self) -> bool:
        return (
            self.statuses == ALL_STATUSES
            and self.types == ALL_TYPES
            and not self.text.strip()
            and self.accounts is None
        )

    @property
    def needle(self) -> str:
        """The search text as compared: folded as :func:`fold` does."""
        return fold(self.text)


def fold(text: str) -> str:
    """Text as searches compare it: case-folded, accents and invisible characters dropped, compatibility forms
    unified, whitespace collapsed; so "cafe" finds "Café" and "zerowidth" finds "zero\u200bwidth"."""
    if text.isascii():
        return " ".join(text.casefold().split())  # the common case, kept cheap: 10,000 titles after a load
    decomposed = unicodedata.normalize("NFKD", text.translate(_INVISIBLE))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(unicodedata.normalize("NFC", bare).casefold().split())


def search_text(summary: EventSummary) -> str:
    """The text a search looks in: title, customer (name, email, phone) and location, folded."""
    parts = [summary.title, summary.location or ""]
    customer = summary.customer
    if customer is not None:
        parts += [customer.name or "", customer.email or "", customer.phone or ""]
    return fold(" ".join(parts))


def matches(event: StoredEvent, flt: AgendaFilter, haystack: str, needle: str) -> bool:
    """True when ``event`` passes ``flt``; ``haystack`` is its :func:`search_text`, ``needle`` the filter's.

    A type or status the app does not know passes only while that part of the filter is not narrowed: the
    checklists cannot name it, so "everything" is the only choice that includes it.
    """
    return _kind_passes(event.summary, flt) and (not needle or needle in haystack)


def summary_matches(summary: EventSummary, flt: AgendaFilter) -> bool:
    """True when the event ``summary`` describes passes ``flt``'s statuses, types and search (its accounts are
    another question: an event does not know its account). What a search over the whole cache asks of each row."""
    needle = flt.needle
    return _kind_passes(summary, flt) and (not needle or needle in search_text(summary))


def _kind_passes(summary: EventSummary, flt: AgendaFilter) -> bool:
    status_ok = summary.status in flt.statuses or (not summary.status.known and flt.statuses == ALL_STATUSES)
    type_ok = summary.event_type in flt.types or (not summary.event_type.known and flt.types == ALL_TYPES)
    return status_ok and type_ok
