"""Long links in the detail pane: one line, elided in the middle, the full address in the tooltip; only web
links are clickable."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot
from screenshot_support import dark_palette, grab_light_and_dark
from test_agenda_values import NOW, make_event

from klen_desktop.ui.agenda.detail_pane import DetailPane, LinkLabel
from klen_desktop.ui.formatting import contrast_ratio as contrast

JOIN = "https://meet.example.com/j/" + "a1b2c3d4e5" * 20 + "?pwd=" + "Zz9" * 15
PLACE = "ftp://files.example.com/" + "room-plan-" * 20 + "end"


def pane_with(qtbot: QtBot, *, width: int = 420) -> DetailPane:
    pane = DetailPane()
    qtbot.addWidget(pane)
    pane.resize(width, 700)
    event = make_event(1, NOW + timedelta(hours=1), video_url=JOIN, location=PLACE, detail={})
    pane.show_event(event, NOW)
    pane.show()
    qtbot.waitExposed(pane)
    return pane


def link_label(pane: DetailPane, url: str) -> QLabel:
    labels = [label for label in pane.findChildren(QLabel) if url in label.toolTip()]
    assert len(labels) == 1, [label.text() for label in pane.findChildren(QLabel)]
    return labels[0]


@pytest.mark.parametrize("url", [JOIN, PLACE])
def test_a_long_link_stays_on_one_line_elided_in_the_middle(qtbot: QtBot, url: str) -> None:
    pane = pane_with(qtbot)
    label = link_label(pane, url)
    one_line = label.fontMetrics().lineSpacing()
    qtbot.waitUntil(lambda: "…" in label.text())
    assert label.height() < 2 * one_line
    assert label.sizeHint().height() < 2 * one_line
    assert not label.wordWrap()
    # The start and the end of the address stay readable: the middle is what goes.
    assert url[:20] in label.text() and url[-3:] in label.text()
    assert label.geometry().right() <= pane.width()


def test_only_a_web_link_is_clickable_and_it_opens_the_full_address(qtbot: QtBot) -> None:
    pane = pane_with(qtbot)
    join, place = link_label(pane, JOIN), link_label(pane, PLACE)
    assert place.textFormat() == Qt.TextFormat.PlainText and not place.openExternalLinks()
    assert "<a " in join.text() and not join.openExternalLinks()
    with qtbot.waitSignal(pane.join_requested) as opened:
        join.linkActivated.emit(join.text())
    assert opened.args == [JOIN]


def test_a_narrower_pane_elides_more_and_a_wider_one_less(qtbot: QtBot) -> None:
    pane = pane_with(qtbot)
    label = link_label(pane, PLACE)
    qtbot.waitUntil(lambda: "…" in label.text())
    before = len(label.text())
    pane.resize(300, 700)
    qtbot.waitUntil(lambda: len(label.text()) < before)
    assert label.height() < 2 * label.fontMetrics().lineSpacing()


def test_screenshots_of_long_links_in_the_detail_pane(qtbot: QtBot) -> None:
    grab_light_and_dark(qtbot, pane_with(qtbot), "detail-pane-links")


def test_a_link_label_shows_server_text_escaped(qtbot: QtBot) -> None:
    label = LinkLabel("Zoom <b>x</b> · ", "https://meet.example.com/j/1?a=<b>&b=2")
    qtbot.addWidget(label)
    label.resize(600, 30)
    assert "<b>" not in label.text() and "&lt;b&gt;" in label.text()


@pytest.mark.parametrize("palette", [QPalette, dark_palette])
def test_a_web_link_reads_on_the_window_in_light_and_dark_palettes(qtbot: QtBot, palette: object) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    original = app.palette()
    try:
        app.setPalette(palette())  # type: ignore[operator]
        label = link_label(pane_with(qtbot), JOIN)
        qtbot.waitUntil(lambda: "…" in label.text())
        # A link without a colour of its own is drawn in the palette's link colour.
        styled = re.search(r"color: (#[0-9a-f]{6})", label.text())
        colour = QColor(styled.group(1)) if styled else label.palette().color(QPalette.ColorRole.Link)
        window = label.palette().color(QPalette.ColorRole.Window)
        assert contrast(colour, window) >= 4.5, (colour.name(), window.name())
    finally:
        app.setPalette(original)
