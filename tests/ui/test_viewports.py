"""The app's scroll areas carry a viewport made in Python: set up as Qt's own, and cheap to ask for."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QAbstractScrollArea, QLabel, QScrollArea, QTableView, QWidget
from pytestqt.qtbot import QtBot

from klen_desktop.ui.agenda.grid_canvas import GridCanvas
from klen_desktop.ui.agenda.listview import AgendaListView
from klen_desktop.ui.agenda.week_view import WeekView
from klen_desktop.ui.screen_fit import FormScroll


def qt_scroll_area() -> QScrollArea:
    area = QScrollArea()
    area.setWidget(QLabel("form"))
    return area


def form_scroll() -> QScrollArea:
    return FormScroll(QLabel("form"))


def tracked_scroll_area() -> QAbstractScrollArea:
    area = QAbstractScrollArea()
    area.viewport().setMouseTracking(True)  # as the week view's, whose tooltip follows the pointer
    return area


def viewport_facts(area: QAbstractScrollArea) -> tuple[object, ...]:
    viewport = area.viewport()
    attributes = sorted(attribute.name for attribute in Qt.WidgetAttribute if viewport.testAttribute(attribute))
    return (
        viewport.parentWidget() is area,
        viewport.focusProxy() is area,
        viewport.objectName(),
        viewport.backgroundRole(),
        viewport.autoFillBackground(),
        viewport.palette().color(viewport.backgroundRole()).name(),
        viewport.focusPolicy(),
        viewport.hasMouseTracking(),
        viewport.contextMenuPolicy(),
        viewport.isVisible(),
        viewport.geometry().getRect(),
        attributes,
    )


@pytest.mark.parametrize(
    ("ours", "qts"),
    [
        (lambda: AgendaListView(30), QTableView),
        (GridCanvas, QAbstractScrollArea),
        (WeekView, tracked_scroll_area),
        (form_scroll, qt_scroll_area),
    ],
    ids=["agenda list", "grid", "week", "form scroll"],
)
def test_the_viewport_is_set_up_as_qts_own(
    qtbot: QtBot, ours: Callable[[], QAbstractScrollArea], qts: Callable[[], QAbstractScrollArea]
) -> None:
    areas = [ours(), qts()]
    for area in areas:
        qtbot.addWidget(area)
        area.setFrameShape(QAbstractScrollArea.Shape.NoFrame)
        area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # the grid has a day to scroll
        area.resize(320, 240)
        area.show()
    qtbot.waitExposed(areas[0])
    qtbot.waitExposed(areas[1])
    assert viewport_facts(areas[0]) == viewport_facts(areas[1])


def test_a_scroll_areas_widget_shows_the_window_background_not_the_base_colour(qtbot: QtBot) -> None:
    area = form_scroll()
    qtbot.addWidget(area)
    assert area.viewport().backgroundRole() == QPalette.ColorRole.Window  # NoRole: the parent's, a window's
    assert area.widget() is not None and area.widget().parentWidget() is area.viewport()


# In a fresh interpreter: the classes PySide6 built stay built for the life of the process.
PROBE = """
import sys
import PySide6.QtWidgets as widgets
from PySide6.QtWidgets import QApplication, QLabel, QTableView
app = QApplication([])
if sys.argv[1] == "ours":
    from klen_desktop.ui.agenda.listview import AgendaListView
    from klen_desktop.ui.agenda.week_view import WeekView
    from klen_desktop.ui.screen_fit import FormScroll
    areas = [AgendaListView(30), WeekView(), FormScroll(QLabel("form"))]
else:
    areas = [QTableView()]
for area in areas:
    area.show()
    area.viewport().update()
app.processEvents()
print(sorted(name for name in ("QWizard", "QCalendarWidget", "QMdiArea") if name in vars(widgets)))
"""


@pytest.mark.parametrize(("areas", "built"), [("ours", "[]"), ("qts", "['QCalendarWidget', 'QMdiArea', 'QWizard']")])
def test_asking_for_the_viewport_builds_no_other_widget_classes(areas: str, built: str) -> None:
    # Qt's own viewport makes PySide6 build every QWidget subclass it binds to find the viewport's class (2 MiB,
    # measured by tests/benchmarks/bench_startup.py); the second case shows the probe tells the two apart.
    result = subprocess.run([sys.executable, "-c", PROBE, areas], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == built


def test_the_helper_keeps_a_viewport_made_by_the_caller(qtbot: QtBot) -> None:
    area = AgendaListView(30)
    qtbot.addWidget(area)
    made = area.viewport()
    assert isinstance(made, QWidget) and type(made) is QWidget and made.objectName() == "qt_scrollarea_viewport"
    assert area.viewport() is made  # the same wrapper every time: nothing for PySide6 to look up
