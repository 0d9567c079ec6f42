"""Persistence across restarts, the CLI as a subprocess, and the admin over HTTP."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fixtures_emulator import CREATE, EVENTS, RW_KEY, STANDARD_KEYS, event_body

from klen_desktop.emulator import ApiKeySpec, EmulatorServer
from klen_desktop.emulator.__main__ import main, scaled_clock


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_file_db_survives_a_restart_and_demo_does_not_reseed(tmp_path: Path):
    db = tmp_path / "cal" / "emulator.sqlite3"
    with EmulatorServer(db_path=db, seed="demo", keys=STANDARD_KEYS) as first:
        demo = first.admin.all_events()
        client = httpx.Client(base_url=first.url, headers={"X-API-Key": RW_KEY}, timeout=10)
        created = client.post(CREATE, json=event_body(title="Kept")).json()
        client.close()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600

    with EmulatorServer(db_path=db, seed="demo", keys=STANDARD_KEYS) as second:
        again = second.admin.all_events()

    assert len(demo) >= 40
    assert len(again) == len(demo) + 1
    assert {e["uuid"] for e in demo} | {created["uuid"]} == {e["uuid"] for e in again}
    assert next(e for e in again if e["uuid"] == created["uuid"])["title"] == "Kept"


def test_empty_seed_keeps_existing_data_too(tmp_path: Path):
    db = tmp_path / "e.sqlite3"
    with EmulatorServer(db_path=db, seed="empty", keys=STANDARD_KEYS) as server:
        server.admin.insert_events([event_body()])
    with EmulatorServer(db_path=db, seed="empty", keys=STANDARD_KEYS) as server:
        assert len(server.admin.all_events()) == 1


def test_stop_is_idempotent_and_url_needs_start():
    server = EmulatorServer(seed="empty")
    with pytest.raises(RuntimeError):
        _ = server.url
    server.start()
    server.stop()
    server.stop()
    with pytest.raises(RuntimeError, match="stopped"):
        server.start()


def _wait_for_line(proc: subprocess.Popen[str], prefix: str, timeout: float = 15.0) -> str:
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith(prefix):
            return line
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise AssertionError(f"no line starting with {prefix!r}; stderr: {proc.stderr.read() if proc.stderr else ''}")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_cli_serves_and_stops_on_signal(tmp_path: Path, sig: signal.Signals):
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "klen_desktop.emulator", "--port", str(port), "--seed", "demo",
            "--db", str(tmp_path / "cli.sqlite3"), "--key", "klen_cli:read,write", "--key", "klen_cli_ro:read",
            "--rpm", "500",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        banner = _wait_for_line(proc, "Klen Calendar API emulator serving at ")
        url = banner.rsplit(" ", 1)[1].strip()
        assert url == f"http://127.0.0.1:{port}"
        keys_text = "".join(proc.stdout.readline() for _ in range(3)) if proc.stdout else ""
        assert "klen_cli " in keys_text and "klen_cli_ro" in keys_text and "500/min" in keys_text
        page = httpx.get(url + EVENTS, headers={"Authorization": "Bearer klen_cli"}, timeout=10).json()
        assert page["count"] > 0
        ro = httpx.post(url + CREATE, headers={"Authorization": "Bearer klen_cli_ro"}, json=event_body(), timeout=10)
        assert ro.status_code == 403
        proc.send_signal(sig)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)
    assert "Emulator stopped." in (proc.stdout.read() if proc.stdout else "")


def test_a_scaled_clock_runs_faster_from_its_origin():
    origin = time.time() - 10
    assert abs((scaled_clock(6, origin)() - datetime.fromtimestamp(origin, UTC)).total_seconds() - 60) < 2


def test_cli_rejects_a_bad_key_spec(capsys):
    assert main(["--key", "klen_x:admin", "--db", ":memory:"]) == 2
    assert "Unknown permission" in capsys.readouterr().err


def test_cli_reports_a_port_in_use(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["--port", str(port), "--db", ":memory:", "--seed", "empty"]) == 1
    assert "Cannot listen" in capsys.readouterr().err


def test_key_spec_cli_form():
    assert ApiKeySpec.parse("klen_abc:read,write") == ApiKeySpec("klen_abc")
    assert ApiKeySpec.parse("klen_ro:read") == ApiKeySpec("klen_ro", can_write=False)
    assert ApiKeySpec.parse("klen_plain") == ApiKeySpec("klen_plain")
    assert ApiKeySpec.parse("klen_gone:read,revoked").revoked is True
    with pytest.raises(ValueError):
        ApiKeySpec.parse("has space:read")


def test_admin_over_http(emulator, api):
    admin = httpx.Client(base_url=emulator.url + "/_emulator", timeout=10)
    client = api()
    try:
        assert admin.post("/faults", json={"kind": "fail_next", "n": 1, "status": 502}).status_code == 200
        assert client.get(EVENTS).status_code == 502
        assert admin.post("/faults", json={"kind": "latency", "seconds": [0.0, 0.01]}).status_code == 200
        assert admin.post("/faults", json={"kind": "explode"}).status_code == 400
        assert admin.delete("/faults").status_code == 200
        assert admin.post("/keys", json={"key": "klen_http", "can_write": False}).status_code == 200
        assert api(key="klen_http").get(EVENTS).status_code == 200
        assert admin.post("/keys/klen_http/revoke").status_code == 200
        assert api(key="klen_http").get(EVENTS).status_code == 401
        assert admin.post("/keys/klen_http/restore").status_code == 200
        assert admin.post("/keys/klen_unknown/revoke").status_code == 400
        ids = admin.post("/events", json={"events": [event_body(title="Via admin")]}).json()["ids"]
        assert [e["id"] for e in admin.get("/events").json()] == ids
        moved = admin.patch(f"/events/{ids[0]}", json={"title": "Moved by someone else"})
        assert moved.status_code == 200 and moved.json()["title"] == "Moved by someone else"
        assert client.get(f"{EVENTS}/{ids[0]}").json()["title"] == "Moved by someone else"
        assert admin.patch("/events/999999", json={"title": "x"}).status_code == 400
        log = admin.get("/requests").json()
        assert log and {"method", "path", "status", "key", "headers"} <= set(log[-1])
        assert admin.post("/reset", json={"seed": "demo"}).status_code == 200
        assert len(admin.get("/events").json()) >= 40
        assert admin.post("/reset", json={"seed": "bogus"}).status_code == 400
    finally:
        admin.close()


def test_request_log_keeps_headers_and_query(api, emulator):
    client = api()
    client.get(EVENTS, params={"page": 2}, headers={"User-Agent": "KlenDesktop/0.1"})
    (record,) = emulator.admin.request_log()
    assert record.method == "GET" and record.path == EVENTS and record.query == "page=2"
    assert record.header("user-agent") == "KlenDesktop/0.1"
    assert record.key == RW_KEY and record.key_source == "authorization"
    assert record.status == 200
    emulator.admin.clear_request_log()
    assert emulator.admin.request_log() == []


def test_a_database_from_another_schema_version_is_refused(tmp_path: Path):
    import sqlite3

    db = tmp_path / "future.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(RuntimeError, match="schema version 99"):
        EmulatorServer(db_path=db, seed="empty")


def test_port_in_use_is_an_oserror():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = EmulatorServer(seed="empty", port=taken.getsockname()[1])
        with pytest.raises(OSError, match="Cannot listen"):
            server.start()
        server.stop()
