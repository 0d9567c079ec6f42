"""Where the parts of an agenda event row go: the text column and the Join, Completed and No-show buttons.

Kept apart from the painting so the delegate's paint, click and tooltip handling all place the buttons the same way.
"""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QFontMetrics

from klen_desktop.i18n import N_, _
from klen_desktop.records import record
from klen_desktop.ui.agenda.event_facts import RowTexts

PAD = 8
ASK = N_("Did it happen?")


@record
class RowButtons:
    """Where the clickable parts of an event row are, for the given row rectangle."""

    join: QRect | None
    completed: QRect | None
    no_show: QRect | None
    text_right: int  # the title and subtitle end here
    asks: bool = False  # room for the "Did it happen?" words beside the buttons


def button_width(fm: QFontMetrics, text: str) -> int:
    return fm.horizontalAdvance(text) + 20


def time_width(fm: QFontMetrics) -> int:
    return fm.horizontalAdvance("00:00–Wed 00:00") + 12


def text_left(rect: QRect, fm: QFontMetrics) -> int:
    """Where an event row's title and subtitle start: after the padding, the time column and the type glyph."""
    return rect.left() + PAD + 10 + time_width(fm) + 18 + 10


def row_buttons(rect: QRect, fm: QFontMetrics, *, join: bool, outcome: bool, texts: RowTexts | None) -> RowButtons:
    """The row's buttons, laid out so the text keeps room for a short title and the whole phone number: side by
    side after "Did it happen?", then without those words (the tooltip says them), then Completed above No-show,
    whichever first leaves that room (a narrow window, or one at 200 % scale, gets the last)."""
    need = max(fm.horizontalAdvance(texts.keep_whole) if texts else 0, 12 * fm.averageCharWidth())
    layout = _layout(rect, fm, join, outcome, asks=True, stacked=False)
    for asks, stacked in ((False, False), (False, True)):
        if not outcome or layout.text_right - text_left(rect, fm) >= need:
            break
        layout = _layout(rect, fm, join, outcome, asks=asks, stacked=stacked)
    return layout


def _layout(rect: QRect, fm: QFontMetrics, join: bool, outcome: bool, *, asks: bool, stacked: bool) -> RowButtons:
    h = fm.height() + 10
    top = rect.top() + (rect.height() - h) // 2
    right = rect.right() - PAD
    join_r = completed_r = no_show_r = None
    if join:
        w = button_width(fm, _("Join"))
        join_r = QRect(right - w + 1, top, w, h)
        right -= w + 6
    if not outcome:
        return RowButtons(join_r, None, None, right)
    if stacked:
        # Two half-height buttons beside the row's two text lines: every row has the same height.
        w = max(button_width(fm, _("Completed")), button_width(fm, _("No-show")))
        half = (rect.height() - 6) // 2
        completed_r = QRect(right - w + 1, rect.top() + 2, w, half)
        no_show_r = QRect(right - w + 1, rect.top() + 4 + half, w, half)
        return RowButtons(join_r, completed_r, no_show_r, right - w - 6)
    w = button_width(fm, _("No-show"))
    no_show_r = QRect(right - w + 1, top, w, h)
    right -= w + 4
    w = button_width(fm, _("Completed"))
    completed_r = QRect(right - w + 1, top, w, h)
    right -= w + 6
    if asks:
        right -= fm.horizontalAdvance(_(ASK)) + 6
    return RowButtons(join_r, completed_r, no_show_r, right, asks)
