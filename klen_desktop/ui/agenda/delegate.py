"""Paints agenda rows (day headings and events) and turns clicks on the painted buttons into signals.

One delegate paints every row, so the agenda costs the same with 10 or 10,000 events: only visible rows are
painted and every row has the same height (``setUniformItemSizes``), which spares the view a size pass over all
rows. Text is drawn with ``drawText`` (or, for the few fixed labels, ``QStaticText`` forced to plain text), never
as rich text, so server titles show exactly as typed.
"""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QPainter,
    QPalette,
    QPen,
    QStaticText,
    QTransform,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
    QWidget,
)

from klen_desktop.api.models import EventStatus
from klen_desktop.i18n import N_, _
from klen_desktop.store.events import LocalState, StoredEvent
from klen_desktop.ui.agenda.event_facts import RowTexts
from klen_desktop.ui.agenda.glyphs import type_glyph_pixmap
from klen_desktop.ui.agenda.model import AgendaModel, PaintInfo
from klen_desktop.ui.agenda.row_layout import ASK, PAD, RowButtons, row_buttons, text_left, time_width
from klen_desktop.ui.agenda.rows import NowMark
from klen_desktop.ui.agenda.widgets import plain_tooltip
from klen_desktop.ui.formatting import one_line, readable_alpha, readable_ink
from klen_desktop.ui.painting import fill

Index = QModelIndex | QPersistentModelIndex
NOW_COLOR = QColor("#d93025")
STRIPE_WIDTH = 4  # fits the row's left margin (_PAD + 10) with room beside it
_PAD = PAD
_TEXT_CACHE_SIZE = 5000  # texts kept laid out: a few screens of rows, then start over
_INKS = (QColor("#000000"), QColor("#ffffff"))  # for a selected row whose theme text does not read on it
_MUTED_STATUSES = (EventStatus.CANCELLED, EventStatus.COMPLETED, EventStatus.NO_SHOW)
_STATE_PILLS = {
    LocalState.PENDING: (N_("Pending"), QColor("#d9822b")),
    LocalState.ATTENTION: (N_("Needs attention"), QColor("#d93025")),
    LocalState.CONFLICT: (N_("Conflict"), QColor("#d93025")),
}

# How many average characters of the title a row keeps visible before its pills shorten or give way (the
# subtitle keeps its own width too, up to 40).
_TITLE_KEEPS = 14


ColorGroup = QPalette.ColorGroup


class RowState(NamedTuple):
    """What the view's option would say of a row in its ``state``, read from the view itself: reading ``state``
    builds PySide6's QStyle class with its 500 named values (some 0.45 MiB resident), which nothing else here needs.
    """

    selected: bool
    focused: bool  # the current row of the list that has the keyboard focus
    group: ColorGroup  # the palette's colours for an active, inactive or disabled window


def row_state(view: QWidget | None, index: Index) -> RowState:
    if not isinstance(view, QAbstractItemView):
        return RowState(False, False, ColorGroup.Active)
    selection = view.selectionModel()
    selected = selection is not None and selection.isSelected(index)
    focused = view.hasFocus() and view.currentIndex() == index
    if not view.isEnabled():
        group = ColorGroup.Disabled
    else:
        group = ColorGroup.Active if view.isActiveWindow() else ColorGroup.Inactive
    return RowState(selected, focused, group)


class _Fonts:
    """The fonts a row needs, derived once per base font (making QFonts per painted row is measurable)."""

    def __init__(self, base: QFont, key: str) -> None:
        self.base = QFont(base)
        self.key = key
        self.bold = QFont(base)
        self.bold.setBold(True)
        self.bold_metrics = QFontMetrics(self.bold)
        self.struck = QFont(base)
        self.struck.setStrikeOut(True)
        self.struck_metrics = QFontMetrics(self.struck)
        self.today = QFont(self.bold)
        self.today.setPointSizeF(base.pointSizeF() * 1.1)
        self.today_metrics = QFontMetrics(self.today)
        self.time_width = time_width(QFontMetrics(base))


class AgendaDelegate(QStyledItemDelegate):
    join_clicked = Signal(str)
    outcome_clicked = Signal(int, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._read_only = False
        self._font_cache: dict[str, _Fonts] = {}
        self._text_cache: dict[tuple[str, str], QStaticText] = {}
        self._elide_cache: dict[tuple[str, int, int, int], str] = {}

    def set_read_only(self, read_only: bool) -> None:
        """Hide the "Did it happen?" buttons: they would write."""
        self._read_only = read_only

    # -- geometry ----------------------------------------------------------------------------------------------
    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: ARG002 - one size for all
        return QSize(400, self.row_height(option.fontMetrics))

    @staticmethod
    def row_height(fm: QFontMetrics) -> int:
        """Every row's height: two lines of text and padding (the view uses fixed heights)."""
        return 2 * fm.height() + 2 * _PAD + 4

    def buttons(
        self, rect: QRect, fm: QFontMetrics, join: bool, outcome: bool, texts: RowTexts | None = None
    ) -> RowButtons:
        return row_buttons(rect, fm, join=join, outcome=outcome and not self._read_only, texts=texts)

    # -- painting ----------------------------------------------------------------------------------------------
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        model = index.model()
        if not isinstance(model, AgendaModel):
            super().paint(painter, option, index)
            return
        info = model.paint_info(index.row())
        mark = info.now_mark
        fonts = self._fonts(option.font)
        row = row_state(option.widget, index)
        painter.save()
        try:
            if info.event is not None and info.texts is not None:
                self._paint_event(painter, option, row, fonts, info.event, info.texts, info)
                if info.stripe is not None:
                    paint_stripe(painter, option.rect, info.stripe)
            else:
                self._paint_heading(painter, option, fonts, info.heading, info.is_today)
            if row.focused:
                _paint_focus(painter, option, row.selected)
            if mark in (NowMark.ABOVE, NowMark.BELOW):
                y = option.rect.top() + 1 if mark == NowMark.ABOVE else option.rect.bottom() - 1
                painter.setRenderHint(QPainter.RenderHint.Antialiasing)
                painter.setPen(QPen(NOW_COLOR, 2))
                painter.drawLine(option.rect.left() + 8, y, option.rect.right(), y)
                painter.setBrush(NOW_COLOR)
                painter.drawEllipse(QRectF(option.rect.left() + 2, y - 4, 8, 8))
        finally:
            painter.restore()

    def _static(self, text: str, fonts: _Fonts) -> QStaticText:
        """``text`` laid out once in the base font; plain text always (QStaticText would guess rich text)."""
        key = (text, fonts.key)
        static = self._text_cache.get(key)
        if static is None:
            if len(self._text_cache) > _TEXT_CACHE_SIZE:
                self._text_cache.clear()
            static = QStaticText(text)
            static.setTextFormat(Qt.TextFormat.PlainText)
            static.setPerformanceHint(QStaticText.PerformanceHint.AggressiveCaching)
            static.prepare(QTransform(), fonts.base)
            self._text_cache[key] = static
        return static

    def _elided(self, text: str, fm: QFontMetrics, width: int) -> str:
        """One line of ``text`` (already flattened to one line) cut to ``width`` pixels with an ellipsis."""
        key = (text, width, fm.height(), fm.averageCharWidth())
        elided = self._elide_cache.get(key)
        if elided is None:
            if len(self._elide_cache) > _TEXT_CACHE_SIZE:
                self._elide_cache.clear()
            elided = fm.elidedText(text, Qt.TextElideMode.ElideRight, width)
            self._elide_cache[key] = elided
        return elided

    def _fonts(self, base: QFont) -> _Fonts:
        key = base.key()
        fonts = self._font_cache.get(key)
        if fonts is None:
            fonts = self._font_cache[key] = _Fonts(base, key)
        return fonts

    def _paint_heading(
        self, painter: QPainter, option: QStyleOptionViewItem, fonts: _Fonts, text: str, today: bool
    ) -> None:
        pal = option.palette
        rect = option.rect
        fill(painter, rect, pal.color(QPalette.ColorRole.AlternateBase))
        font, fm = (fonts.today, fonts.today_metrics) if today else (fonts.bold, fonts.bold_metrics)
        painter.setFont(font)
        text_rect = rect.adjusted(_PAD + 10, 0, -_PAD, -_PAD // 2)
        painter.setPen(pal.color(QPalette.ColorRole.Highlight if today else QPalette.ColorRole.WindowText))
        text = self._elided(text, fm, text_rect.width())
        painter.drawText(QPointF(text_rect.left(), text_rect.bottom() - fm.descent()), text)
        painter.setPen(QPen(pal.color(QPalette.ColorRole.Mid), 1))
        painter.drawLine(rect.left(), rect.bottom(), rect.right(), rect.bottom())

    def _paint_event(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        row: RowState,
        fonts: _Fonts,
        event: StoredEvent,
        texts: RowTexts,
        info: PaintInfo,
    ) -> None:
        s = event.summary
        pal = option.palette
        selected = row.selected
        if selected:  # the item views' own selection background, as Qt's Fusion and common styles paint it
            fill(painter, option.rect, pal.color(row.group, QPalette.ColorRole.Highlight))
        text_color = pal.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        muted = QColor(text_color)
        muted.setAlphaF(0.6)
        if selected:
            highlight = pal.color(QPalette.ColorRole.Highlight)
            text_color = readable_ink(text_color, highlight, _INKS)
            muted = QColor(text_color)
            # The second lines stay a shade fainter, but still read on the highlight (a dark theme's light blue).
            muted.setAlphaF(readable_alpha(text_color, highlight, 0.6))
        is_muted = s.status in _MUTED_STATUSES
        fm = option.fontMetrics
        rect = option.rect.adjusted(_PAD + 10, _PAD, -_PAD, -_PAD)
        line_h = fm.height()
        top1 = QRect(rect.left(), rect.top(), rect.width(), line_h)
        top2 = QRect(rect.left(), rect.top() + line_h + 2, rect.width(), line_h)
        time_w = fonts.time_width
        painter.setFont(option.font)
        painter.setPen(muted if is_muted else text_color)
        painter.drawText(QPointF(top1.left(), top1.top() + fm.ascent()), texts.time)
        painter.setPen(muted)
        painter.drawStaticText(QPointF(top2.topLeft()), self._static(texts.status, fonts))
        icon_rect = QRectF(rect.left() + time_w, rect.top() + (rect.height() - 18) / 2, 18, 18)
        ratio = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
        glyph = type_glyph_pixmap(s.event_type, 18, ratio, text_color if selected else None, is_muted)
        painter.drawPixmap(icon_rect.topLeft(), glyph)
        buttons = self.buttons(option.rect, fm, info.join_url is not None, info.needs_outcome, texts)
        left = text_left(option.rect, fm)
        # The title keeps room for about a dozen characters and the subtitle (customer, phone) for itself, up to a
        # line's worth: pills shorten, then give way (the pane shows them).
        keeps = max(
            fm.averageCharWidth() * _TITLE_KEEPS, min(fm.horizontalAdvance(texts.subtitle), fm.averageCharWidth() * 40)
        )
        title_room = left + keeps
        right = self._paint_badges(
            painter,
            option,
            fonts,
            event,
            text_color,
            (buttons.text_right, title_room),
            rect.top() + (rect.height() - line_h) // 2,
        )
        if s.status is EventStatus.CANCELLED:
            title_font, title_fm = fonts.struck, fonts.struck_metrics
        elif is_muted:
            title_font, title_fm = option.font, fm
        else:
            title_font, title_fm = fonts.bold, fonts.bold_metrics
        painter.setFont(title_font)
        painter.setPen(muted if is_muted else text_color)
        width = max(0, right - left)
        title = self._elided(texts.title, title_fm, width)
        painter.drawText(QPointF(left, top1.top() + title_fm.ascent()), title)
        painter.setFont(option.font)
        painter.setPen(muted)
        sub = self._elided(texts.subtitle, fm, width)
        painter.drawText(QPointF(left, top2.top() + fm.ascent()), sub)
        self._paint_buttons(painter, option, row, fonts, text_color, buttons)

    def _paint_badges(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        fonts: _Fonts,
        event: StoredEvent,
        ink: QColor,
        span: tuple[int, int],
        top: int,
    ) -> int:
        """Pills right to left (local state, AI agent) ending at ``span[0]``, each in its longest form that stays
        right of ``span[1]`` (the title's room), or left out; returns where the text must end."""
        fm = option.fontMetrics
        right, title_room = span
        pills: list[tuple[tuple[str, ...], QColor]] = []
        if event.local_state is not None:
            pill, colour = _STATE_PILLS[event.local_state]
            pills.append(((_(pill),), colour))
        s = event.summary
        if s.created_by_ai_agent or s.ai_agent is not None:
            name = one_line(s.ai_agent.name, 60) if s.ai_agent else ""  # cut before the pill measures it
            forms: tuple[str, ...] = (_("AI"),)
            if name:
                forms = (self._elided(_("AI · {name}").format(name=name), fm, 160), *forms)
            pills.append((forms, option.palette.color(QPalette.ColorRole.Highlight)))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for forms, color in pills:
            text = next((form for form in forms if right - fm.horizontalAdvance(form) - 14 >= title_room), None)
            if text is None:
                continue
            w = fm.horizontalAdvance(text) + 14
            box = QRectF(right - w, top - 1, w, fm.height() + 2)
            fill = QColor(color)
            fill.setAlphaF(0.15)
            painter.setPen(QPen(color, 1))
            painter.setBrush(fill)
            painter.drawRoundedRect(box, box.height() / 2, box.height() / 2)
            painter.setPen(ink)
            static = self._static(text, fonts)
            size = static.size()
            painter.drawStaticText(
                QPointF(box.center().x() - size.width() / 2, box.center().y() - size.height() / 2), static
            )
            right -= w + 6
        return right - 4

    def _paint_buttons(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        row: RowState,
        fonts: _Fonts,
        ink: QColor,
        buttons: RowButtons,
    ) -> None:
        if buttons.asks and buttons.completed is not None:
            painter.setPen(ink)
            fm = option.fontMetrics
            label = QRect(
                buttons.text_right + 6,
                buttons.completed.top(),
                fm.horizontalAdvance(_(ASK)) + 2,
                buttons.completed.height(),
            )
            painter.drawStaticText(
                QPointF(label.left(), label.center().y() - fm.height() / 2), self._static(_(ASK), fonts)
            )
        for rect, text in (
            (buttons.join, _("Join")),
            (buttons.completed, _("Completed")),
            (buttons.no_show, _("No-show")),
        ):
            if rect is not None:
                self._paint_button(painter, rect, self._static(text, fonts), option.palette, row.group)

    @staticmethod
    def _paint_button(painter: QPainter, rect: QRect, label: QStaticText, pal: QPalette, group: ColorGroup) -> None:
        """A push button's face: the palette's button colour in a rounded frame, the label centred in its text
        colour (drawn here, not by the style: asking the style builds PySide6's QStyle class, see RowState)."""
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        face = pal.color(group, QPalette.ColorRole.Button)
        painter.setPen(QPen(face.darker(150), 1))
        painter.setBrush(face)
        painter.drawRoundedRect(QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5), 3, 3)
        painter.setPen(pal.color(group, QPalette.ColorRole.ButtonText))
        size, centre = label.size(), QRectF(rect).center()
        painter.drawStaticText(QPointF(centre.x() - size.width() / 2, centre.y() - size.height() / 2), label)
        painter.restore()

    # -- clicks ------------------------------------------------------------------------------------------------
    def click(self, index: Index, rect: QRect, fm: QFontMetrics, pos: QPoint) -> bool:
        """A left click at ``pos`` on the row ``index`` painted in ``rect``: True when it pressed one of the row's
        buttons (its signal is sent), False when it fell elsewhere on the row.

        The view calls this from its own ``mouseReleaseEvent`` rather than Qt calling ``editorEvent`` here: a
        handler typed for any event costs the app a Python class for every kind of event (see
        :mod:`klen_desktop.ui.theme_watch`)."""
        model = index.model()
        if not isinstance(model, AgendaModel):
            return False
        info = model.paint_info(index.row())
        stored, url = info.event, info.join_url
        if stored is None:
            return False
        buttons = self.buttons(rect, fm, url is not None, info.needs_outcome, info.texts)
        if buttons.join is not None and buttons.join.contains(pos) and isinstance(url, str):
            self.join_clicked.emit(url)
            return True
        if buttons.completed is not None and buttons.completed.contains(pos):
            self.outcome_clicked.emit(stored.id, EventStatus.COMPLETED.value)
            return True
        if buttons.no_show is not None and buttons.no_show.contains(pos):
            self.outcome_clicked.emit(stored.id, EventStatus.NO_SHOW.value)
            return True
        return False

    def helpEvent(self, event: QHelpEvent, view: QAbstractItemView, option: QStyleOptionViewItem, index: Index) -> bool:
        """The whole title and subtitle (a row may have cut them), or what an outcome button records."""
        model = index.model()
        if event.type() != QEvent.Type.ToolTip or not isinstance(model, AgendaModel):
            return super().helpEvent(event, view, option, index)
        info = model.paint_info(index.row())
        if info.event is None or info.texts is None:
            return super().helpEvent(event, view, option, index)
        buttons = self.buttons(
            option.rect, option.fontMetrics, info.join_url is not None, info.needs_outcome, info.texts
        )
        pos = event.pos()
        if buttons.completed is not None and buttons.completed.contains(pos):
            text = _("Did it happen? Mark it completed.")
        elif buttons.no_show is not None and buttons.no_show.contains(pos):
            text = _("Did it happen? Mark it as a no-show.")
        else:
            text = "\n".join(t for t in (info.texts.title, info.texts.subtitle) if t)
        QToolTip.showText(event.globalPos(), plain_tooltip(text).replace("\n", "<br>"), view.viewport())
        return True


def paint_stripe(painter: QPainter, rect: QRect, colour: str) -> None:
    """The account's colour down the row's left edge, in the margin before the time (several accounts only)."""
    fill(painter, QRect(rect.left() + 2, rect.top() + 3, STRIPE_WIDTH, max(0, rect.height() - 6)), QColor(colour))


def _paint_focus(painter: QPainter, option: QStyleOptionViewItem, selected: bool) -> None:
    """A frame round the current row of the focused list: the selection alone looks the same with focus elsewhere,
    so a keyboard user could not tell that the arrows move in the list."""
    role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Highlight
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    painter.setPen(QPen(option.palette.color(role), 2))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(QRectF(option.rect).adjusted(2, 2, -2, -2))
