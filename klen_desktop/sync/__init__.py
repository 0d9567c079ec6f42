"""Change sync (window poll → diff → ChangeSet) and the durable outbox of local writes. No Qt."""
