"""The app's icons, painted by Qt at every size the platform asks for, so they stay crisp at any scale.

The tray icon is a calendar page: white with a dark outline, so it reads on light and dark panels alike, an
accent header whose colour tells the state, and for states that need attention a badge in the corner (a
circle with its own outline, again legible on either panel). Nothing is loaded from disk: start-up stays fast
and no icon theme can make the state unreadable. Letters and signs are strokes (:mod:`klen_desktop.ui.glyphs`),
not text, so showing the icons never loads the system's fonts.
"""

from __future__ import annotations

from enum import StrEnum

import shiboken6
from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QIconEngine, QPainter, QPainterPath, QPen, QPixmap

from klen_desktop.ui.glyphs import draw_glyph


class TrayState(StrEnum):
    NORMAL = "normal"
    SYNCING = "syncing"
    OFFLINE = "offline"
    ERROR = "error"  # the key was rejected or lacks a permission
    PENDING = "pending"  # local changes not yet on the server
    DND = "dnd"  # do not disturb
    DEMO = "demo"


_ACCENT = {
    TrayState.NORMAL: "#2a7ae2",
    TrayState.SYNCING: "#2a7ae2",
    TrayState.OFFLINE: "#8a8f98",
    TrayState.ERROR: "#d93025",
    TrayState.PENDING: "#2a7ae2",
    TrayState.DND: "#6b5bd6",
    TrayState.DEMO: "#e37400",
}
# Corner badge: background colour and glyph. States without one show the plain page.
_BADGE = {
    TrayState.SYNCING: ("#2a7ae2", "sync"),
    TrayState.OFFLINE: ("#5f6368", "–"),
    TrayState.ERROR: ("#d93025", "!"),
    TrayState.PENDING: ("#f29900", "↑"),
    TrayState.DND: ("#6b5bd6", "moon"),
}
# Keyed by the API's event type values (EventType is a StrEnum, so its members look these up): this module
# stays free of the API models, as it is imported before anything else to get the tray up fast.
_TYPE_COLOURS = {
    "meeting": ("#2a7ae2", "M"),
    "appointment": ("#188038", "A"),
    "busy": ("#5f6368", "B"),
    "voice_call": ("#e37400", "C"),
    "video_call": ("#a142f4", "V"),
}

# Window icons go up to the task switcher's sizes. Tray icons stop at 64: the freedesktop tray sends the host
# nothing larger, and no panel on any platform draws one larger; 128 and 256 would add 320 KiB a state.
_WINDOW_SIZES = (16, 22, 24, 32, 48, 64, 128, 256)
_TRAY_SIZES = (16, 22, 24, 32, 48, 64)
# Panel sizes only: painted for the icon shown at boot, when every millisecond counts.
PANEL_SIZES = (16, 22, 24, 32, 48)
_OUTLINE = "#1f2329"


def _painter(pixmap: QPixmap) -> QPainter:
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    return painter


def _paint_page(painter: QPainter, size: int, accent: QColor, letter: str) -> None:
    margin = size * 0.08
    body = QRectF(margin, margin * 1.6, size - 2 * margin, size - 2.6 * margin)
    radius = size * 0.14
    painter.setPen(QPen(QColor(_OUTLINE), max(1.0, size / 22)))
    painter.setBrush(QColor("#ffffff"))
    painter.drawRoundedRect(body, radius, radius)
    header = QRectF(body.left(), body.top(), body.width(), body.height() * 0.32)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(accent)
    painter.drawRoundedRect(header, radius, radius)
    painter.drawRect(QRectF(header.left(), header.center().y(), header.width(), header.height() / 2))
    if size >= 20 and letter:
        text_rect = QRectF(body.left(), header.bottom(), body.width(), body.bottom() - header.bottom())
        height = text_rect.height() * 0.6
        draw_glyph(painter, text_rect, letter, accent, height, max(1.0, height * 0.2))


def _paint_badge(painter: QPainter, size: int, colour: str, glyph: str) -> None:
    diameter = size * 0.55
    rect = QRectF(size - diameter, size - diameter, diameter, diameter).adjusted(0.5, 0.5, -0.5, -0.5)
    painter.setPen(QPen(QColor("#ffffff"), max(1.0, size / 24)))
    painter.setBrush(QColor(colour))
    painter.drawEllipse(rect)
    pen = QPen(QColor("#ffffff"), max(1.0, size / 14))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    inner = rect.adjusted(rect.width() * 0.26, rect.height() * 0.26, -rect.width() * 0.26, -rect.height() * 0.26)
    if glyph == "sync":
        painter.drawArc(inner, 30 * 16, 280 * 16)
    elif glyph == "moon":
        path = QPainterPath()
        path.addEllipse(inner)
        cut = QPainterPath()
        cut.addEllipse(inner.translated(QPointF(inner.width() * 0.35, -inner.height() * 0.2)))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#ffffff"))
        painter.drawPath(path.subtracted(cut))
    else:
        draw_glyph(painter, rect, glyph, QColor("#ffffff"), rect.height() * 0.56, pen.widthF())


def accent(state: TrayState) -> str:
    """The colour of the page's header in ``state`` (what tells the states apart on a panel)."""
    return _ACCENT[state]


def tray_pixmap(state: TrayState, size: int) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = _painter(pixmap)
    badge = _BADGE.get(state)
    # With a badge the page stays blank: a letter half hidden behind it would only read as noise.
    letter = "" if badge is not None else ("D" if state is TrayState.DEMO else "K")
    _paint_page(painter, size, QColor(_ACCENT[state]), letter)
    if badge is not None:
        _paint_badge(painter, size, *badge)
    painter.end()
    return pixmap


def tray_icon(state: TrayState, sizes: tuple[int, ...] = _TRAY_SIZES) -> QIcon:
    """The icon for ``state``, painted at ``sizes`` (Qt scales from the nearest for any other size)."""
    icon = QIcon()
    for size in sizes:
        icon.addPixmap(tray_pixmap(state, size))
    return icon


class _PaintedOnRequest(QIconEngine):
    """The app's page icon, painted at the size a window asks for when it asks: set on the application at start,
    it holds no pixmaps while no window is open (all sizes painted up front kept about 350 KiB resident)."""

    # One picture for every mode and state: window lists show the icon as it is.
    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:  # noqa: ARG002
        return tray_pixmap(TrayState.NORMAL, max(1, min(size.width(), size.height())))

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        painter.drawPixmap(rect, self.pixmap(rect.size(), mode, state))

    def availableSizes(
        self,
        mode: QIcon.Mode = QIcon.Mode.Normal,  # noqa: ARG002  (Qt's signature)
        state: QIcon.State = QIcon.State.Off,  # noqa: ARG002
    ) -> list[QSize]:
        return [QSize(size, size) for size in _WINDOW_SIZES]

    def clone(self) -> QIconEngine:
        # Qt owns a clone and deletes it with its icon, but PySide6 does not hand it over: without a reference
        # here Python would free it on return and Qt would paint with a freed engine. Qt's delete marks the
        # Python side invalid, and those are let go at the next clone.
        copy = _PaintedOnRequest()
        _CLONES[:] = [*(engine for engine in _CLONES if shiboken6.isValid(engine)), copy]
        return copy


_CLONES: list[_PaintedOnRequest] = []


def app_icon() -> QIcon:
    """The icon of the app's windows (window lists, task switchers, title bars)."""
    return QIcon(_PaintedOnRequest())


# Mid grey: reads on light and dark fields alike, as the placeholder text does.
_CLEAR_COLOUR = "#8a8f98"


def clear_icon() -> QIcon:
    """A cross, for the button that empties a text field."""
    icon = QIcon()
    for size in (16, 24, 32):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = _painter(pixmap)
        height = size * 0.5
        draw_glyph(painter, QRectF(0, 0, size, size), "×", QColor(_CLEAR_COLOUR), height, max(1.2, size * 0.1))
        painter.end()
        icon.addPixmap(pixmap)
    return icon


def type_icon(event_type: str) -> QIcon:
    """A small coloured tile with the type's initial, for menus (an EventType, or its value)."""
    colour, letter = _TYPE_COLOURS.get(str(event_type), ("#5f6368", "?"))
    icon = QIcon()
    for size in (16, 24, 32, 48):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = _painter(pixmap)
        rect = QRectF(1, 1, size - 2, size - 2)
        painter.setPen(QPen(QColor("#ffffff"), max(1.0, size / 20)))
        painter.setBrush(QColor(colour))
        painter.drawRoundedRect(rect, size * 0.2, size * 0.2)
        draw_glyph(painter, rect, letter, QColor("#ffffff"), size * 0.52, max(1.2, size * 0.11))
        painter.end()
        icon.addPixmap(pixmap)
    return icon
