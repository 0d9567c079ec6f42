"""Translation tests: packaging/ (where the catalog tool lives) on sys.path before the test modules import it."""

from __future__ import annotations

import sys
from pathlib import Path

_PACKAGING = str(Path(__file__).resolve().parents[2] / "packaging")
if _PACKAGING not in sys.path:
    sys.path.insert(0, _PACKAGING)
