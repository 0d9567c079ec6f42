"""How the time grid paints: its colours from the palette, and one event block in the agenda's look.

Block colours are the agenda's type hues (:data:`~klen_desktop.ui.agenda.glyphs.TYPE_COLORS`) laid translucent over
the palette's base, so one set reads on light and dark themes; text is the palette's. Ended, cancelled and no-show
events are faded as their agenda rows are, and a cancelled title is struck through. Text is drawn with
``drawText``, never as rich text, so a server title shows as typed.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen

from klen_desktop.api.models import EventStatus
from klen_desktop.labels import STATUS_LABELS, TYPE_LABELS
from klen_desktop.store.events import LocalState
from klen_desktop.ui.agenda.delegate import NOW_COLOR
from klen_desktop.ui.agenda.event_facts import RowTexts, row_texts, when_text
from klen_desktop.ui.agenda.glyphs import TYPE_COLORS
from klen_desktop.ui.agenda.rows import Facts
from klen_desktop.ui.painting import fill

MUTED_STATUSES = frozenset({EventStatus.CANCELLED.value, EventStatus.COMPLETED.value, EventStatus.NO_SHOW.value})
_UNKNOWN_TYPE = QColor("#8a8f98")
_STATE_INK = {LocalState.PENDING: QColor("#d9822b"), LocalState.ATTENTION: NOW_COLOR, LocalState.CONFLICT: NOW_COLOR}
_ELIDE_CACHE_SIZE = 4000
TEXT_MIN_WIDTH = 40  # narrower blocks are painted as plain bars: no more than an ellipsis would fit


def mix(a: QColor, b: QColor, amount: float) -> QColor:
    """``a`` moved ``amount`` (0 to 1) of the way towards ``b``."""
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * amount,
        a.greenF() + (b.greenF() - a.greenF()) * amount,
        a.blueF() + (b.blueF() - a.blueF()) * amount,
    )


class GridColors:
    """The grid's colours for one palette: made when the palette changes, not per paint."""

    def __init__(self, pal: QPalette) -> None:
        self.base = pal.color(QPalette.ColorRole.Base)
        self.text = pal.color(QPalette.ColorRole.Text)
        self.window = pal.color(QPalette.ColorRole.Window)
        self.window_text = pal.color(QPalette.ColorRole.WindowText)
        self.highlight = pal.color(QPalette.ColorRole.Highlight)
        # Free time reads as the plain base; hours outside the working day are a shade towards the text.
        self.off_hours = mix(self.base, self.text, 0.06)
        self.hour_line = mix(self.base, self.text, 0.18)
        self.half_line = mix(self.base, self.text, 0.08)
        self.muted = QColor(self.text)
        self.muted.setAlphaF(0.6)
        self.now = NOW_COLOR
        self.now_faint = QColor(NOW_COLOR)
        self.now_faint.setAlphaF(0.35)
        self.drag = QColor(self.highlight)
        self.drag.setAlphaF(0.3)


class BlockFonts:
    def __init__(self, base: QFont) -> None:
        self.base = QFont(base)
        self.metrics = QFontMetrics(base)
        self.bold = QFont(base)
        self.bold.setBold(True)
        self.bold_metrics = QFontMetrics(self.bold)
        self.struck = QFont(base)
        self.struck.setStrikeOut(True)


def type_color(facts: Facts) -> QColor:
    return TYPE_COLORS.get(facts.summary.event_type, _UNKNOWN_TYPE)


_FILLS: dict[tuple[int, int, bool], QColor] = {}


def fill_color(facts: Facts, base: QColor) -> QColor:
    """The block's fill: its type's hue a little over ``base`` (less for an event that is over or off), opaque,
    so a block is one fill, not a base and a translucent layer."""
    hue, muted = type_color(facts), facts.status in MUTED_STATUSES
    key = (hue.rgba(), base.rgba(), muted)
    fill = _FILLS.get(key)
    if fill is None:
        if len(_FILLS) > 256:  # palettes change rarely; start over rather than grow
            _FILLS.clear()
        fill = _FILLS[key] = mix(base, hue, 0.12 if muted else 0.3)
    return fill


def texts_of(facts: Facts) -> RowTexts:
    if facts.texts is None:
        facts.texts = row_texts(facts.event)
    return facts.texts


def tooltip_text(facts: Facts) -> str:
    """Everything a block may have cut: title, when, type and status, customer and place (plain text)."""
    s = facts.summary
    texts = texts_of(facts)
    kind = f"{TYPE_LABELS[s.event_type]} · {STATUS_LABELS[s.status]}"
    return "\n".join(t for t in (texts.title, when_text(s), kind, texts.subtitle) if t)


class BlockPainter:
    """Paints event blocks in ``colors`` and ``fonts`` (replaced when the palette or font changes); keeps elided
    texts, which are the costly part of a block."""

    def __init__(self, colors: GridColors, fonts: BlockFonts) -> None:
        self.colors = colors
        self.fonts = fonts
        self._elided: dict[tuple[str, int, bool], str] = {}

    def elide(self, text: str, fm: QFontMetrics, width: int, bold: bool) -> str:
        key = (text, width, bold)
        cut = self._elided.get(key)
        if cut is None:
            if len(self._elided) > _ELIDE_CACHE_SIZE:
                self._elided.clear()
            cut = self._elided[key] = fm.elidedText(text, Qt.TextElideMode.ElideRight, max(0, width))
        return cut

    def forget_texts(self) -> None:
        """Fonts or zone changed: texts laid out before no longer fit."""
        self._elided.clear()

    def paint(
        self,
        painter: QPainter,
        rect: QRectF,
        facts: Facts,
        *,
        selected: bool,
        marks: tuple[bool, bool] = (False, False),
        one_line: bool = False,
        view_top: float = float("-inf"),
    ) -> None:
        """One block: a fill of its type's hue, a stripe of that hue, title and time inside, elided.
        ``marks`` says whether the event goes on before and after what this block shows. Its texts start at
        ``view_top`` (the first row in view) when the block starts above it, so a long event names itself."""
        colors = self.colors
        hue = QColor(type_color(facts))
        muted = facts.status in MUTED_STATUSES
        if muted:
            hue.setAlphaF(0.5)
        painter.setBrush(fill_color(facts, colors.base))
        painter.setPen(Qt.PenStyle.NoPen)
        state = facts.event.local_state
        if selected:
            painter.setPen(QPen(colors.highlight, 2))
        elif state is not None:
            painter.setPen(QPen(_STATE_INK[state], 1.5, Qt.PenStyle.DashLine))
        elif facts.status == EventStatus.CANCELLED.value:
            painter.setPen(QPen(hue, 1, Qt.PenStyle.DashLine))
        radius = min(4.0, rect.height() / 3)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), radius, radius)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        fill(painter, QRectF(rect.left(), rect.top() + 1, 3, max(1.0, rect.height() - 2)), hue)
        if rect.width() < TEXT_MIN_WIDTH:
            return
        if view_top > rect.top():
            rect = QRectF(rect.left(), view_top, rect.width(), rect.bottom() - view_top)
        self._paint_texts(painter, rect, facts, marks, one_line)

    def paint_titles(self, painter: QPainter, blocks: list[tuple[QRectF, Facts]], view_top: float) -> None:
        """The title alone on the first line of each block in view (crowded blocks: the time and place are in
        the tooltip)."""
        fonts, colors = self.fonts, self.colors
        fm = fonts.bold_metrics
        line_h = fm.height()
        painter.setFont(fonts.bold)
        painter.setPen(colors.text)
        for rect, facts in blocks:
            top = max(rect.top(), view_top)
            if rect.bottom() - top < line_h - 2:
                continue  # no room: text would spill onto the next block
            muted = facts.status in MUTED_STATUSES
            if muted:
                painter.setFont(fonts.struck if facts.status == EventStatus.CANCELLED.value else fonts.base)
                painter.setPen(colors.muted)
            title = self.elide(texts_of(facts).title, fm, int(rect.width()) - 9, True)
            painter.drawText(QPointF(rect.left() + 6, top + fm.ascent()), title)
            if muted:
                painter.setFont(fonts.bold)
                painter.setPen(colors.text)

    def _paint_texts(
        self, painter: QPainter, rect: QRectF, facts: Facts, marks: tuple[bool, bool], one_line: bool
    ) -> None:
        colors, fonts = self.colors, self.fonts
        texts = texts_of(facts)
        fm, bold_fm = fonts.metrics, fonts.bold_metrics
        muted = facts.status in MUTED_STATUSES
        cancelled = facts.status == EventStatus.CANCELLED.value
        inner = rect.adjusted(6, 1, -3, -1)
        line_h = fm.height()
        lines = max(1, int(inner.height() // line_h))
        width = int(inner.width())
        before, after = marks
        # Arrows say the event goes on: it began before what is shown, or it ends after.
        arrow = ("▲ " if before else "") + ("▼ " if after else "")
        title_font = fonts.struck if cancelled else (fonts.base if muted else fonts.bold)
        painter.setPen(colors.muted if muted else colors.text)
        if one_line or lines < 2:
            baseline = inner.top() + (inner.height() - line_h) / 2 + fm.ascent()
            if one_line:  # a whole-day band runs across: its arrows point left and right
                head = f"◀ {texts.title}" if before else texts.title
                if after:
                    painter.setFont(fonts.base)
                    painter.drawText(QPointF(inner.right() - fm.horizontalAdvance("▶"), baseline), "▶")
                    width -= fm.horizontalAdvance("▶ ")
            else:
                # The start time first where there is room for it beside a few words of the title.
                start = texts.time.split("–")[0]
                roomy = width >= 4 * fm.horizontalAdvance(start)
                head = f"{start} {texts.title}" if roomy else texts.title
            painter.setFont(title_font)
            painter.drawText(QPointF(inner.left(), baseline), self.elide(head, bold_fm, width, True))
            return
        painter.setFont(title_font)
        painter.drawText(
            QPointF(inner.left(), inner.top() + bold_fm.ascent()), self.elide(texts.title, bold_fm, width, True)
        )
        painter.setFont(fonts.base)
        painter.setPen(colors.muted)
        second = f"{arrow}{texts.time}"
        if lines == 2 and texts.subtitle:
            second += f" · {texts.subtitle}"
        second = self.elide(second, fm, width, False)
        painter.drawText(QPointF(inner.left(), inner.top() + line_h + fm.ascent()), second)
        if lines >= 3 and texts.subtitle:
            y = inner.top() + 2 * line_h + fm.ascent()
            painter.drawText(QPointF(inner.left(), y), self.elide(texts.subtitle, fm, width, False))
