"""The command line's line protocol on the app's real single-instance socket: a request is answered by the
handler the app set; an oversized, malformed or other-version request gets a plain refusal; the older one-word
lines of a second launch still work beside it."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
from waiting import until

from klen_desktop.command_line.client import AppDidNotAnswer, ask_app
from klen_desktop.command_line.exit_codes import Exit
from klen_desktop.command_line.protocol import (
    MAX_REQUEST,
    Answer,
    ProtocolError,
    Request,
    decode_answer,
    decode_request,
)
from klen_desktop.ui.single_instance import RAISE, SingleInstance, peer_is_this_user, send_to_running


# The app's transport here (a Unix socket served by asyncio) and Windows' (QtNetwork's local server, which serves a
# socket file on Linux too): the same messages, the same answers.
@pytest.fixture(params=[False, True], ids=["unix-socket", "qt-local-server"])
def qt_socket(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def raw_exchange(name: str, data: bytes) -> dict[str, object]:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(10)
        conn.connect(name)
        conn.sendall(data)
        answer = b""
        while b"\n" not in answer:
            chunk = conn.recv(65536)
            if not chunk:
                break
            answer += chunk
    value = json.loads(answer)
    assert isinstance(value, dict)
    return value


@pytest.mark.asyncio
async def test_requests_are_answered_and_bad_ones_refused(qapp: object, tmp_path: Path, qt_socket: bool) -> None:
    app = SingleInstance(tmp_path, qt_socket=qt_socket)
    assert app.claim()
    app.listen()
    asked: list[Request] = []

    async def handler(request: Request) -> Answer:
        asked.append(request)
        await asyncio.sleep(0.05)  # answered later, on the loop, while the UI goes on
        return Answer(Exit.OK, {"echo": request.args})

    app.set_command_handler(handler)
    loop = asyncio.get_running_loop()
    try:
        answer = await loop.run_in_executor(None, ask_app, app.server_name, Request("agenda", {"days": 2}), 10.0)
        assert answer == Answer(Exit.OK, {"echo": {"days": 2}})
        assert asked == [Request("agenda", {"days": 2})]

        too_long = await loop.run_in_executor(None, raw_exchange, app.server_name, b"{" + b" " * MAX_REQUEST + b"x")
        assert too_long["exit"] == Exit.USAGE and "longer than" in str(too_long["error"])
        other_version = b'{"v": 99, "command": "next"}\n'
        refused = await loop.run_in_executor(None, raw_exchange, app.server_name, other_version)
        assert refused["exit"] == Exit.ERROR and "version" in str(refused["error"])
        unknown = await loop.run_in_executor(None, raw_exchange, app.server_name, b'{"v": 1, "command": "rm"}\n')
        assert unknown["exit"] == Exit.ERROR and "unknown command" in str(unknown["error"])
        assert len(asked) == 1

        raised: list[bool] = []
        app.raise_requested.connect(lambda: raised.append(True))
        assert send_to_running(app.server_name, RAISE)
        await until(lambda: raised, "a second launch's raise, beside the protocol")
    finally:
        app.release()


@pytest.mark.asyncio
async def test_no_app_means_no_answer_and_a_silent_one_times_out(qapp: object, tmp_path: Path, qt_socket: bool) -> None:
    assert ask_app(str(tmp_path / "nothing.sock"), Request("next"), 1.0) is None
    app = SingleInstance(tmp_path, qt_socket=qt_socket)
    assert app.claim()
    app.listen()
    never = asyncio.get_running_loop().create_future()

    async def silent(_request: Request) -> Answer:
        return await never  # type: ignore[no-any-return]

    app.set_command_handler(silent)
    try:
        with pytest.raises(AppDidNotAnswer, match="in time"):
            await asyncio.get_running_loop().run_in_executor(None, ask_app, app.server_name, Request("next"), 0.5)
    finally:
        never.cancel()
        app.release()


def test_a_peer_of_this_user_is_accepted() -> None:
    mine, theirs = socket.socketpair(socket.AF_UNIX)
    with mine, theirs:
        assert peer_is_this_user(mine.fileno())
    assert not peer_is_this_user(-1)


def test_lines_of_another_shape_are_refused() -> None:
    for line in (b"not json", b"[1]", b'{"v": 1, "command": "next", "args": []}'):
        with pytest.raises(ProtocolError):
            decode_request(line)
    with pytest.raises(ProtocolError):
        decode_answer(b'{"v": 1, "exit": 42}')
    assert decode_answer(Answer(Exit.NOT_FOUND, error="No event 3").encode().strip()) == Answer(
        Exit.NOT_FOUND, error="No event 3"
    )


OTHER_USER_CLIENT = r"""
import socket, sys
conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
conn.settimeout(10)
conn.connect(sys.argv[1])
conn.sendall(b'{"v": 1, "command": "next", "args": {}}\n')
print(repr(conn.recv(65536)))
"""


# A Python any user may run (the test's own may sit in root's home); the client needs only the standard library.
SYSTEM_PYTHON = "/usr/bin/python3"


@pytest.mark.asyncio
@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="needs root to run a process as another user")
@pytest.mark.skipif(not os.access(SYSTEM_PYTHON, os.X_OK), reason=f"needs {SYSTEM_PYTHON}")
async def test_a_process_of_another_user_is_refused_even_past_the_folders_permissions(
    qapp: object, qt_socket: bool
) -> None:
    # Outside pytest's own temp folder, which only its user may enter.
    with tempfile.TemporaryDirectory(dir="/tmp") as folder:
        await _other_user_asks(Path(folder), qt_socket)


async def _other_user_asks(tmp_path: Path, qt_socket: bool) -> None:
    app = SingleInstance(tmp_path / "run", qt_socket=qt_socket)
    assert app.claim()
    app.listen()
    asked: list[Request] = []

    async def handler(request: Request) -> Answer:
        asked.append(request)
        return Answer(Exit.OK, {})

    app.set_command_handler(handler)
    # Open what the private folder and the socket's own mode keep closed, to reach the peer check behind them.
    os.chmod(tmp_path, 0o755)
    os.chmod(tmp_path / "run", 0o755)
    os.chmod(app.server_name, 0o777)
    nobody = 65534
    try:
        ran = await asyncio.get_running_loop().run_in_executor(
            None,
            lambda: subprocess.run(
                [SYSTEM_PYTHON, "-c", OTHER_USER_CLIENT, app.server_name],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
                user=nobody,
                cwd="/",
            ),
        )
        assert ran.returncode == 0, ran.stderr
        assert ran.stdout.strip() == "b''", "the connection is closed without an answer"
        assert asked == []
    finally:
        app.release()
