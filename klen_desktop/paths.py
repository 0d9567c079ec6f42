"""Where Klen Desktop keeps its files.

The cache holds customer names, emails and phone numbers, so its folder is private to the user (0700): it
is created that way, and tightened if an older version or the user left it looser.
"""

from __future__ import annotations

import logging
import os
import stat
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


def database_path() -> Path:
    """The cache database file inside :func:`data_dir` (the folder is created; the file is not)."""
    return data_dir() / DATABASE_FILENAME
