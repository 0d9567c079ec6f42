"""The numbers the UI knows events by across accounts: one per (account, id), its own id where it is free."""

from __future__ import annotations

import pytest
from accounts_harness import facts
from hypothesis import given
from hypothesis import strategies as st

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


def test_with_one_account_a_number_not_seen_yet_is_that_accounts_own() -> None:
    # The app holds only the events near now and the weeks shown: a command or a search names others.
    handles = EventHandles()
    handles.sole_account = "1"
    assert handles.resolve(4242) == ("1", 4242)
    assert handles.resolve(-17) == ("1", -17)
    assert handles.handle("1", 4242) == 4242

    handles.sole_account = None  # a second account came: an unseen number could be either's
    assert handles.handle("2", 4242) != 4242, "the first account keeps the number it was given"
    with pytest.raises(AccountError, match="removed"):
        handles.resolve(5151)


def test_an_event_under_its_own_id_is_passed_as_it_is_another_is_a_copy_under_its_handle() -> None:
    handles = EventHandles()
    first, second = facts(1, "1").event, facts(1, "2").event

    assert handles.event("1", first) is first
    copied = handles.event("2", second)
    assert copied is not second and copied.id == handles.handle("2", 1) and copied.title == second.title
    assert handles.own_event(copied).id == 1


TOP = 2**31 - 1


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["1", "2", "3"]),
            st.one_of(st.integers(-5, 5), st.integers(TOP - 3, TOP + 3), st.integers(-(2**40), 2**40)),
        ),
        max_size=60,
    )
)
def test_handles_are_one_to_one_stable_and_resolve_back_whatever_the_order(claims: list[tuple[str, int]]) -> None:
    handles = EventHandles()
    given: dict[tuple[str, int], int] = {}
    for account_id, number in claims:
        handle = handles.handle(account_id, number)
        assert given.setdefault((account_id, number), handle) == handle, "stable for the run"
        assert abs(handle) <= TOP, "fits a Qt int"
        assert (handle < 0) == (number < 0) or number == 0, "the sign passes through"
    assert len(set(given.values())) == len(given), "two (account, number) pairs never share a handle"
    for (account_id, number), handle in given.items():
        assert handles.resolve(handle) == (account_id, number)
        assert handles.account_of(handle) == account_id


def test_an_account_whose_own_id_was_handed_out_from_the_top_gets_another() -> None:
    handles = EventHandles()
    handles.handle("1", 5)
    taken_from_top = handles.handle("2", 5)  # the top of the range
    assert taken_from_top == TOP
    mine = handles.handle("3", TOP)  # an id equal to it
    assert mine not in (TOP, 5)
    assert handles.resolve(mine) == ("3", TOP) and handles.resolve(TOP) == ("2", 5)
