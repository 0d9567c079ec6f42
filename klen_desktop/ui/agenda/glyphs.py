"""Small type glyphs painted with QPainter at any size: crisp at every scale, no image files to ship."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QPixmap

from klen_desktop.api.models import EventType

# Mid-saturation hues that read on light and dark bases alike.
TYPE_COLORS = {
    EventType.MEETING: QColor("#3b82f6"),
    EventType.APPOINTMENT: QColor("#0f9d76"),
    EventType.BUSY: QColor("#8a8f98"),
    EventType.VOICE_CALL: QColor("#d9822b"),
    EventType.VIDEO_CALL: QColor("#8b5cf6"),
}


def paint_type_glyph(
    painter: QPainter, rect: QRectF, event_type: EventType, muted: bool = False, color: QColor | None = None
) -> None:
    """Draw the glyph of ``event_type`` centred in ``rect`` (a square), in its own hue unless ``color`` is given."""
    color = QColor(color if color is not None else TYPE_COLORS.get(event_type, QColor("#8a8f98")))
    if muted:
        color.setAlphaF(0.45)
    s = min(rect.width(), rect.height())
    box = QRectF(0, 0, s, s)
    box.moveCenter(rect.center())
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(color, max(1.2, s / 11))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    x, y, u = box.left(), box.top(), s / 16
    if event_type is EventType.MEETING:
        painter.drawEllipse(QPointF(x + 5.5 * u, y + 5.5 * u), 2.3 * u, 2.3 * u)
        painter.drawEllipse(QPointF(x + 10.8 * u, y + 5.5 * u), 2.3 * u, 2.3 * u)
        painter.drawArc(QRectF(x + 1.5 * u, y + 9.5 * u, 8 * u, 8 * u), 0, 180 * 16)
        painter.drawArc(QRectF(x + 6.8 * u, y + 9.5 * u, 8 * u, 8 * u), 0, 180 * 16)
    elif event_type is EventType.APPOINTMENT:
        painter.drawEllipse(box.adjusted(2 * u, 2 * u, -2 * u, -2 * u))
        c = box.center()
        painter.drawLine(c, QPointF(c.x(), c.y() - 4 * u))
        painter.drawLine(c, QPointF(c.x() + 3 * u, c.y() + 1.5 * u))
    elif event_type is EventType.BUSY:
        painter.setBrush(color)
        painter.drawEllipse(box.adjusted(2 * u, 2 * u, -2 * u, -2 * u))
        painter.setPen(QPen(QColor("#ffffff"), max(1.5, 2 * u), Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.drawLine(QPointF(x + 5 * u, y + 8 * u), QPointF(x + 11 * u, y + 8 * u))
    elif event_type is EventType.VOICE_CALL:
        path = QPainterPath()
        path.moveTo(x + 3 * u, y + 4 * u)
        path.quadTo(x + 3.5 * u, y + 12.5 * u, x + 12 * u, y + 13 * u)
        painter.drawPath(path)
        painter.drawLine(QPointF(x + 3 * u, y + 4 * u), QPointF(x + 5.5 * u, y + 2.5 * u))
        painter.drawLine(QPointF(x + 12 * u, y + 13 * u), QPointF(x + 13.5 * u, y + 10.5 * u))
        painter.drawArc(QRectF(x + 7 * u, y + 1 * u, 8 * u, 8 * u), 0, 90 * 16)
    elif event_type is EventType.VIDEO_CALL:
        painter.drawRoundedRect(QRectF(x + 1.5 * u, y + 4.5 * u, 9 * u, 7 * u), 1.5 * u, 1.5 * u)
        path = QPainterPath()
        path.moveTo(x + 10.5 * u, y + 8 * u)
        path.lineTo(x + 14.5 * u, y + 5 * u)
        path.lineTo(x + 14.5 * u, y + 11 * u)
        path.closeSubpath()
        painter.drawPath(path)
    else:  # a type the app does not know: a plain ring, like no known type
        painter.drawEllipse(box.adjusted(4 * u, 4 * u, -4 * u, -4 * u))
    painter.restore()


_PIXMAPS: dict[tuple[EventType, int, float, int, bool], QPixmap] = {}


def type_glyph_pixmap(event_type: EventType, size: int, ratio: float, color: QColor | None, muted: bool) -> QPixmap:
    """The glyph rendered once per look and cached: antialiased curves cost more than a pixmap blit per row."""
    key = (event_type, size, ratio, -1 if color is None else color.rgba(), muted)
    pixmap = _PIXMAPS.get(key)
    if pixmap is None:
        pixmap = QPixmap(round(size * ratio), round(size * ratio))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        paint_type_glyph(painter, QRectF(0, 0, size, size), event_type, muted=muted, color=color)
        painter.end()
        if len(_PIXMAPS) > 64:  # palettes and scales change rarely; start over rather than grow
            _PIXMAPS.clear()
        _PIXMAPS[key] = pixmap
    return pixmap
