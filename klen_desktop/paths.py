"""Where Klen Desktop keeps its files.

The cache holds customer names, emails and phone numbers, so its folder is private to the user (0700): it
is created that way, and tightened if an older version or the user left it looser.
"""

from __future__ import annotations

import logging
import os
import stat
import tempfile
from pathlib import Path

import platformdirs

log = logging.getLogger(__name__)

APP_NAME = "klen-desktop"
DATABASE_FILENAME = "cache.sqlite3"
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if missing and make sure the folder itself is 0700. Returns ``path``.

    A folder we may not chmod (owned by someone else, such as ``/tmp``) is left as it is, with a warning:
    the files in it are still created 0600.
    """
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    if stat.S_IMODE(path.stat().st_mode) != PRIVATE_DIR_MODE:
        try:
            os.chmod(path, PRIVATE_DIR_MODE)
        except PermissionError:
            log.warning("cannot make %s private (0700): it belongs to another user", path)
    return path


def data_dir() -> Path:
    """The per-user data folder (platformdirs ``user_data_dir``), created 0700 and chmod'ed if it exists."""
    return ensure_private_dir(Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)))


def config_dir() -> Path:
    """The per-user configuration folder (platformdirs ``user_config_dir``), created 0700."""
    return ensure_private_dir(Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)))


def database_path() -> Path:
    """The cache database file inside :func:`data_dir` (the folder is created; the file is not)."""
    return data_dir() / DATABASE_FILENAME


def write_private_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically as a 0600 file: a crash leaves the old file or the new one.

    A temporary file in the same folder (created 0600 by mkstemp, so never readable by others, not even for a
    moment), fsync, ``os.replace``, then the folder's entry made durable. Raises OSError when the disk refuses.
    """
    ensure_private_dir(path.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, PRIVATE_FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    # The rename is durable only once the folder's entry is on disk; not every platform lets a folder be opened.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def set_aside(path: Path, what: str) -> None:
    """Move an unreadable ``path`` to ``<name>.bad`` so the user's text is kept for inspection; ``what`` names the
    file in the log ("settings", "accounts")."""
    bad = path.with_name(path.name + ".bad")
    try:
        os.replace(path, bad)
    except OSError as exc:
        log.warning("%s: could not move the unreadable file aside (%s)", what, type(exc).__name__)
        return
    log.warning("%s: %s could not be read; kept as %s and using the defaults", what, path, bad)
