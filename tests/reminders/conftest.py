"""Reminder tests build events with the store tests' factories (tests/store/store_factories.py)."""

from __future__ import annotations

import sys
from pathlib import Path

_STORE_TESTS = str(Path(__file__).resolve().parent.parent / "store")
if _STORE_TESTS not in sys.path:
    sys.path.insert(0, _STORE_TESTS)
