"""The launch gives ``import`` back to Python, so modules imported after Qt leave no source text in memory."""

from __future__ import annotations

import builtins
import linecache
import os
import subprocess
import sys
from pathlib import Path

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


def test_the_app_starts_without_qtnetwork(tmp_path: Path) -> None:
    # The network watch loads it when a sync first finds the network down (tests/ui/test_network_watch.py); the
    # single-instance socket is a Unix socket served by asyncio here (QtNetwork's local server on Windows only).
    probe = (
        "import sys; from PySide6.QtCore import QCoreApplication; app = QCoreApplication([]); "
        "import klen_desktop.app; from klen_desktop.ui.network_watch import NetworkWatch; "
        "from klen_desktop.ui.single_instance import SingleInstance; "
        f"instance = SingleInstance(__import__('pathlib').Path({str(tmp_path)!r})); "
        "assert instance.claim(); instance.listen(); app.processEvents(); "
        "NetworkWatch(lambda: None); print('PySide6.QtNetwork' in sys.modules); instance.release()"
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


def test_the_app_imports_in_steps_and_none_of_them_opens_a_window_or_loads_what_only_escaping_needed() -> None:
    # Each step lets Qt answer the panel (tests/benchmarks/bench_ui_lag.py: no answer over 50 ms at the start);
    # a step naming a module that no longer exists would fail here rather than at a user's start.
    probe = (
        "import sys; from PySide6.QtWidgets import QApplication; app = QApplication([]); "
        "from klen_desktop.launch import APP_IMPORT_STEPS, drop_feature_import_hook, import_app_in_steps, "
        "skip_httpx_command_line; drop_feature_import_hook(); skip_httpx_command_line(); import_app_in_steps(app); "
        "print(all(name in sys.modules for name in APP_IMPORT_STEPS), "
        "sorted(m for m in ('klen_desktop.ui.agenda', 'klen_desktop.ui.editor', 'dateparser', 'html', 'uuid', "
        "'platform', 'click', 'rich') if m in sys.modules))"
    )
    assert printed_by(probe) == "True []"


def test_an_agenda_opened_on_the_list_loads_neither_the_grid_nor_the_quick_add_reader() -> None:
    # The grid's modules come with the first switch to Day or Week, the sentence reader with the first sentence
    # typed, the accounts' colour swatches with a second account: an agenda opened and read needs none of them.
    probe = (
        "import sys; from PySide6.QtWidgets import QApplication; app = QApplication([]); "
        "from klen_desktop.launch import drop_feature_import_hook; drop_feature_import_hook(); "
        "from datetime import datetime, UTC; from klen_desktop.ui.agenda import AgendaWindow; "
        "w = AgendaWindow(); w.set_events([], datetime.now(UTC)); w.show(); app.processEvents(); "
        "print(sorted(m for m in ('klen_desktop.ui.agenda.time_grid', 'klen_desktop.ui.agenda.week_view', "
        "'klen_desktop.ui.agenda.grid_canvas', 'klen_desktop.quick_add', 'dateparser', "
        "'klen_desktop.ui.accounts_page') if m in sys.modules))"
    )
    assert printed_by(probe) == "[]"


def test_the_app_starts_without_what_only_a_rare_path_needs() -> None:
    # Each is loaded where it is used (tests/benchmarks/bench_startup.py measured them): httpcore and anyio only
    # behind a proxy (api/client.py), zoneinfo with a second zone, the command line's handler with the first
    # command, the no-tray window where no panel shows icons, Qt's message box and file dialog when first shown.
    probe = (
        "import sys; from PySide6.QtWidgets import QApplication; app = QApplication([]); "
        "from klen_desktop.launch import drop_feature_import_hook, import_app_in_steps, skip_httpx_command_line; "
        "drop_feature_import_hook(); skip_httpx_command_line(); import_app_in_steps(app); "
        "from klen_desktop.api.client import KlenClient; KlenClient('http://127.0.0.1:9', 'klen_' + 'x' * 20); "
        "from klen_desktop.date_texts import set_second_zone; set_second_zone(''); "
        "import PySide6.QtWidgets as widgets; "
        "print(sorted(m for m in ('httpcore', 'anyio', 'logging.handlers', 'pickle', 'zoneinfo', 'typing_extensions', "
        "'klen_desktop.command_line.in_app', 'klen_desktop.ui.no_tray_mode', 'klen_desktop.demo') "
        "if m in sys.modules), "
        "sorted(name for name in ('QMessageBox', 'QFileDialog') if name in vars(widgets)))"
    )
    assert printed_by(probe) == "[] []"


FONT_PROBE = (
    "import os; from PySide6.QtWidgets import QApplication; app = QApplication([]); "
    "from klen_desktop.ui.icons import TrayState, tray_icon, type_icon; "
    "[tray_icon(state) for state in TrayState]; "
    "[type_icon(kind) for kind in ('meeting', 'appointment', 'busy', 'voice_call', 'video_call', 'unknown')]; "
    "{extra}"
    "print(any('fontconfig' in line and '.cache' in line for line in open('/proc/self/maps')))"
)


@pytest.mark.skipif(not os.environ.get("DISPLAY"), reason="needs the X session: offscreen Qt loads fonts at start")
def test_painting_every_icon_loads_no_fonts() -> None:
    # Letters are strokes (ui/glyphs.py): an app that lives in the tray never loads fontconfig and its caches.
    env = dict(os.environ, QT_QPA_PLATFORM="xcb")
    ran = [
        subprocess.run(
            [sys.executable, "-c", FONT_PROBE.format(extra=extra)], capture_output=True, text=True, check=True, env=env
        ).stdout.strip()
        for extra in ("", "from PySide6.QtGui import QFontMetrics; QFontMetrics(app.font()).horizontalAdvance('K'); ")
    ]
    assert ran == ["False", "True"], "the probe sees fonts once text is measured, and none from the icons"
