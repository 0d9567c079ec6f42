"""Scroll areas with a viewport made in Python, so that asking for it stays cheap.

Qt makes a scroll area's viewport itself, a plain ``QWidget`` that PySide6 has no wrapper for. The first
time Python asks for such an object, PySide6 looks for its most derived class by trying every QWidget
subclass it binds, and builds each of those classes (about 70, with their enums) to do so: 2 MiB that stay
for the life of the process, paid by whichever call comes first (``viewport().update()``, say). A viewport
made here has its wrapper already, so ``viewport()`` finds it at once.
"""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QAbstractScrollArea, QScrollArea, QWidget

#: The name Qt gives its own viewports; style sheets and styles may look for it.
VIEWPORT_NAME = "qt_scrollarea_viewport"


def give_own_viewport(area: QAbstractScrollArea) -> QWidget:
    """Replace ``area``'s viewport by one made here and set up as Qt sets up its own; returns it.

    Call it in the area's constructor, before anything is put in the viewport: Qt deletes its own viewport
    with whatever it holds (a scroll area's widget, say).
    """
    viewport = QWidget()
    viewport.setObjectName(VIEWPORT_NAME)
    # A scroll area shows its parent's background around the widget it scrolls; item views and plain scroll
    # areas paint the base colour, as the lists and text fields of the style.
    role = QPalette.ColorRole.NoRole if isinstance(area, QScrollArea) else QPalette.ColorRole.Base
    viewport.setBackgroundRole(role)
    viewport.setAutoFillBackground(True)
    area.setViewport(viewport)  # the area takes it, and deletes Qt's own
    return viewport
