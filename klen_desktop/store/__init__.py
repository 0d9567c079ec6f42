"""Local SQLite cache: events and details, sync state, the outbox and the reminder log. No Qt, no network."""
