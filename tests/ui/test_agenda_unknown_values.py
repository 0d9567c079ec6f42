"""An event type or status the app has never seen is listed, labelled and painted, never a KeyError."""

from __future__ import annotations

from datetime import UTC, datetime

from test_agenda_values import make_event

from klen_desktop.api.models import EventStatus, EventType
from klen_desktop.labels import STATUS_LABELS, TYPE_LABELS
from klen_desktop.notify.messages import change_message
from klen_desktop.store.events import StoredEvent
from klen_desktop.sync.diff import Change, ChangeKind
from klen_desktop.sync.status import SyncPhase, SyncStatus
from klen_desktop.ui.agenda.banners import Tone, sync_banner
from klen_desktop.ui.agenda.event_facts import detail_rows
from klen_desktop.ui.agenda.filters import ALL_STATUSES, AgendaFilter, matches
from klen_desktop.ui.agenda.rows import Facts, shown_facts

START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def novel(event_id: int = 1) -> StoredEvent:
    return make_event(event_id, START, event_type=EventType("team_webinar"), status=EventStatus("postponed"))


def test_unknown_values_read_as_their_own_words() -> None:
    assert TYPE_LABELS[EventType("team_webinar")] == "Team webinar"
    assert STATUS_LABELS[EventStatus("postponed")] == "Postponed"
    assert TYPE_LABELS[EventType.VIDEO_CALL] == "Video call"
    assert TYPE_LABELS[EventType("\x1b[31mred\u202e")] == "[31mred"


def test_details_and_notifications_of_an_unknown_type_are_built() -> None:
    event = novel()
    rows = dict(detail_rows(event))
    assert rows["Type"] == "Team webinar" and rows["Status"] == "Postponed"
    message = change_message(Change(ChangeKind.CREATED, event.summary))
    assert message is not None and "Team webinar" in message.body


def test_unknown_values_pass_the_filter_only_while_it_is_left_whole() -> None:
    event = novel()
    facts = [Facts(event)]
    everything = AgendaFilter()
    searching = AgendaFilter(text="event")
    meetings_only = AgendaFilter(types=frozenset({EventType.MEETING}))
    open_only = AgendaFilter(statuses=ALL_STATUSES - {EventStatus.CANCELLED})
    assert matches(event, everything, "event 1", "")
    assert list(shown_facts(facts, searching)) == facts
    assert not matches(event, meetings_only, "event 1", "")
    assert list(shown_facts(facts, meetings_only)) == []
    assert list(shown_facts(facts, open_only)) == []


def test_a_poll_that_left_events_out_says_so_in_the_agenda() -> None:
    status = SyncStatus(phase=SyncPhase.IDLE, last_success=START, skipped_events=1, warning="1 event was left out.")
    banner = sync_banner(status, START)
    assert banner is not None and banner.tone is Tone.INFO and "left out" in banner.text
    assert sync_banner(SyncStatus(phase=SyncPhase.IDLE, last_success=START), START) is None
