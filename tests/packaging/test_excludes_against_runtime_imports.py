"""The spec's exclude list against what the app imports at run time.

The unfrozen app runs ``--smoke`` (a normal start that then opens every window, saves an ICS file, notifies and
uses the keyring) under ``python -X importtime``, which names every module imported. No excluded module may be
among them: the frozen app would die on it the first time that code runs (as it did on QtNetwork).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from packaging_support import ROOT
from platform_spec import bundle_plan

from klen_desktop import __version__

_IMPORT_LINE = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)$")


def runtime_imports(tmp_path: Path) -> set[str]:
    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_RUNTIME_DIR": str(run),
    }
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "klen_desktop", "--smoke", "--demo"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "windows=ok" in result.stdout and "ics=ok" in result.stdout, result.stdout
    return {m.group(1) for line in result.stderr.splitlines() if (m := _IMPORT_LINE.match(line))}


def test_nothing_the_app_imports_is_excluded_from_the_bundle(tmp_path: Path) -> None:
    imported = runtime_imports(tmp_path)
    # The check sees the imports: the single-instance socket's server and the windows' modules are there.
    assert {"klen_desktop.ui.unix_listener", "klen_desktop.ui.editor", "klen_desktop.ui.settings_dialog"} <= imported
    excludes = bundle_plan("linux", __version__).excludes
    clashes = sorted(
        name for name in imported for excluded in excludes if name == excluded or name.startswith(excluded + ".")
    )
    assert clashes == [], f"the app imports modules the spec excludes: {clashes}"
