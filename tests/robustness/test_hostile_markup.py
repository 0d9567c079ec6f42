"""Hostile server strings: markup in titles, names, places and notes stays literal text in every Qt surface,
and links from server data open only when http(s) (anything else is refused, and the user is told).

The events come through the emulator into the real app (tests/ui/app_harness), so what is checked is what a
user would see, not a widget fed by hand.
"""

from __future__ import annotations

import pytest
from app_harness import MakeApp, insert_event, local_noon_tomorrow
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QLabel, QWidget
from shifted_clock import ShiftedClock

from klen_desktop.emulator import EmulatorServer
from klen_desktop.links import web_link
from klen_desktop.ui import window_manager as windows_module

TITLE = "<img src=x><b>bold</b>"
NAME = "<a href=file:///etc/passwd>x</a>"
PLACE = "<i>room</i> & <u>hall</u>"
NOTES = "<script>alert(1)</script><a href='javascript:alert(1)'>click</a>"
HOSTILE = (TITLE, NAME, PLACE, NOTES)


def _markup_labels(root: QWidget) -> list[str]:
    """Visible labels that would render server markup as rich text (their own format, or auto-detected)."""
    bad = []
    for label in root.findChildren(QLabel):
        text = label.text()
        if not any(h in text for h in HOSTILE):
            continue
        fmt = label.textFormat()
        if fmt == Qt.TextFormat.RichText or (fmt == Qt.TextFormat.AutoText and Qt.mightBeRichText(text)):
            bad.append(text)
    return bad


def _shows_literally(root: QWidget, needle: str) -> bool:
    return any(needle in label.text() for label in root.findChildren(QLabel))


@pytest.mark.asyncio
async def test_markup_from_the_server_is_plain_text_in_every_window(
    make_app: MakeApp, emulator: EmulatorServer
) -> None:
    # The tray menu lists today's events: pin "now" to a local noon so the event is today at any hour of a run.
    noon = local_noon_tomorrow()
    event_id = insert_event(
        emulator,
        TITLE,
        base=noon,
        customer_name=NAME,
        location=PLACE,
        customer_notes=NOTES,
        video_conference_url="https://meet.example.com/abc",
    )
    app = await make_app(clock=ShiftedClock(noon))
    await app.until(lambda: app.agenda_event(TITLE) is not None, "the hostile event in the agenda")

    # Tray: tooltip escaped (Qt may read a tooltip as rich text), menu items show the literal title.
    tooltip = app.tray.icon.toolTip()
    assert "<img" not in tooltip and "<b>" not in tooltip
    app.tray.fill_menu(app.tray.menu)
    texts = [action.text() for action in app.tray.menu.actions()]
    assert any(TITLE in text for text in texts), texts

    # Agenda and its detail pane, with the detail (notes) loaded from the server.
    app.windows.show_event(event_id)
    agenda = app.agenda
    await app.until(lambda: _shows_literally(agenda, NOTES), "the notes in the detail pane")
    assert _shows_literally(agenda, TITLE) and _shows_literally(agenda, NAME) and _shows_literally(agenda, PLACE)
    assert _markup_labels(agenda) == []
    for widget in agenda.findChildren(QWidget):
        tip = widget.toolTip()
        assert "<img" not in tip and "<a href" not in tip, tip

    # Editor: the same strings in the form's fields and labels.
    editor = app.windows.edit_event(event_id)
    assert editor is not None
    assert _markup_labels(editor) == []

    # Settings: nothing from the server there, but its labels must not take markup either.
    settings = app.windows.open_settings()
    assert _markup_labels(settings) == []


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "javascript:alert(1)", "data:text/html,<b>x</b>", "ftp://example.com/x", "https:/nohost"],
)
@pytest.mark.asyncio
async def test_links_that_are_not_http_are_refused_with_a_message(
    make_app: MakeApp, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda u: opened.append(u.toString()))
    app = await make_app()
    notices: list[tuple[str, str]] = []
    app.controller.notice.connect(lambda title, text: notices.append((title, text)))

    # The emulator (like the real API) rejects such a link on write, so a hostile server is the only source:
    # the filters in front of every Join (tray menu, agenda row and detail pane, notification) drop it.
    assert web_link(url) is None

    # Should a link still reach the opener (tray, agenda or notification Join: all go through open_link),
    # it is refused and the user is told.
    app.agenda.join_requested.emit(url)
    app.tray.join.emit(url)
    assert app.desktop.notifications is not None
    app.desktop.notifications._open_url(url)  # the notification's Join, past its own filter
    assert opened == []
    assert len(notices) == 3 and all(title == windows_module.REFUSED_LINK_TITLE for title, _ in notices)

    app.windows.open_link("https://meet.example.com/ok")
    assert opened == ["https://meet.example.com/ok"] and len(notices) == 3
