"""Shared helpers of the packaging tests: the repository's paths, and the gate of the slow ones.

The full frozen build (PyInstaller, .deb, tarball; about a minute) runs only when KLEN_PACKAGING_TESTS=1 and is
marked ``packaging``; everything else here is fast and always runs.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Artefacts:
    bundle: Path
    deb: Path | None
    tarball: Path


def build_artefacts(dist: Path) -> Artefacts:
    """Run ``packaging/build_linux.sh`` into ``dist`` (its own work folder beside it) and find what it built."""
    result = subprocess.run(
        ["bash", str(PACKAGING / "build_linux.sh")],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "DIST": str(dist)},
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return find_artefacts(dist)


def find_artefacts(dist: Path) -> Artefacts:
    debs = sorted(dist.glob("klen-desktop_*.deb"))
    tarballs = sorted(dist.glob("klen-desktop-*-linux-*.tar.gz"))
    assert len(tarballs) == 1, sorted(p.name for p in dist.iterdir())
    return Artefacts(bundle=dist / "klen-desktop", deb=debs[0] if debs else None, tarball=tarballs[0])
