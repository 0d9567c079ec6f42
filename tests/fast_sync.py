"""A sync configuration for tests that run the real core: retries and polls in fractions of a second, so what a
test waits for (a disk that frees up, a queued write) is noticed within its patience, not after 15 s of backoff."""

from __future__ import annotations

from klen_desktop.sync.config import SyncConfig

FAST_SYNC = SyncConfig(
    fast_interval=0.3,
    slow_interval=0.3,
    backoff_base=0.2,
    backoff_cap=0.5,
    outbox_backoff_base=0.2,
    outbox_backoff_cap=0.5,
)
