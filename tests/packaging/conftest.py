"""Packaging tests: packaging/ (build scripts, not an installed package) on sys.path before the test modules
import from it, and the ``packaging`` marker of the slow frozen-build tests (see packaging_support)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

_PACKAGING = str(Path(__file__).resolve().parents[2] / "packaging")
if _PACKAGING not in sys.path:
    sys.path.insert(0, _PACKAGING)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "packaging: builds the frozen app and its installers (slow; run with KLEN_PACKAGING_TESTS=1)"
    )
