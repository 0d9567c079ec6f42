"""Packaging tests: packaging/ (build scripts, not an installed package) on sys.path before the test modules
import from it, and the ``packaging`` marker of the slow frozen-build tests (see packaging_support)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

_PACKAGING = str(Path(__file__).resolve().parents[2] / "packaging")
if _PACKAGING not in sys.path:
    sys.path.insert(0, _PACKAGING)

from packaging_support import Artefacts, build_artefacts, find_artefacts  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "packaging: builds the frozen app and its installers (slow; run with KLEN_PACKAGING_TESTS=1)"
    )


@pytest.fixture(scope="session")
def artefacts(tmp_path_factory: pytest.TempPathFactory) -> Artefacts:
    """The Linux artefacts, built once for every packaging test that asks for them. KLEN_PACKAGING_DIST names a
    folder `make package` filled already (a quicker run while working on the tests themselves)."""
    prebuilt = os.environ.get("KLEN_PACKAGING_DIST")
    if prebuilt:
        return find_artefacts(Path(prebuilt))
    return build_artefacts(tmp_path_factory.mktemp("dist"))
