"""The cache against a broken disk, for real: a read-only folder (as another user), a full file system (a
tiny tmpfs in a private mount namespace), a full disk while syncing (``PRAGMA max_page_count``: a real
SQLITE_FULL on the live connection), and the app starting on a damaged cache.

Required outcome everywhere: no crash and no crash loop, a notice that says what to do, the user's queued
writes kept, and sync back on its own once space returns.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from app_harness import MakeApp, insert_event
from fast_sync import FAST_SYNC
from waiting import until

from klen_desktop import paths
from klen_desktop.api.models import EventInput, EventType
from klen_desktop.core import CoreConfig, CoreServices
from klen_desktop.emulator import EmulatorServer
from klen_desktop.settings import Preferences
from klen_desktop.store.db import Database
from klen_desktop.store.errors import CacheProblem, CacheWriteFailed
from klen_desktop.store.schema import SCHEMA_VERSION

pytestmark = pytest.mark.timeout(60)

REPO = Path(__file__).parents[2]
NOBODY = 65534
FAST = FAST_SYNC

# Runs in a child process: opens the cache at argv[1] and prints what it had to do.
_OPEN = textwrap.dedent(
    """
    import json, os, sys
    from klen_desktop.store.recovery import open_cache
    folder = os.path.dirname(sys.argv[1])
    reachable = os.access(folder, os.X_OK | os.R_OK) if os.path.isdir(folder) else None
    opened = open_cache(sys.argv[1])
    n = opened.notice
    print(json.dumps({"path": opened.db.path, "problem": n and n.problem, "message": n and n.message,
                      "reachable": reachable}))
    opened.db.close()
    """
)


def _child(argv: list[str], **kwargs: Any) -> dict[str, Any]:
    done = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        **kwargs,
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _as_another_user(script: str, *args: str) -> dict[str, Any]:
    """Run ``script`` as a user the permission bits apply to: ``nobody`` when we are root (root ignores them)."""
    argv = [sys.executable, "-c", script, *args]
    if os.geteuid() != 0:
        return _child(argv)
    probe = subprocess.run(
        ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", sys.executable, "-c", "import klen_desktop"],
        capture_output=True,
        timeout=30,
        check=False,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    if probe.returncode != 0:
        pytest.skip(f"nobody cannot run this venv's python: {probe.stderr.decode()[-200:]}")
    return _child(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *argv])


def _give_to_nobody(*targets: Path) -> None:
    if os.geteuid() == 0:
        for target in targets:
            os.chown(target, NOBODY, NOBODY)


def _healthy_cache(path: Path) -> bytes:
    db = Database(path)
    with db.transaction() as conn:
        conn.execute("INSERT INTO sync_state (key, value) VALUES ('last_success', '2026-11-24T09:00:00Z')")
    db.close()
    return path.read_bytes()


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder another user can reach (pytest's own temp root is 0700 to root): the permission bits under test
    must be the only thing in the way."""
    folder = Path(tempfile.mkdtemp(prefix="klen-cache-faults-"))
    os.chmod(folder, 0o755)
    try:
        yield folder
    finally:
        for sub in [folder, *folder.rglob("*")]:
            if sub.is_dir():
                os.chmod(sub, 0o700)
        shutil.rmtree(folder, ignore_errors=True)


# -- at open ------------------------------------------------------------------------------------------------


def test_a_data_folder_that_cannot_be_created_gives_an_in_memory_cache_and_says_what_to_fix(
    open_folder: Path,
) -> None:
    # ~/.local/share not writable for the app's user (root's, or read-only): the data folder cannot be made.
    share = open_folder / "share"
    share.mkdir(mode=0o755)
    if os.geteuid() != 0:
        os.chmod(share, 0o555)
    folder = share / "klen-desktop"
    result = _as_another_user(_OPEN, str(folder / "cache.sqlite3"))
    assert result["path"] == ":memory:"
    assert result["problem"] == CacheProblem.UNWRITABLE
    assert str(folder) in result["message"] and "permission" in result["message"]
    assert "kept only until you quit" in result["message"]
    assert not folder.exists()


def test_a_cache_file_the_user_may_not_write_is_left_untouched(open_folder: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs a file owned by another user (the app tightens its own files to 0600, writable)")
    folder = open_folder / "klen-desktop"
    folder.mkdir(mode=0o700)
    content = _healthy_cache(folder / "cache.sqlite3")
    os.chmod(folder / "cache.sqlite3", 0o644)
    _give_to_nobody(folder)  # nobody's folder (it could rename the file), root's file (it may only read it)
    result = _as_another_user(_OPEN, str(folder / "cache.sqlite3"))
    assert result["reachable"]
    assert result["path"] == ":memory:" and result["problem"] == CacheProblem.UNWRITABLE
    assert (folder / "cache.sqlite3").read_bytes() == content
    assert sorted(p.name for p in folder.iterdir()) == ["cache.sqlite3"], "a healthy file is never moved aside"


_FULL_DISK = textwrap.dedent(
    """
    import json, os, sys
    from pathlib import Path
    sys.path.insert(0, "tests/store")
    from store_factories import summary
    from klen_desktop.store.db import Database
    from klen_desktop.store.outbox import OutboxOp, OutboxRepository
    from klen_desktop.store.recovery import open_cache

    root = Path(sys.argv[1])
    existing = root / "cache.sqlite3"
    db = Database(existing)
    OutboxRepository(db).add(OutboxOp.PATCH, 1, {"title": "edited offline"}, None, summary(1).start_time)
    db.close()
    filler = root / "filler"
    with open(filler, "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\\0" * 4096)
        except OSError as exc:
            assert exc.errno == 28, exc
    out = {}
    for name in ("cache.sqlite3", "new.sqlite3"):
        opened = open_cache(root / name)
        out[name] = {"path": opened.db.path, "problem": opened.notice and opened.notice.problem,
                     "message": opened.notice and opened.notice.message}
        opened.db.close()
    out["files"] = sorted(p.name for p in root.iterdir())
    os.remove(filler)  # space is back: the next start uses the file, queued write and all
    again = open_cache(existing)
    out["again"] = {"path": again.db.path, "notice": again.notice is not None,
                    "queued": len(OutboxRepository(again.db).active())}
    again.db.close()
    print(json.dumps(out))
    """
)


def test_a_full_disk_at_open_gives_an_in_memory_cache_and_the_file_is_used_again_when_space_returns(
    tmp_path: Path,
) -> None:
    if shutil.which("unshare") is None:
        pytest.skip("unshare (util-linux) is not installed")
    mount = tmp_path / "small-disk"
    mount.mkdir()
    script = tmp_path / "full_disk.py"
    script.write_text(_FULL_DISK)
    # A private mount namespace: the 256 KiB tmpfs is seen by this child only and vanishes with it.
    shell = f'mount -t tmpfs -o size=256k tmpfs "$1" && exec "{sys.executable}" "{script}" "$1"'
    flags = "-m" if os.geteuid() == 0 else "-Urm"
    try:
        result = _child(["unshare", flags, "sh", "-c", shell, "sh", str(mount)])
    except AssertionError as exc:
        if "mount" in str(exc) or "unshare" in str(exc):
            pytest.skip(f"cannot mount a private tmpfs here: {exc}")
        raise
    for name in ("cache.sqlite3", "new.sqlite3"):
        assert result[name]["path"] == ":memory:", result
        assert result[name]["problem"] == CacheProblem.DISK_FULL, result
        assert "Free some space" in result[name]["message"]
    assert not any(".corrupt-" in name for name in result["files"]), "a full disk is not a damaged file"
    assert result["again"] == {"path": str(mount / "cache.sqlite3"), "notice": False, "queued": 1}


# -- while running ----------------------------------------------------------------------------------------------


def _fill_disk(core: CoreServices) -> None:
    """Make the cache's disk full for the live connection: cap the file at its size, then fill the free room left
    in its pages, as a real disk fills up. (Rewrites that fit in place still succeed, as on a real full disk.)"""
    with core.db.read() as conn:
        pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
        conn.execute(f"PRAGMA max_page_count = {pages}")
    n = 0
    for size in (4000, 1000, 200, 20):
        while True:
            try:
                with core.db.transaction() as conn:
                    conn.execute("INSERT INTO sync_state (key, value) VALUES (?, ?)", (f"test-filler-{n}", "x" * size))
            except CacheWriteFailed:
                break
            n += 1


def _free_disk(core: CoreServices) -> None:
    with core.db.read() as conn:
        conn.execute("PRAGMA max_page_count = 1073741823")


def _draft(title: str, description: str | None = None) -> EventInput:
    start = (datetime.now(UTC) + timedelta(hours=5)).replace(second=0, microsecond=0)
    end = start + timedelta(minutes=30)
    return EventInput(title=title, start_time=start, end_time=end, event_type=EventType.BUSY, description=description)


def _read_only(core: CoreServices, on: bool) -> None:
    """Every write refused by SQLite itself ("attempt to write a readonly database"), as after the disk is
    remounted read-only; reads go on."""
    with core.db.read() as conn:
        conn.execute(f"PRAGMA query_only = {'ON' if on else 'OFF'}")


def _titles(server: EmulatorServer) -> list[str]:
    return [e["title"] for e in server.admin.all_events()]


@pytest.mark.asyncio
async def test_a_queued_write_survives_a_disk_that_refuses_writes_and_goes_out_once_it_takes_them_again(
    tmp_path: Path, emulator: EmulatorServer, rw_key: str
) -> None:
    config = CoreConfig(base_url=emulator.url, api_key=rw_key, sync=FAST, db_path=tmp_path / "cache.sqlite3")
    core = CoreServices(config)
    try:
        assert await core.cache_opened() is None
        await core.create(_draft("Queued before the disk failed"))  # queued, not sent: the core is not running
        _read_only(core, True)
        core.start()
        await asyncio.sleep(1.5)  # several drain attempts (0.2-0.5 s backoff), all refused by the disk
        runner, reminders = core._tasks[1:3]  # after the poller; the wake watch follows
        assert not runner.done() and not reminders.done(), "the outbox or the reminders died on a refused write"
        # Marking the entry "sending" comes before the request: nothing went out half-recorded.
        assert _titles(emulator) == []
        [entry] = await core.outbox_entries()
        assert entry.state.value == "pending"
        # The user's next save fails with a typed error that says what to do; the editor keeps the draft.
        with pytest.raises(CacheWriteFailed) as info:
            await core.create(_draft("Typed while the disk refuses writes"))
        assert info.value.problem is CacheProblem.UNWRITABLE and "permissions and free space" in info.value.message
        assert len(await core.outbox_entries()) == 1

        _read_only(core, False)  # the disk takes writes again
        await until(
            lambda: "Queued before the disk failed" in _titles(emulator), "the queued create to be sent", timeout=15.0
        )
        await until(lambda: not core.outbox.active(), "the outbox to empty", timeout=15.0)
        assert _titles(emulator) == ["Queued before the disk failed"], "sent exactly once"
    finally:
        await core.stop()


@pytest.mark.asyncio
async def test_a_full_disk_refuses_a_new_write_whole_and_takes_it_when_space_returns(
    tmp_path: Path, emulator: EmulatorServer, rw_key: str
) -> None:
    config = CoreConfig(base_url=emulator.url, api_key=rw_key, sync=FAST, db_path=tmp_path / "cache.sqlite3")
    core = CoreServices(config)
    try:
        _fill_disk(core)
        before = len(await core.all_cached())
        # Pasted meeting notes: more than the room left in the file's pages, so SQLite needs a page the disk lacks.
        notes = "Agenda, decisions and follow-ups. " * 200
        with pytest.raises(CacheWriteFailed) as info:
            await core.create(_draft("Typed on a full disk", notes))
        assert info.value.problem is CacheProblem.DISK_FULL and "Free some space" in info.value.message
        assert await core.outbox_entries() == [] and len(await core.all_cached()) == before, "half-written"
        _free_disk(core)
        await core.create(_draft("Typed on a full disk", notes))
        assert len(await core.outbox_entries()) == 1
    finally:
        await core.stop()


@pytest.mark.parametrize("fault", ["full disk", "every write refused"])
@pytest.mark.asyncio
async def test_the_poller_keeps_running_while_the_disk_refuses_writes(
    tmp_path: Path, emulator: EmulatorServer, rw_key: str, fault: str
) -> None:
    config = CoreConfig(base_url=emulator.url, api_key=rw_key, sync=FAST, db_path=tmp_path / "cache.sqlite3")
    core = CoreServices(config)
    try:
        core.start()
        await until(lambda: core.poller.status.last_success is not None, "the first sync", timeout=15.0)
        _fill_disk(core) if fault == "full disk" else _read_only(core, True)
        for i in range(40):
            insert_event(emulator, f"Arrived during a {fault} {i}", hours_from_now=2 + i / 10, description="x" * 400)
        core.poller.poke("test")
        await until(lambda: core.poller.status.last_error is not None, "the failed sync to show", timeout=15.0)
        await asyncio.sleep(1.0)
        assert not core._tasks[0].done(), f"the poller died on a {fault}: sync would never recover"
        _free_disk(core) if fault == "full disk" else _read_only(core, False)
        await until(lambda: core.poller.status.last_error is None, "sync to recover", timeout=15.0)
        assert len(await core.all_cached()) == 40
    finally:
        await core.stop()


# -- the app ------------------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_the_app_starts_on_a_damaged_cache_says_so_and_rebuilds_it_from_the_server(
    make_app: MakeApp, emulator: EmulatorServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "data" / paths.APP_NAME / paths.DATABASE_FILENAME
    cache.parent.mkdir(parents=True, mode=0o700)
    cache.write_bytes(b"SQLite format 3\x00" + os.urandom(8 * 4096))  # a plausible header, garbage after it
    insert_event(emulator, "Dentist follow-up")
    caplog.set_level(logging.INFO, logger="klen_desktop.ui.notifications")

    app = await make_app()
    notices = [r.getMessage() for r in caplog.records if r.getMessage().startswith("notice: Local cache was damaged")]
    assert len(notices) == 1, [r.getMessage() for r in caplog.records]
    kept = [p for p in cache.parent.iterdir() if ".corrupt-" in p.name]
    assert len(kept) == 1 and str(kept[0]) in notices[0]
    await app.until(lambda: "Dentist follow-up" in app.agenda_titles(), "the agenda rebuilt from the server")
    await app.desktop.shutdown()

    caplog.clear()
    again = await make_app()  # a second start on the rebuilt cache: nothing set aside, nothing to say
    assert "Dentist follow-up" in again.agenda_titles()
    assert [p for p in cache.parent.iterdir() if ".corrupt-" in p.name] == kept
    assert not [r for r in caplog.records if r.getMessage().startswith("notice: Local cache")]


@pytest.mark.asyncio
async def test_the_app_leaves_a_newer_versions_cache_alone_and_says_so_once(
    make_app: MakeApp, emulator: EmulatorServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "data" / paths.APP_NAME / paths.DATABASE_FILENAME
    cache.parent.mkdir(parents=True, mode=0o700)
    _healthy_cache(cache)
    conn = sqlite3.connect(cache)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    content = cache.read_bytes()
    insert_event(emulator, "Board meeting")
    caplog.set_level(logging.INFO, logger="klen_desktop.ui.notifications")

    app = await make_app()
    await app.until(lambda: "Board meeting" in app.agenda_titles(), "the agenda, served from the in-memory cache")
    first_core = app.controller.session.core
    # New settings rebuild the core on the same file: the same problem, not told twice.
    app.desktop.apply_preferences(Preferences(fast_poll_seconds=30))
    await app.until(lambda: app.controller.session.core is not first_core, "the core rebuilt for the new settings")
    await app.synced()
    notices = [
        r.getMessage() for r in caplog.records if r.getMessage().startswith("notice: Cache from a newer version")
    ]
    assert len(notices) == 1 and "Update Klen Desktop" in notices[0]
    assert app.controller.session.core.db.path == ":memory:"
    assert cache.read_bytes() == content
    assert not [p for p in cache.parent.iterdir() if ".corrupt-" in p.name]


@pytest.mark.asyncio
async def test_a_save_the_disk_refuses_keeps_the_draft_open_and_says_why(
    make_app: MakeApp, emulator: EmulatorServer
) -> None:
    app = await make_app()
    _read_only(app.controller.session.core, True)
    editor = app.windows.new_event()
    editor.title_edit.setText("Call with the landlord")
    editor.save_button.click()
    await app.until(lambda: editor.general_error.isVisible(), "the refusal shown in the editor")
    assert "local cache was not changed" in editor.general_error.text()
    assert editor in app.windows.editors and editor.title_edit.text() == "Call with the landlord", "draft kept"
    assert app.server_event("Call with the landlord") is None

    _read_only(app.controller.session.core, False)
    editor.save_button.click()
    await app.until(lambda: editor not in app.windows.editors, "the editor closed once the event was sent")
    assert [e["title"] for e in emulator.admin.all_events()] == ["Call with the landlord"]


@pytest.mark.asyncio
async def test_a_status_change_the_disk_refuses_is_told_and_queues_nothing(
    make_app: MakeApp, emulator: EmulatorServer
) -> None:
    event_id = insert_event(emulator, "Haircut", hours_from_now=2)
    app = await make_app()
    await app.until(lambda: "Haircut" in app.agenda_titles(), "the event in the agenda")
    notices: list[tuple[str, str]] = []
    app.controller.notice.connect(lambda title, text: notices.append((title, text)))

    _read_only(app.controller.session.core, True)
    await app.controller.change_status(event_id, "confirmed")
    assert len(notices) == 1 and "local cache was not changed" in notices[0][1], notices
    _read_only(app.controller.session.core, False)
    assert not await app.controller.session.core.outbox_entries(), "a refused write queues nothing half-way"

    await app.controller.change_status(event_id, "confirmed")
    await app.until(
        lambda: (emulator.admin.event(event_id) or {}).get("status") == "confirmed", "the change sent once writes work"
    )
