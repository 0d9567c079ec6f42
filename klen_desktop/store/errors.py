"""Typed errors of the local store. Each says what happened and what the user can do."""

from __future__ import annotations


class StoreError(Exception):
    """Base of the store's own errors (sqlite3 errors from a broken disk pass through unchanged)."""

    title = "Local cache error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SchemaTooNew(StoreError):
    """The cache was written by a newer Klen Desktop: this version cannot read it safely."""

    title = "Cache from a newer version"

    def __init__(self, path: str, found: int, supported: int) -> None:
        super().__init__(
            f"The local cache {path} has schema version {found}, newer than this version of Klen Desktop "
            f"understands ({supported}). Update Klen Desktop, or delete the file to rebuild the cache from "
            "the server (unsent offline changes in it would be lost)."
        )
        self.found = found
        self.supported = supported


class DatabaseClosed(StoreError):
    """The database was used after :meth:`Database.close`: a shutdown-order bug in the caller."""

    title = "Local cache closed"

    def __init__(self) -> None:
        super().__init__("The local cache was already closed; restart Klen Desktop if this persists.")
