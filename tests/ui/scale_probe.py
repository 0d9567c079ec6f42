"""Open every window of the app with real widgets and report how each sits on the screen, as JSON on stdout.

Run in its own process (``python scale_probe.py``) so the environment decides the scale: Qt reads
``QT_SCALE_FACTOR`` once, when the application starts. ``KLEN_SCREENSHOTS=DIR`` also writes each window, light and
dark. For each window: its size, the screen's free area (logical pixels) and its pixel ratio, the one-line labels
and the buttons whose text is wider than they are, and the controls neither in the window nor in a scroll area
that is.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTabBar,
    QWidget,
)

from klen_desktop.api.models import Customer, EventStatus, EventSummary, EventType
from klen_desktop.drafts import EventDraft
from klen_desktop.i18n import install
from klen_desktop.notify.messages import reminder_content, starting_now_content
from klen_desktop.reminders.due import Reminder
from klen_desktop.settings import KeyState, Preferences
from klen_desktop.store.events import StoredEvent
from klen_desktop.ui.agenda import AgendaWindow
from klen_desktop.ui.agenda.cancel_dialog import CancelDialog
from klen_desktop.ui.agenda.detail_pane import LinkLabel
from klen_desktop.ui.editor import EventEditor
from klen_desktop.ui.qt_language import use_language_in_qt
from klen_desktop.ui.quick_add_window import QuickAddWindow
from klen_desktop.ui.reminder_window import ReminderCard, StartingNowWindow
from klen_desktop.ui.screen_fit import FormScroll
from klen_desktop.ui.settings_dialog import ACCOUNT_TAB, GENERAL_TAB, SHORTCUTS_TAB, ZONES_TAB, SettingsDialog
from klen_desktop.ui.slots import SlotFinder

# The windows this probe opens, by name, in the order it opens them.
WINDOW_NAMES = (
    "agenda",
    "cancel-dialog",
    "editor-new",
    "editor-edit",
    "editor-read-only",
    "settings-general",
    "settings-account",
    "settings-shortcuts",
    "settings-zones",
    "slot-finder",
    "quick-add",
    "reminder-card",
    "starting-now",
)

CONTROLS = (QAbstractButton, QLineEdit, QAbstractSpinBox, QComboBox, QPlainTextEdit, QAbstractItemView, QTabBar)
NOON = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)


def event(event_id: int, start: datetime, title: str) -> StoredEvent:
    summary = EventSummary(
        id=event_id,
        uuid=f"uuid-{event_id}",
        title=title,
        start_time=start,
        end_time=start + timedelta(minutes=45),
        duration_minutes=45,
        event_type=EventType.VIDEO_CALL,
        status=EventStatus.CONFIRMED,
        location="Conference Room A",
        customer=Customer(name="Ada Byron", email="ada@example.com"),
        video_conference_url="https://meet.example/q4",
    )
    return StoredEvent(summary=summary, detail=None, detail_fetched_at=None, local_state=None)


def windows() -> Iterator[tuple[str, QWidget]]:
    events = [event(i, NOON + timedelta(hours=3 * i), f"Client meeting {i}") for i in range(12)]
    agenda = AgendaWindow()
    agenda.set_events(events, NOON)
    agenda.show_event(events[1].id)
    yield "agenda", agenda
    yield "cancel-dialog", CancelDialog(events[1])
    yield "editor-new", EventEditor(EventDraft.new(NOON, NOON + timedelta(hours=1)))
    yield "editor-edit", EventEditor(EventDraft.from_event(events[1]))
    reason = "Read-only key: this key cannot create or change events."
    yield "editor-read-only", EventEditor(EventDraft.new(NOON, NOON + timedelta(hours=1)), read_only_reason=reason)
    for tab in (GENERAL_TAB, ACCOUNT_TAB, SHORTCUTS_TAB, ZONES_TAB):
        yield f"settings-{tab}", SettingsDialog(Preferences(), key_state=KeyState(stored=True), open_tab=tab)
    yield "slot-finder", SlotFinder()
    quick = QuickAddWindow()
    quick.box.line.setText("Call with Jane Doe tomorrow 3pm 30 min video")
    quick.box.read_now()
    yield "quick-add", quick
    reminder = Reminder(event=events[1], due_at=NOON, fire_at=NOON, late=True)
    yield "reminder-card", ReminderCard(reminder_content(reminder))
    yield "starting-now", StartingNowWindow(starting_now_content(events[1]))


def ink_width(label: QLabel, width: int) -> int:
    """How far right ``label``'s text is drawn (device pixels) when the label is ``width`` wide."""
    before = label.size()
    label.resize(width, before.height())
    image = label.grab().toImage()
    label.resize(before)
    ground = image.pixelColor(image.width() - 1, 0)
    inked = [x for x in range(image.width()) if any(image.pixelColor(x, y) != ground for y in range(image.height()))]
    return inked[-1] + 1 if inked else 0


def report(name: str, window: QWidget) -> dict[str, object]:
    top = window.rect()
    cut: list[str] = []
    unreachable: list[str] = []
    for label in window.findChildren(QLabel):
        shown = label.isVisible() and not label.wordWrap() and label.text() and not isinstance(label, LinkLabel)
        if shown and ink_width(label, label.width() + 40) > ink_width(label, label.width()):
            cut.append(f"{label.text()!r}: drawn cut at {label.width()}")
        elif shown and label.sizeHint().width() > label.width():
            cut.append(f"{label.text()!r}: needs {label.sizeHint().width()}, has {label.width()}")
    for button in window.findChildren(QPushButton):
        if button.isVisible() and button.text() and button.width() < button.minimumSizeHint().width():
            cut.append(f"button {button.text()!r}: needs {button.minimumSizeHint().width()}, has {button.width()}")
    for control in window.findChildren(QWidget):
        if not isinstance(control, CONTROLS) or not control.isVisible():
            continue
        inner = isinstance(control.parentWidget(), (QAbstractSpinBox, QComboBox))  # a spin box's own line edit
        if (
            not inner
            and not isinstance(control, QAbstractItemView)
            and control.height() < control.minimumSizeHint().height()
        ):
            cut.append(
                f"{type(control).__name__} squeezed to {control.height()} of {control.minimumSizeHint().height()}"
            )
        holder: QWidget = control
        parent = control.parentWidget()
        while parent is not None and parent is not window:
            if isinstance(parent, QScrollArea):
                holder = parent  # what is inside it is reached by scrolling, if the scroll area is in reach
            parent = parent.parentWidget()
        placed = QRect(holder.mapTo(window, QPoint(0, 0)), holder.size())
        if not top.contains(placed):
            unreachable.append(f"{type(control).__name__} {control.objectName() or control.toolTip()!r}")
    texts = [window.windowTitle()]
    texts += [w.text() for w in window.findChildren(QLabel) if w.isVisible() and w.text()]
    texts += [w.text() for w in window.findChildren(QAbstractButton) if w.isVisible() and w.text()]
    mnemonics = [m.lower() for text in texts for m in re.findall(r"&(?!&)(\w)", text)]
    for area in window.findChildren(FormScroll):
        if area.horizontalScrollBar().maximum() > 0:
            unreachable.append("a form that scrolls sideways")  # reachable, but it should only scroll down
    return {
        "name": name,
        "size": [window.width(), window.height()],
        "screen": list(window.screen().availableGeometry().size().toTuple()),
        "ratio": window.devicePixelRatio(),
        "cut_labels": cut,
        "unreachable": unreachable,
        "texts": texts,  # what the window says, for the translation tests (tests/i18n)
        "mnemonics": mnemonics,  # the Alt+letter keys of its labels and buttons
    }


def screenshots(app: QApplication, window: QWidget, stem: Path) -> None:
    """``stem``-light.png and ``stem``-dark.png of ``window`` as it opened."""
    from screenshot_support import dark_palette

    stem.parent.mkdir(parents=True, exist_ok=True)
    original = app.palette()
    for theme, palette in (("light", original), ("dark", dark_palette())):
        app.setPalette(palette)
        for _ in range(5):
            app.processEvents()
        window.grab().save(f"{stem}-{theme}.png")
    app.setPalette(original)


def main() -> None:
    app = QApplication(sys.argv[:1])
    use_language_in_qt(app, install())  # as the app's start does: the environment's language, Qt's texts too
    folder = os.environ.get("KLEN_SCREENSHOTS")
    results = []
    for name, window in windows():
        if isinstance(window, EventEditor):
            window.confirm_discard = lambda: True
        window.show()
        for _ in range(5):
            app.processEvents()
        results.append(report(name, window))
        if folder:
            screenshots(app, window, Path(folder) / f"{name}-{round(window.devicePixelRatio() * 100)}")
        window.close()
        window.deleteLater()
        app.processEvents()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
