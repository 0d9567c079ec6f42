"""The app's icons, painted by Qt at whatever size the platform asks for, so they stay crisp at every scale."""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPen, QPixmap


class TrayState(StrEnum):
    NORMAL = "normal"
    SYNCING = "syncing"
    OFFLINE = "offline"
    ERROR = "error"
    DEMO = "demo"


_ACCENT = {
    TrayState.NORMAL: "#2a7ae2",
    TrayState.SYNCING: "#2a7ae2",
    TrayState.OFFLINE: "#8a8f98",
    TrayState.ERROR: "#d93025",
    TrayState.DEMO: "#e37400",
}

_SIZES = (16, 22, 24, 32, 48, 64, 128, 256)


def _paint_calendar(size: int, accent: QColor, badge: str) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    margin = size * 0.08
    body = QRectF(margin, margin * 1.6, size - 2 * margin, size - 2.6 * margin)
    radius = size * 0.14
    # White page with a dark outline reads on light and dark panels alike.
    painter.setPen(QPen(QColor("#1f2329"), max(1.0, size / 22)))
    painter.setBrush(QColor("#ffffff"))
    painter.drawRoundedRect(body, radius, radius)
    header = QRectF(body.left(), body.top(), body.width(), body.height() * 0.32)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(accent)
    painter.drawRoundedRect(header, radius, radius)
    painter.drawRect(QRectF(header.left(), header.center().y(), header.width(), header.height() / 2))
    if size >= 20:
        font = QFont("DejaVu Sans")
        font.setBold(True)
        font.setPixelSize(max(6, int(body.height() * 0.5)))
        painter.setFont(font)
        painter.setPen(accent)
        text_rect = QRectF(body.left(), header.bottom(), body.width(), body.bottom() - header.bottom())
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignCenter, badge)
    painter.end()
    return pixmap


def tray_icon(state: TrayState) -> QIcon:
    badge = {TrayState.OFFLINE: "–", TrayState.ERROR: "!", TrayState.DEMO: "D", TrayState.SYNCING: "…"}.get(state, "K")
    icon = QIcon()
    for size in _SIZES:
        icon.addPixmap(_paint_calendar(size, QColor(_ACCENT[state]), badge))
    return icon


def app_icon() -> QIcon:
    return tray_icon(TrayState.NORMAL)
