"""An agenda row asking "Did it happen?": its Completed and No-show buttons never cut the phone number, and a
title too long for the room ends in "…" with the whole title in the tooltip, at any width the window may get
(the agenda list is about 520 logical pixels at the window's smallest, at any scale)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QRect
from PySide6.QtGui import QColor, QHelpEvent, QImage, QPainter, QPalette, QStaticText
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem, QToolTip
from pytestqt.qtbot import QtBot
from screenshot_support import dark_palette, grab_light_and_dark
from test_agenda_values import make_event

from klen_desktop.api.models import EventStatus
from klen_desktop.ui.agenda import AgendaWindow
from klen_desktop.ui.agenda.row_layout import text_left
from klen_desktop.ui.formatting import contrast_ratio

NOW = datetime.now().astimezone().replace(hour=12, minute=0, second=0, microsecond=0)
PHONE = "+49 30 1234 5678 90"
TITLE = "Follow-up consultation about the quarterly tax return and the new office lease"


class RecordingPainter(QPainter):
    """Paints as usual and keeps every text drawn, to see what a row shows."""

    def __init__(self, image: QImage) -> None:
        super().__init__(image)
        self.texts: list[str] = []

    def drawText(self, *args: object) -> None:  # type: ignore[override]
        self.texts.append(next(str(a) for a in args if isinstance(a, str)))
        super().drawText(*args)  # type: ignore[call-overload]

    def drawStaticText(self, *args: object) -> None:  # type: ignore[override]
        self.texts.append(next(a.text() for a in args if isinstance(a, QStaticText)))
        super().drawStaticText(*args)  # type: ignore[call-overload]


@pytest.fixture
def window(qtbot: QtBot) -> Iterator[AgendaWindow]:
    w = AgendaWindow(clock=lambda: NOW)
    qtbot.addWidget(w)
    ended = make_event(
        1, NOW - timedelta(hours=2), title=TITLE, status=EventStatus.SCHEDULED, customer={"phone": PHONE}
    )
    w.set_events([ended], NOW)
    w.resize(900, 500)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.hide()


def paint_row(window: AgendaWindow, width: int) -> tuple[list[str], QStyleOptionViewItem]:
    view = window.list_view
    row = window.model.row_of(1)
    assert row is not None and window.model.paint_info(row).needs_outcome
    index = window.model.index(row)
    option = QStyleOptionViewItem()
    view.initViewItemOption(option)
    option.rect = QRect(0, 0, width, view.visualRect(index).height())
    image = QImage(width, option.rect.height(), QImage.Format.Format_ARGB32)
    painter = RecordingPainter(image)
    try:
        window.delegate.paint(painter, option, index)
    finally:
        painter.end()
    return painter.texts, option


@pytest.mark.parametrize("width", [420, 520, 700])
def test_the_outcome_buttons_leave_the_phone_whole(window: AgendaWindow, width: int) -> None:
    texts, option = paint_row(window, width)
    assert PHONE in texts, texts
    title = next(t for t in texts if t.startswith(TITLE[:4]))
    assert title == TITLE or (title.endswith("…") and TITLE.startswith(title[:-1].rstrip()))
    info = window.model.paint_info(window.model.row_of(1) or 0)
    buttons = window.delegate.buttons(option.rect, option.fontMetrics, False, True, info.texts)
    assert buttons.completed is not None and buttons.no_show is not None
    for rect in (buttons.completed, buttons.no_show):
        assert option.rect.contains(rect)
        assert rect.left() >= buttons.text_right


@pytest.mark.parametrize("width", [420, 520, 700, 1000])
def test_an_agents_pill_shortens_then_gives_way_to_the_title_and_the_phone(
    qtbot: QtBot, window: AgendaWindow, width: int
) -> None:
    """Seen using the app: an agent's booking asking "Did it happen?" showed "Discov…" of its title beside the
    pill "AI · Booking Assistant". The title keeps about a dozen characters; the pill says "AI", then goes."""
    booked = make_event(
        1,
        NOW - timedelta(hours=2),
        title=TITLE,
        status=EventStatus.SCHEDULED,
        customer={"phone": PHONE},
        ai_agent="Booking Assistant",
    )
    window.set_events([booked], NOW)
    texts, _option = paint_row(window, width)
    title = next(t for t in texts if t.startswith(TITLE[:4]))
    assert len(title.rstrip("…")) >= 12, title
    assert PHONE in texts, "the phone is never cut for a pill"
    pills = [t for t in texts if t.startswith("AI")]
    assert pills in ([], ["AI"], ["AI · Booking Assistant"]), texts
    if width == 1000:
        assert pills == ["AI · Booking Assistant"] and title == TITLE[: len(title) - 1] + "…", "room for all"


def test_a_cut_title_shows_whole_in_the_tooltip(qtbot: QtBot, window: AgendaWindow) -> None:
    view = window.list_view
    index = window.model.index(window.model.row_of(1) or 0)
    rect = view.visualRect(index)
    option = QStyleOptionViewItem()
    view.initViewItemOption(option)
    option.rect = QRect(rect.topLeft(), rect.size())
    at = QPoint(rect.left() + 200, rect.center().y())
    help_event = QHelpEvent(QEvent.Type.ToolTip, at, view.viewport().mapToGlobal(at))
    assert window.delegate.helpEvent(help_event, view, option, index)
    qtbot.waitUntil(lambda: TITLE in QToolTip.text() and PHONE in QToolTip.text())
    QToolTip.hideText()


def test_screenshots_of_a_row_asking_did_it_happen(qtbot: QtBot, window: AgendaWindow) -> None:
    window.resize(560, 400)
    grab_light_and_dark(qtbot, window, "agenda-outcome-row")
    assert QPointF  # keep the import used when screenshots are skipped


@pytest.mark.parametrize("palette", ["light", "dark", "white-on-light-blue"])
def test_a_selected_row_reads_in_light_and_dark_palettes(qtbot: QtBot, window: AgendaWindow, palette: str) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    original = app.palette()
    try:
        if palette != "light":
            themed = dark_palette()
            if palette == "white-on-light-blue":  # a dark theme as some desktops give it
                themed.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
            app.setPalette(themed)
        view = window.list_view
        expected = app.palette().color(QPalette.ColorRole.Highlight)
        qtbot.waitUntil(lambda: view.viewport().palette().color(QPalette.ColorRole.Highlight) == expected)
        window.show_event(1)
        rect = view.visualRect(window.model.index(window.model.row_of(1) or 0))
        qtbot.waitUntil(lambda: view.selectionModel().isSelected(window.model.index(window.model.row_of(1) or 0)))
        image = view.viewport().grab(rect).toImage()
        left = text_left(QRect(0, 0, rect.width(), rect.height()), view.fontMetrics())
        background = image.pixelColor(left - 4, 3)
        # The title's strongest pixel against the row's background: the colour its text is drawn in.
        ink = max(
            (image.pixelColor(x, y) for x in range(left, left + 120) for y in range(2, rect.height() // 2)),
            key=lambda c: contrast_ratio(c, background),
        )
        assert background == view.viewport().palette().color(QPalette.ColorRole.Highlight), background.name()
        assert contrast_ratio(ink, background) >= 4.5, (palette, ink.name(), background.name())
        # The fainter second line (customer, place) must read on the highlight too.
        second = max(
            (image.pixelColor(x, y) for x in range(left, left + 120) for y in range(rect.height() // 2, rect.height())),
            key=lambda c: contrast_ratio(c, background),
        )
        assert contrast_ratio(second, background) >= 4.5, (palette, second.name(), background.name())
    finally:
        app.setPalette(original)
