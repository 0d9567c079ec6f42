"""The environment of an app or command-line process started by a test: the user's folders in ``tmp_path``."""

from __future__ import annotations

import os
from pathlib import Path


def user_env(tmp_path: Path) -> dict[str, str]:
    """This process's environment with the runtime, data and config folders in ``tmp_path``, Qt offscreen."""
    run = tmp_path / "run"
    run.mkdir(mode=0o700, exist_ok=True)
    return {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_RUNTIME_DIR": str(run),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
