"""Painting helpers shared by the app's painted widgets."""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QPainter


def fill(painter: QPainter, rect: QRect | QRectF, colour: QColor | str) -> None:
    """Fill ``rect`` with ``colour``, as ``painter.fillRect`` would; the painter's pen and brush are left as they were.

    Not ``fillRect`` itself: choosing among its overloads (and a QBrush's, made of a colour) makes PySide6 build its
    QGradient class, with the 169 named gradients, some 0.1 MiB resident for rectangles of one colour. A rectangle
    drawn without an outline covers exactly the same pixels.
    """
    painter.save()
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    painter.drawRect(rect)
    painter.restore()
