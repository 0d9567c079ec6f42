"""The single-instance socket and the data folder are the user's alone: folders 0700, files 0600, and another
user cannot reach the socket (checked for real by dropping to ``nobody`` when the tests run as root)."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from klen_desktop import paths
from klen_desktop.core import cache_path
from klen_desktop.store.db import Database
from klen_desktop.ui.single_instance import SingleInstance, runtime_dir

pytestmark = pytest.mark.timeout(20)

NOBODY = 65534
# nobody may not enter the project's venv; the probe needs the standard library only.
SYSTEM_PYTHON = "/usr/bin/python3"
_CONNECT = (
    "import socket, sys\n"
    "s = socket.socket(socket.AF_UNIX)\n"
    "try:\n"
    "    s.connect(sys.argv[1])\n"
    "except PermissionError:\n"
    "    sys.exit(3)\n"
    "sys.exit(0)\n"
)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.fixture
def loose_umask() -> object:
    # A usual, permissive umask: privacy must come from the app, not from the user's settings.
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_the_data_folder_and_the_cache_files_are_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loose_umask: object
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    folder = paths.data_dir()
    assert folder.is_relative_to(tmp_path)
    assert _mode(folder) == 0o700
    Database(cache_path(False)).close()  # opening it is enough: the schema is written, with its WAL
    written = [p for p in folder.rglob("*") if p.is_file()]
    assert written, "the database wrote nothing"
    for path in written:
        assert _mode(path) == 0o600, path
    for sub in [p for p in folder.rglob("*") if p.is_dir()]:
        assert _mode(sub) == 0o700, sub


def test_a_data_folder_left_open_is_tightened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    open_folder = tmp_path / "data" / paths.APP_NAME
    open_folder.mkdir(parents=True)
    os.chmod(open_folder, 0o755)
    assert paths.data_dir() == open_folder
    assert _mode(open_folder) == 0o700


def test_the_runtime_folder_is_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loose_umask: object) -> None:
    run = tmp_path / "run"
    run.mkdir(mode=0o700)  # platformdirs ignores an XDG_RUNTIME_DIR that is not 0700
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(run))
    folder = runtime_dir()
    assert folder == run / paths.APP_NAME
    assert _mode(folder) == 0o700


def _nobody_connects(sock: Path) -> int:
    done = subprocess.run(
        [SYSTEM_PYTHON, "-c", _CONNECT, str(sock)], user=NOBODY, group=NOBODY, timeout=10, check=False
    )
    return done.returncode


def test_the_instance_socket_and_its_folder_are_private(
    qapp: QApplication, tmp_path: Path, loose_umask: object
) -> None:
    if sys.platform == "win32":
        pytest.skip("named pipes: Qt's UserAccessOption sets the pipe's ACL")
    # Open parents, as /run/user/<uid> is to root: the app's own folder and socket must do the keeping out.
    os.chmod(tmp_path, 0o755)
    folder = tmp_path / paths.APP_NAME
    instance = SingleInstance(folder)
    try:
        assert _mode(folder) == 0o700
        assert instance.claim()
        instance.listen()
        sock = Path(instance.server_name)
        assert stat.S_ISSOCK(sock.lstat().st_mode)
        assert sock.parent == folder
        # UserAccessOption: no group or other bits on the socket itself, on top of the 0700 folder. (The lock
        # file is 0644 by QLockFile, holding only pid and host name; the 0700 folder keeps it from others.)
        assert _mode(sock) & 0o077 == 0
        # The owner can still reach it (the second-launch path).
        with socket.socket(socket.AF_UNIX) as probe:
            probe.connect(str(sock))
        if os.geteuid() == 0 and os.access(SYSTEM_PYTHON, os.X_OK):
            # Another user, for real: the tests run as root, so a child can drop to nobody and try, first
            # through the 0700 folder, then (folder opened for the check) against the socket's own bits.
            assert _nobody_connects(sock) == 3, "another user could connect through the folder"
            os.chmod(folder, 0o755)
            try:
                assert _nobody_connects(sock) == 3, "another user could connect to the socket itself"
            finally:
                os.chmod(folder, 0o700)
    finally:
        instance.release()
