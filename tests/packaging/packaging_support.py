"""Shared helpers of the packaging tests: the repository's paths, and the gate of the slow ones.

The full frozen build (PyInstaller, .deb, tarball; about a minute) runs only when KLEN_PACKAGING_TESTS=1 and is
marked ``packaging``; everything else here is fast and always runs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
RESOURCES = ROOT / "resources"


def packaging_tests_enabled() -> bool:
    return os.environ.get("KLEN_PACKAGING_TESTS") == "1"


requires_packaging_run = pytest.mark.skipif(
    not packaging_tests_enabled(), reason="slow frozen-build test: set KLEN_PACKAGING_TESTS=1 to run it"
)
