"""One app per user: a second launch raises the first instead of starting, and hands on its Wayland activation
token so the raise is allowed to take focus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from waiting import until

from klen_desktop.ui.single_instance import ACTIVATION_TOKEN, RAISE, SingleInstance, raise_message, send_to_running


# The app's transport here (a Unix socket served by asyncio) and Windows' (QtNetwork's local server, which serves a
# socket file on Linux too): the same messages, the same answers.
@pytest.fixture(params=[False, True], ids=["unix-socket", "qt-local-server"])
def qt_socket(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.mark.asyncio
async def test_a_second_instance_asks_the_first_to_raise(qapp: object, tmp_path: Path, qt_socket: bool) -> None:
    first = SingleInstance(tmp_path, qt_socket=qt_socket)
    assert first.claim()
    first.listen()
    raised: list[bool] = []
    first.raise_requested.connect(lambda: raised.append(True))
    second = SingleInstance(tmp_path, qt_socket=qt_socket)
    assert not second.claim()
    await until(lambda: raised, "the first instance asked to raise")
    assert (tmp_path.stat().st_mode & 0o777) == 0o700
    first.release()
    third = SingleInstance(tmp_path, qt_socket=qt_socket)
    assert third.claim(), "after the first quits, the next launch runs"
    third.release()


@pytest.mark.asyncio
async def test_a_second_launch_hands_its_wayland_activation_token_to_the_first(
    qapp: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qt_socket: bool
) -> None:
    # The launcher gave the second launch a token: the running app gets it, for Qt to raise the agenda with.
    monkeypatch.setenv(ACTIVATION_TOKEN, "launch-token-1")
    message = raise_message()
    monkeypatch.setenv(ACTIVATION_TOKEN, "not one word")
    assert raise_message() == RAISE, "a malformed token is not passed on"
    monkeypatch.delenv(ACTIVATION_TOKEN)  # the first instance's own environment, which has none yet
    first = SingleInstance(tmp_path, qt_socket=qt_socket)
    assert first.claim()
    first.listen()
    raised: list[bool] = []
    first.raise_requested.connect(lambda: raised.append(ACTIVATION_TOKEN in os.environ))
    try:
        assert send_to_running(first.server_name, message)
        await until(lambda: raised, "the first instance asked to raise")
        assert raised == [True], "the token is in place before the agenda is raised"
        assert os.environ[ACTIVATION_TOKEN] == "launch-token-1"
    finally:
        first.release()
