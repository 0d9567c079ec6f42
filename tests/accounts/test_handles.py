"""The numbers the UI knows events by across accounts: one per (account, id), its own id where it is free."""

from __future__ import annotations

import pytest
from accounts_harness import facts

from klen_desktop.accounts.model import AccountError
from klen_desktop.session.handles import EventHandles


def test_the_first_to_claim_an_id_keeps_it_another_account_gets_one_from_the_top() -> None:
    handles = EventHandles()

    assert handles.handle("1", 7) == 7
    other = handles.handle("2", 7)
    assert other != 7 and other == 2**31 - 1, "far above any id a calendar hands out, within a Qt int"
    assert (handles.resolve(7), handles.resolve(other)) == (("1", 7), ("2", 7))
    assert handles.handle("2", 7) == other, "stable for the run"


def test_a_queued_creates_local_id_is_minus_the_handle_of_its_sequence_number() -> None:
    handles = EventHandles()
    handles.handle("1", 3)
    seq = handles.handle("2", 3)

    assert handles.handle("2", -3) == -seq
    assert handles.resolve(-seq) == ("2", -3)
    with pytest.raises(AccountError, match="removed"):
        handles.resolve(12345)


def test_an_event_under_its_own_id_is_passed_as_it_is_another_is_a_copy_under_its_handle() -> None:
    handles = EventHandles()
    first, second = facts(1, "1").event, facts(1, "2").event

    assert handles.event("1", first) is first
    copied = handles.event("2", second)
    assert copied is not second and copied.id == handles.handle("2", 1) and copied.title == second.title
    assert handles.own_event(copied).id == 1
