"""The few letters and signs the icons carry, drawn as strokes rather than text.

Text needs the system's fonts: the first ``drawText`` loads fontconfig, its caches and FreeType, about 3 MiB
resident, and an app that lives in the tray with its windows closed never draws text otherwise (the panel draws
the menu, the notification server the notifications). Strokes also look the same on every system, whatever fonts
it has. Each glyph is a list of paths in a unit box (x and y from 0 to 1, y down), stroked with round ends.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen

# A stroke is a start point and steps from it: (x, y) a line to there, (x1, y1, x2, y2, x, y) a cubic curve.
Stroke = tuple[tuple[float, ...], ...]

_GLYPHS: dict[str, tuple[Stroke, ...]] = {
    "K": (((0.18, 0.0), (0.18, 1.0)), ((0.82, 0.0), (0.18, 0.6)), ((0.4, 0.4), (0.84, 1.0))),
    "D": (((0.18, 0.0), (0.18, 1.0), (0.42, 1.0), (0.98, 1.0, 0.98, 0.0, 0.42, 0.0), (0.18, 0.0)),),
    "M": (((0.1, 1.0), (0.1, 0.0), (0.5, 0.72), (0.9, 0.0), (0.9, 1.0)),),
    "A": (((0.08, 1.0), (0.5, 0.0), (0.92, 1.0)), ((0.26, 0.64), (0.74, 0.64))),
    "B": (
        ((0.18, 0.48), (0.18, 0.0), (0.52, 0.0), (0.86, 0.0, 0.86, 0.48, 0.52, 0.48), (0.18, 0.48)),
        ((0.18, 0.48), (0.18, 1.0), (0.56, 1.0), (0.92, 1.0, 0.92, 0.48, 0.56, 0.48)),
    ),
    "C": (((0.86, 0.16), (0.55, -0.12, 0.08, 0.05, 0.08, 0.5), (0.08, 0.95, 0.55, 1.12, 0.86, 0.84)),),
    "V": (((0.08, 0.0), (0.5, 1.0), (0.92, 0.0)),),
    "?": (
        ((0.2, 0.26), (0.22, -0.06, 0.82, -0.08, 0.8, 0.26), (0.78, 0.48, 0.5, 0.46, 0.5, 0.7)),
        ((0.5, 0.97), (0.5, 0.98)),
    ),
    "!": (((0.5, 0.0), (0.5, 0.64)), ((0.5, 0.97), (0.5, 0.98))),
    "–": (((0.12, 0.5), (0.88, 0.5)),),
    "×": (((0.14, 0.18), (0.86, 0.82)), ((0.86, 0.18), (0.14, 0.82))),
    "↑": (((0.5, 1.0), (0.5, 0.04)), ((0.12, 0.42), (0.5, 0.04), (0.88, 0.42))),
}
# Width of a glyph's box for its height: the letters' proportions of a bold sans-serif face.
_ASPECT = 0.78


def draw_glyph(painter: QPainter, rect: QRectF, glyph: str, colour: QColor, height: float, weight: float) -> None:
    """``glyph`` centred in ``rect``, ``height`` pixels tall, stroked ``weight`` pixels wide in ``colour``.

    The box is inset by half the stroke, so the glyph's ink is ``height`` tall. An unknown glyph draws nothing.
    """
    strokes = _GLYPHS.get(glyph)
    if strokes is None:
        return
    inner = max(1.0, height - weight)
    width = inner * _ASPECT
    left = rect.center().x() - width / 2
    top = rect.center().y() - inner / 2

    def at(x: float, y: float) -> QPointF:
        return QPointF(left + x * width, top + y * inner)

    path = QPainterPath()
    for (x, y), *steps in strokes:
        path.moveTo(at(x, y))
        for step in steps:
            if len(step) == 6:
                path.cubicTo(at(*step[0:2]), at(*step[2:4]), at(*step[4:6]))
            else:
                path.lineTo(at(*step))
    pen = QPen(colour, weight)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.save()
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(path)
    painter.restore()
