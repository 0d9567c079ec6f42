"""Where several accounts are shown, what names an event's account: the notification's first line, the agenda's
filter. With one account nothing changes."""

from __future__ import annotations

from accounts_harness import facts

from klen_desktop.notify.messages import Message, NotifyKind, with_account
from klen_desktop.ui.agenda.filters import AgendaFilter
from klen_desktop.ui.agenda.rows import shown_facts


def test_a_notification_names_its_account_first_and_one_account_leaves_it_as_it_was() -> None:
    message = Message(kind=NotifyKind.NEW_EVENT, title="New booking: Roof inspection", body="Tue 10:00–11:00")

    assert with_account(message, "Roofing client").body == "Roofing client\nTue 10:00–11:00"
    assert with_account(message, "") is message
    assert with_account(Message(kind=NotifyKind.NEW_EVENT, title="t", body=""), "Klen").body == "Klen"


def test_the_agenda_filter_keeps_the_chosen_account_and_every_other_part_still_applies() -> None:
    rows = [facts(1, "1"), facts(2, "2"), facts(3, "2")]

    assert [f.id for f in shown_facts(rows, AgendaFilter(accounts=frozenset({"2"})))] == [2, 3]
    assert [f.id for f in shown_facts(rows, AgendaFilter(accounts=frozenset({"2"}), text="event 3"))] == [3]
    assert shown_facts(rows, AgendaFilter()) is rows, "no account chosen: every event, as before accounts"
    assert not AgendaFilter(accounts=frozenset({"1"})).is_default
