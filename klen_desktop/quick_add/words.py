"""The words of a quick-add sentence that are not about time: the event type (from words such as call, video,
meeting, demo, busy; the API's five types), the customer (``with Jane Doe``, ``for Acme``), the location
(``at Office``, ``in Room 4``) and the title (what is left, the customer kept in it: "Call with Jane Doe")."""

from __future__ import annotations

import re

from klen_desktop.api.models import EventType
from klen_desktop.quick_add.text_spans import Sentence
from klen_desktop.records import record

# First match wins, in this order: "video call" is a video call, "demo call" a call, "busy" anything busy.
_TYPE_WORDS: tuple[tuple[EventType, str], ...] = (
    (EventType.VIDEO_CALL, r"video(?:\s*call)?|zoom|google\s+meet|teams|webex|facetime"),
    (EventType.VOICE_CALL, r"(?:phone|voice)\s*call|call|phone|ring"),
    (EventType.BUSY, r"busy|blocked|block|focus(?:\s+time)?|out\s+of\s+office|ooo|unavailable|away|vacation|holiday"),
    (EventType.APPOINTMENT, r"appointment|appt|consultation|consult|visit|check-?up|session|treatment"),
    (EventType.MEETING, r"meeting|meet|demo|interview|stand-?up|sync|review|lunch|workshop|presentation"),
)
_TYPES = tuple((event_type, re.compile(rf"\b(?:{words})\b", re.IGNORECASE)) for event_type, words in _TYPE_WORDS)
PROVIDERS = {"zoom": "Zoom", "google meet": "Google Meet", "teams": "Microsoft Teams", "webex": "Webex"}
# Words after which a customer's name or a place has ended.
_STOP = re.compile(
    r"\b(?:at|in|on|about|re|regarding|via|by|to|and|from|with|for|video|zoom|teams|call|phone|meeting|busy)\b",
    re.IGNORECASE,
)
_CUSTOMER = re.compile(r"\b(?P<word>with|for)\s+(?P<name>[^\x00,;()]+)", re.IGNORECASE)
_PLACE = re.compile(r"(?:\b(?P<word>at|in)\s+|@\s*)(?P<place>[^\x00,;()]+)", re.IGNORECASE)
# Words that only say what kind of event it is, dropped from the end of a title ("Call with Jane video").
_MODIFIERS = re.compile(r"(?:\s+(?:video|zoom|teams|webex|by\s+phone|on\s+the\s+phone|via\s+\w+))+$", re.IGNORECASE)
_EDGE_WORDS = re.compile(r"^(?:on|at|from|for|with|by|and|,|-|–)\s+|\s+(?:on|at|from|for|with|by|and|-|–|,)$", re.I)
MAX_NAME_WORDS = 5


@record
class WordsFound:
    event_type: EventType
    video_provider: str
    customer: str
    location: str
    title: str


def event_type(text: str) -> tuple[EventType, str]:
    """The type the words name (a meeting when none does), and the video provider named, if any."""
    for kind, pattern in _TYPES:
        match = pattern.search(text)
        if match is not None:
            word = " ".join(match.group(0).lower().split())
            return kind, PROVIDERS.get(word, "")
    return EventType.MEETING, ""


def _name_until_stop(text: str) -> str:
    stop = _STOP.search(text)
    words = (text[: stop.start()] if stop else text).split()[:MAX_NAME_WORDS]
    return " ".join(words).strip(" .:-–")


def _customer(unread: str) -> str:
    for match in _CUSTOMER.finditer(unread):
        name = _name_until_stop(match["name"])
        # "for" also begins phrases that are no name ("for the team"): a customer after it is written capitalised.
        if name and (match["word"].lower() == "with" or name[0].isupper()):
            return name
    return ""


def _take_place(sentence: Sentence) -> str:
    for match in _PLACE.finditer(sentence.unread):
        place = _name_until_stop(match["place"])
        if not place or (match["word"] and match["word"].lower() == "in" and not place[0].isupper()):
            continue
        sentence.consume(match.start(), match.start("place") + match["place"].find(place) + len(place))
        return place
    return ""


def _title(rest: str, kind: EventType) -> str:
    title = _MODIFIERS.sub("", rest).strip()
    previous = None
    while previous != title:
        previous, title = title, _EDGE_WORDS.sub("", title).strip(" ,;:-–")
    if not title:
        return {EventType.VOICE_CALL: "Call", EventType.VIDEO_CALL: "Video call"}.get(kind, kind.value.capitalize())
    return title[0].upper() + title[1:]


def take_words(sentence: Sentence) -> WordsFound:
    """Read type, customer, place and title from what the times and dates left of ``sentence``."""
    kind, provider = event_type(sentence.rest())
    customer = _customer(sentence.unread)
    place = _take_place(sentence)
    return WordsFound(kind, provider, customer, place, _title(sentence.rest(), kind))
