"""Do not disturb is one state: what the menu set is what the notification policy obeys, and back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from local_zone import local_zone

from klen_desktop.notify.do_not_disturb import DoNotDisturb
from klen_desktop.notify.policy import NotificationPolicy

NOW = datetime(2026, 12, 6, 15, 30, tzinfo=UTC)


def test_an_hour_then_off_and_every_change_heard_once() -> None:
    dnd = DoNotDisturb()
    heard: list[datetime | None] = []
    dnd.subscribe(lambda state: heard.append(state.until if state.on else None))
    dnd.hold_for(NOW, 60)
    dnd.hold_for(NOW, 60)  # the same again is no change
    assert dnd.active(NOW) and dnd.until == NOW + timedelta(hours=1)
    assert not dnd.active(NOW + timedelta(hours=1)) and dnd.expired(NOW + timedelta(hours=1))
    dnd.stop()
    assert not dnd.on and dnd.until is None and not dnd.expired(NOW + timedelta(hours=2))
    assert heard == [NOW + timedelta(hours=1), None]


def test_until_tomorrow_is_the_next_local_midnight() -> None:
    dnd = DoNotDisturb()
    with local_zone("Asia/Tokyo"):  # 15:30 UTC is 00:30 in Tokyo: tomorrow there starts in 23.5 hours
        dnd.hold_until_tomorrow(NOW)
        assert dnd.until is not None
        assert dnd.until.astimezone().hour == 0 and dnd.until - NOW == timedelta(hours=23, minutes=30)


def test_the_policy_obeys_and_ends_the_shared_state() -> None:
    dnd = DoNotDisturb()
    policy = NotificationPolicy(dnd=dnd)
    dnd.hold_until(NOW + timedelta(minutes=10))  # set from the menu
    assert policy.dnd_active(NOW) and policy.dnd_until == NOW + timedelta(minutes=10)
    policy.end_dnd()  # the notification center ends it at its time
    assert not dnd.on, "the menu sees it ended"
    policy.set_dnd(None)  # on until turned off
    assert dnd.on and dnd.until is None and dnd.active(NOW + timedelta(days=3))
