"""The outbox table: entries keep their order, payload and errors through every state change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from klen_desktop.store.db import Database
from klen_desktop.store.outbox import OutboxOp, OutboxRepository, OutboxState

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


@pytest.fixture
def repo(tmp_path: Path) -> OutboxRepository:
    return OutboxRepository(Database(tmp_path / "o.sqlite3"))


def test_entries_survive_reopening_in_order_with_payload_and_base(tmp_path: Path) -> None:
    path = tmp_path / "o.sqlite3"
    db = Database(path)
    repo = OutboxRepository(db)
    first = repo.add(OutboxOp.PATCH, 5, {"title": "A"}, {"id": 5, "title": "old"}, NOW)
    second = repo.add(OutboxOp.CANCEL, 5, {"reason": "ill"}, None, NOW)
    db.close()

    reopened = OutboxRepository(Database(path))
    entries = reopened.active()
    assert [e.seq for e in entries] == [first, second]
    assert entries[0].payload == {"title": "A"} and entries[0].base == {"id": 5, "title": "old"}
    assert entries[1].op is OutboxOp.CANCEL and entries[1].state is OutboxState.PENDING


def test_state_changes_keep_the_payload_and_record_errors(repo: OutboxRepository) -> None:
    seq = repo.add(OutboxOp.CREATE, None, {"title": "T"}, None, NOW)
    repo.assign_event_id(seq, -seq)
    repo.mark_sending(seq, NOW, meta={"preexisting": []})
    sending = repo.get(seq)
    assert sending is not None and sending.state is OutboxState.SENDING and sending.attempts == 1
    later = NOW + timedelta(seconds=30)
    repo.mark_retry(seq, NOW, later, code="TimedOut", message="no answer", meta={"maybe_sent": True})
    retry = repo.get(seq)
    assert retry is not None and retry.state is OutboxState.PENDING and retry.next_attempt_at == later
    assert retry.meta == {"maybe_sent": True} and retry.error_message == "no answer"
    repo.mark_failed(seq, NOW, OutboxState.ATTENTION, code="validation_error", message="bad", field="end_time")
    parked = repo.get(seq)
    assert parked is not None and (parked.error_code, parked.error_field) == ("validation_error", "end_time")
    assert parked.payload == {"title": "T"}
    repo.requeue(seq, NOW, payload={"title": "Fixed"}, meta={})
    requeued = repo.get(seq)
    assert requeued is not None and requeued.state is OutboxState.PENDING and requeued.payload == {"title": "Fixed"}
    with pytest.raises(ValueError):
        repo.mark_failed(seq, NOW, OutboxState.DONE, code=None, message="")


def test_a_create_hands_its_id_to_entries_queued_behind_it(repo: OutboxRepository) -> None:
    create = repo.add(OutboxOp.CREATE, None, {"title": "T"}, None, NOW)
    repo.assign_event_id(create, -create)
    patch = repo.add(OutboxOp.PATCH, -create, {"title": "U"}, None, NOW)
    repo.mark_done(create, NOW, event_id=42, meta={})
    repo.rewrite_event_id(-create, 42)
    moved = repo.get(patch)
    assert moved is not None and moved.event_id == 42
    assert repo.adopted_ids() == {42}
    assert [e.seq for e in repo.for_event(42)] == [patch]


def test_local_event_ids_and_pruning(repo: OutboxRepository) -> None:
    old = repo.add(OutboxOp.PATCH, 1, {"title": "x"}, None, NOW)
    repo.mark_done(old, NOW, event_id=1, meta={})
    repo.add(OutboxOp.PATCH, 2, {"title": "y"}, None, NOW)
    assert repo.local_event_ids(NOW + timedelta(minutes=1)) == {2}
    assert repo.local_event_ids(NOW) == {1, 2}
    assert repo.counts() == {OutboxState.DONE: 1, OutboxState.PENDING: 1}
    assert repo.prune_done(NOW + timedelta(days=1)) == 1
    assert repo.get(old) is None
