"""Typed errors of the local store. Each says what happened and what the user can do."""

from __future__ import annotations

import errno
import os
import sqlite3
from enum import StrEnum
from pathlib import Path

from klen_desktop.i18n import N_, _


class StoreError(Exception):
    """Base of the store's own errors (a write the disk refused is :class:`CacheWriteFailed`)."""

    title = N_("Local cache error")

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SchemaTooNew(StoreError):
    """The cache was written by a newer Klen Desktop: this version cannot read it safely."""

    title = N_("Cache from a newer version")

    def __init__(self, path: str, found: int, supported: int) -> None:
        super().__init__(
            _(
                "The local cache {path} has schema version {found}, newer than this version of Klen Desktop "
                "understands ({supported}). Update Klen Desktop, or delete the file to rebuild the cache from "
                "the server (unsent offline changes in it would be lost)."
            ).format(path=path, found=found, supported=supported)
        )
        self.found = found
        self.supported = supported


class DatabaseClosed(StoreError):
    """The database was used after :meth:`Database.close`: a shutdown-order bug in the caller."""

    title = N_("Local cache closed")

    def __init__(self) -> None:
        super().__init__(_("The local cache was already closed; restart Klen Desktop if this persists."))


class CacheProblem(StrEnum):
    """Why the cache file could not be used as it is (see :func:`classify`)."""

    CORRUPT = "corrupt"
    DISK_FULL = "disk_full"
    UNWRITABLE = "unwritable"
    IN_USE = "in_use"
    TOO_NEW = "too_new"
    UNREADABLE_CHANGES = "unreadable_changes"  # the file is fine, but unsent changes in it could not be read


# SQLite's primary result codes (the low byte of the extended code Python reports).
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_NOTADB = 5, 6, 11, 13, 26
_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def classify(exc: BaseException, folder: str | Path | None = None) -> CacheProblem:
    """What an error from opening or writing the cache means for the user. Anything not clearly a damaged
    file, a full disk or a lock counts as "cannot be written" (permissions, read-only media, I/O errors).

    ``folder``: where the cache lives. SQLite reports some writes that a full disk refused (growing the WAL
    index, say) as a plain I/O error; with no free space left in ``folder`` that is called a full disk.
    """
    problem = _classify(exc)
    if problem is CacheProblem.UNWRITABLE and folder is not None and _no_space(folder):
        return CacheProblem.DISK_FULL
    return problem


# Less than this free is "full" for a cache that writes 4 KiB pages plus a WAL index.
_FULL_BELOW_BYTES = 64 * 1024


def _no_space(folder: str | Path) -> bool:
    try:
        st = os.statvfs(folder)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < _FULL_BELOW_BYTES


def _classify(exc: BaseException) -> CacheProblem:
    if isinstance(exc, SchemaTooNew):
        return CacheProblem.TOO_NEW
    if isinstance(exc, sqlite3.Error):
        code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
        if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
            return CacheProblem.CORRUPT
        if code == _SQLITE_FULL:
            return CacheProblem.DISK_FULL
        if code in (_SQLITE_BUSY, _SQLITE_LOCKED):
            return CacheProblem.IN_USE
        return CacheProblem.UNWRITABLE
    if isinstance(exc, OSError) and exc.errno in _FULL_ERRNOS:
        return CacheProblem.DISK_FULL
    return CacheProblem.UNWRITABLE


class CacheWriteFailed(StoreError, sqlite3.OperationalError):
    """A write to the cache failed because of the disk (full, read-only, I/O error); nothing was changed.

    Still a ``sqlite3.OperationalError``, so code written against SQLite's own error keeps catching it.
    """

    title = N_("Could not save on this computer")

    def __init__(self, problem: CacheProblem, path: str, cause: sqlite3.Error) -> None:
        where = str(Path(path).parent) if path and path != ":memory:" else _("the data folder")
        if problem is CacheProblem.DISK_FULL:
            text = _(
                "The local cache was not changed: the disk holding {where} is full. Free some space; syncing "
                "resumes by itself."
            )
        elif problem is CacheProblem.IN_USE:
            text = _(
                "The local cache was not changed: another program holds it locked. Close other copies of "
                "Klen Desktop and try again."
            )
        else:
            text = _(
                "The local cache was not changed: it cannot be written ({cause}). Check the permissions and "
                "free space of {where}."
            )
        super().__init__(text.format(where=where, cause=cause))
        self.problem = problem
        # Keep SQLite's own code, so classify() and logs still see what the disk said.
        self.sqlite_errorcode = int(getattr(cause, "sqlite_errorcode", 0) or 0)
        self.sqlite_errorname = str(getattr(cause, "sqlite_errorname", "") or "")
