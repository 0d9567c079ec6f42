"""The launch gives ``import`` back to Python, so modules imported after Qt leave no source text in memory."""

from __future__ import annotations

import builtins
import linecache
import subprocess
import sys

import pytest
from PySide6 import QtCore  # noqa: F401  (the hook is PySide6's: it is there once Qt is imported)

from klen_desktop.launch import drop_feature_import_hook


def test_modules_imported_after_the_launch_leave_no_source_in_linecache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(builtins, "__import__", builtins.__import__)  # put back after the test
    monkeypatch.delitem(sys.modules, "colorsys", raising=False)
    linecache.clearcache()
    drop_feature_import_hook()
    import colorsys  # noqa: F401  (a small module nothing else here imports)

    assert not [name for name in linecache.cache if name.endswith("colorsys.py")]
    drop_feature_import_hook()  # a second call changes nothing
    assert builtins.__import__ is getattr(builtins, "__orig_import__", builtins.__import__)


def printed_by(probe: str) -> str:
    """What ``probe`` prints in a fresh interpreter (what a module imports shows only in one)."""
    return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()


def test_httpx_comes_without_its_command_line_client() -> None:
    probe = (
        "import sys; from klen_desktop.launch import skip_httpx_command_line; skip_httpx_command_line(); "
        "import httpx; print(sorted(name for name in ('click', 'rich', 'pygments') if name in sys.modules))"
    )
    assert printed_by(probe) == "[]"


def test_the_app_starts_without_the_network_status_backend() -> None:
    # The network watch loads it when a sync first finds the network down (tests/ui/test_network_watch.py).
    probe = (
        "import sys; import klen_desktop.app; from klen_desktop.ui.network_watch import NetworkWatch; "
        "NetworkWatch(lambda: None); print('PySide6.QtNetwork' in sys.modules)"
    )
    assert printed_by(probe) == "False"


def test_what_runs_before_the_tray_icon_imports_no_event_loop_network_or_store() -> None:
    # The icon is shown before the app's imports (launch.boot_tray); the single-instance lock is taken before it.
    # asyncio alone brings ssl and OpenSSL: tens of milliseconds and megabytes before the user sees anything.
    probe = (
        "import sys; import klen_desktop.launch, klen_desktop.ui.single_instance, klen_desktop.ui.icons; "
        "print(sorted(m for m in ('asyncio', 'ssl', 'httpx', 'sqlite3', 'qasync') if m in sys.modules))"
    )
    assert printed_by(probe) == "[]"


def test_the_app_starts_without_the_windows_it_opens_on_demand() -> None:
    # The agenda, the editor and quick add's reader load when first opened: at start they cost ~130 ms.
    probe = (
        "import sys; import klen_desktop.app, klen_desktop.ui.window_manager, klen_desktop.ui.shortcuts_actions, "
        "klen_desktop.ui.quick_add_flow, klen_desktop.ui.tray; print(sorted(m for m in ("
        "'klen_desktop.ui.agenda', 'klen_desktop.ui.editor', 'klen_desktop.quick_add.parser', 'dateparser'"
        ") if m in sys.modules))"
    )
    assert printed_by(probe) == "[]"
