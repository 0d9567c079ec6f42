"""Running a test in another local time zone: ``TZ`` set and ``time.tzset()`` called, both undone afterwards.

Every test in the process shares the zone, so it is put back as it was even when the test fails.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def local_zone(name: str) -> Iterator[None]:
    """Run the block with the process's local zone set to ``name`` (an IANA name such as ``"Asia/Tokyo"``)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()
