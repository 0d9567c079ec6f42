"""Widgets follow a new palette or font without a Python handler of every event, and the agenda has none."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from shiboken6 import Shiboken

from klen_desktop.ui.agenda.detail_pane import LinkLabel
from klen_desktop.ui.form_widgets import ErrorLabel, error_color
from klen_desktop.ui.theme_watch import on_font_change, on_palette_change


def dark() -> QPalette:
    palette = QPalette(QColor("#303030"))
    palette.setColor(QPalette.ColorRole.Link, QColor("#0000aa"))  # Qt's light default: unreadable on the dark
    return palette


@pytest.fixture
def app() -> Iterator[QApplication]:
    qt = QApplication.instance()
    assert isinstance(qt, QApplication)
    palette, font = qt.palette(), qt.font()
    yield qt
    qt.setPalette(palette)
    qt.setFont(font)


def test_an_error_label_shown_before_a_theme_change_takes_the_new_themes_red(qtbot: QtBot, app: QApplication) -> None:
    label = ErrorLabel(lines=1)
    qtbot.addWidget(label)
    label.show_message("Too long")
    before = label.palette().color(QPalette.ColorRole.WindowText)
    app.setPalette(dark())
    wanted = error_color(dark())
    assert wanted != before
    qtbot.waitUntil(lambda: label.palette().color(QPalette.ColorRole.WindowText) == wanted)


def test_an_error_label_keeps_its_lines_in_a_new_font(qtbot: QtBot, app: QApplication) -> None:
    label = ErrorLabel(lines=2)
    qtbot.addWidget(label)
    label.show_message("Too long")
    spacing = label.fontMetrics().lineSpacing()
    assert label.height() == 2 * spacing
    bigger = QFont(app.font())
    bigger.setPointSizeF(app.font().pointSizeF() * 2)
    app.setFont(bigger)
    qtbot.waitUntil(lambda: label.fontMetrics().lineSpacing() > spacing)
    qtbot.waitUntil(lambda: label.height() == 2 * label.fontMetrics().lineSpacing())


def test_a_link_shown_before_a_theme_change_is_recoloured_to_read_on_it(qtbot: QtBot, app: QApplication) -> None:
    label = LinkLabel("Join · ", "https://meet.example.com/j/1")
    qtbot.addWidget(label)
    label.resize(400, 30)
    light = label.text()
    app.setPalette(dark())
    qtbot.waitUntil(lambda: label.text() != light)
    assert "#0000aa" not in label.text()


def test_one_turn_of_the_loop_tells_several_changes_once_and_a_gone_widget_never(
    qtbot: QtBot, app: QApplication
) -> None:
    told: list[str] = []
    kept, gone = QWidget(), QWidget()
    qtbot.addWidget(kept)
    on_palette_change(kept, lambda: told.append("kept"))
    on_palette_change(gone, lambda: told.append("gone"))
    on_font_change(kept, lambda: told.append("font"))
    Shiboken.delete(gone)
    app.setPalette(dark())
    app.setPalette(QPalette(QColor("#505050")))
    assert told == []  # told after the change reached the widgets, not while Qt is still handing it out
    qtbot.waitUntil(lambda: told == ["kept"])
    qtbot.wait(20)
    assert told == ["kept"]


# In a fresh interpreter, as the app runs: the classes PySide6 builds stay built for the life of the process.
PROBE = r"""
import sys
from datetime import UTC, datetime, timedelta

import PySide6.QtGui as gui
import PySide6.QtWidgets as widgets
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

app = QApplication([])
if sys.argv[1] == "agenda":
    from klen_desktop.api.models import EventStatus, EventSummary, EventType
    from klen_desktop.store.events import StoredEvent
    from klen_desktop.ui.agenda import AgendaWindow
    from klen_desktop.ui.agenda.toolbar import AgendaView

    now = datetime.now(UTC).replace(second=0, microsecond=0)

    def event(i, start):
        summary = EventSummary(
            id=i, uuid=f"00000000-0000-4000-8000-{i:012d}", title=f"Call {i}", event_type=EventType.MEETING,
            status=EventStatus.CONFIRMED, start_time=start, end_time=start + timedelta(minutes=30),
        )
        return StoredEvent(summary=summary, detail=None, detail_fetched_at=None, local_state=None)

    window = AgendaWindow()
    window.resize(1000, 700)
    window.show()
    window.set_events([event(1, now - timedelta(hours=2)), event(2, now + timedelta(hours=1))], now)
    app.processEvents()
    view = window.list_view
    rect = view.visualRect(window.model.index(window.model.row_of(1)))
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # a row
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.right() - 20, rect.center().y()))
    window.toolbar.search_edit.setFocus()
    QTest.keyClick(window.toolbar.quick_add.line, Qt.Key.Key_Escape)
    window.set_view(AgendaView.WEEK)
    app.processEvents()
    QTest.mouseMove(window.week_view.viewport(), QPoint(200, 200))
    app.setPalette(QPalette(QColor("#303030")))
    font = QFont(app.font())
    font.setPointSize(font.pointSize() + 3)
    app.setFont(font)
else:  # the control: one widget that handles its changes in changeEvent
    class Handled(QWidget):
        def changeEvent(self, event):
            super().changeEvent(event)

    window = Handled()
    window.show()
    app.setPalette(QPalette(QColor("#303030")))
for _ in range(5):
    app.processEvents()
# Kinds of events no handler here takes, and classes the agenda does without (it paints its rows, fills its
# rectangles and asks its questions without them).
NEVER = ("QTabletEvent", "QNativeGestureEvent", "QGraphicsSceneMoveEvent")
NEVER += ("QStyle", "QGradient", "QComboBox", "QDialog", "QDateTimeEdit", "QCalendarWidget")
print(sorted(name for name in NEVER if name in vars(gui) or name in vars(widgets)))
"""


@pytest.mark.parametrize(
    ("probe", "built"),
    [("agenda", "[]"), ("handled", "['QGraphicsSceneMoveEvent', 'QNativeGestureEvent', 'QTabletEvent']")],
)
def test_using_the_agenda_builds_no_class_it_never_needs(probe: str, built: str) -> None:
    # A handler of any event (changeEvent here) makes PySide6 build a class for all 53 kinds of event, some 0.7 MiB
    # (tests/benchmarks/bench_startup.py), and reading a row's style state builds QStyle (0.45 MiB); the control
    # shows the probe tells them apart.
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    result = subprocess.run([sys.executable, "-c", PROBE, probe], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == built
