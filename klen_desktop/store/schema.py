"""The cache's schema, versioned by ``PRAGMA user_version``.

``MIGRATIONS[n]`` takes the database from version ``n`` to ``n + 1``. Migrations are only ever appended:
a released migration is never edited, because users' files already went through it. Each migration runs
in its own ``BEGIN IMMEDIATE`` transaction together with the version bump, so a crash leaves the file at
the old version or the new one, never in between.
"""

from __future__ import annotations

import logging
import sqlite3

from klen_desktop.store.errors import SchemaTooNew

log = logging.getLogger(__name__)

_MIGRATION_1 = (
    """
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        start_time TEXT NOT NULL,
        end_time TEXT NOT NULL,
        status TEXT NOT NULL,
        event_type TEXT NOT NULL,
        title TEXT NOT NULL,
        summary_json TEXT NOT NULL,
        detail_json TEXT,
        detail_fetched_at TEXT,
        local_state TEXT,
        updated_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX events_start_time ON events(start_time, id)",
    "CREATE INDEX events_end_time ON events(end_time)",
    "CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT)",
    """
    CREATE TABLE reminder_log (
        event_id INTEGER NOT NULL,
        due_at TEXT NOT NULL,
        state TEXT NOT NULL,
        snoozed_until TEXT,
        fired_at TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (event_id, due_at)
    )
    """,
    """
    CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        op TEXT NOT NULL,
        event_id INTEGER,
        payload TEXT NOT NULL,
        base TEXT,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        error_code TEXT,
        error_message TEXT,
        error_field TEXT,
        meta TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX outbox_state ON outbox(state, seq)",
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (_MIGRATION_1,)
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def migrate(conn: sqlite3.Connection, *, path: str = ":memory:") -> int:
    """Bring the database up to :data:`SCHEMA_VERSION`; returns the version it started at.

    Idempotent: at the current version it does nothing. ``conn`` must be in autocommit mode
    (``isolation_level=None``). Raises :class:`SchemaTooNew` for a file from a newer app version.
    """
    found = schema_version(conn)
    if found > SCHEMA_VERSION:
        raise SchemaTooNew(path, found, SCHEMA_VERSION)
    for version in range(found, SCHEMA_VERSION):
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the write lock.
            if schema_version(conn) != version:
                conn.execute("ROLLBACK")
                continue
            for statement in MIGRATIONS[version]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        log.info("cache schema migrated from version %d to %d", version, version + 1)
    return found
