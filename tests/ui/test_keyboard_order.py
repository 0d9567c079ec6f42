"""Keyboard alone: Tab from the first control of each window reaches every enabled control in reading order (down
the window, left to right along a line), and the control that has focus is drawn differently from when it has not.

Real windows (those :mod:`scale_probe` opens), real key presses. The reminder card and the "Starting now" window
are left out on purpose: they never take keyboard focus, so a reminder popping up never takes the user's typing.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTabBar,
    QWidget,
)
from pytestqt.qtbot import QtBot
from scale_probe import windows

from klen_desktop.ui.agenda import AgendaWindow
from klen_desktop.ui.agenda.toolbar import AgendaView
from klen_desktop.ui.agenda.week_view import WeekView
from klen_desktop.ui.editor import EventEditor

CONTROLS = (
    QAbstractButton,
    QLineEdit,
    QAbstractSpinBox,
    QComboBox,
    QPlainTextEdit,
    QAbstractItemView,
    QTabBar,
    QKeySequenceEdit,
    WeekView,
)
LINE = 24  # controls whose middles are this close are read as one line (a tool button is a pixel lower)
FOCUS_TAKING = (
    "agenda",
    "cancel-dialog",
    "editor-new",
    "editor-edit",
    "settings-general",
    "settings-account",
    "settings-shortcuts",
    "settings-zones",
    "slot-finder",
    "quick-add",
)


def control_of(widget: QWidget | None) -> QWidget | None:
    """The control a focused widget belongs to: a spin box's, an editable combo box's or a key sequence field's own
    line edit is it."""
    while widget is not None and not isinstance(widget, CONTROLS):
        widget = widget.parentWidget()
    if widget is not None and isinstance(widget.parentWidget(), (QAbstractSpinBox, QComboBox, QKeySequenceEdit)):
        return widget.parentWidget()
    return widget


def reachable(window: QWidget) -> list[QWidget]:
    """Every control a user could tab to: shown, enabled, taking focus by Tab. Of a set of buttons only one of
    which is on (the Agenda / Day / Week switch), Tab goes to the one that is on and the arrows to the others."""
    return [
        w
        for w in window.findChildren(QWidget)
        if isinstance(w, CONTROLS)
        and control_of(w) is w
        and w.isVisible()
        and w.isEnabled()
        and w.focusPolicy() & Qt.FocusPolicy.TabFocus
        and not (isinstance(w, QAbstractButton) and w.group() and w.group().exclusive() and not w.isChecked())
    ]


class TabRound:
    """Tab pressed from ``first`` until focus comes back to it: the controls in the order visited, and for each
    whether it looked different while it had focus (grabbed then, and again once Tab moved on)."""

    def __init__(self, qtbot: QtBot, first: QWidget) -> None:
        first.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(lambda: control_of(QApplication.focusWidget()) is first)
        # Arrive at it by the keyboard, as a user does: the style draws focus once the keyboard has moved it.
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backtab)
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert control_of(QApplication.focusWidget()) is first
        self.visited = [first]
        self.unseen: list[str] = []
        shot = first.grab().toImage()
        for _ in range(300):
            focused = QApplication.focusWidget()
            assert focused is not None
            qtbot.keyClick(focused, Qt.Key.Key_Tab)
            now = control_of(QApplication.focusWidget())
            assert now is not None, f"Tab from {describe(self.visited[-1])} went to {QApplication.focusWidget()!r}"
            if now is self.visited[-1]:
                continue  # a date box's Tab moves from the day to the month to the year first
            if self.visited[-1].grab().toImage() == shot and not default_button(self.visited[-1]):
                self.unseen.append(describe(self.visited[-1]))
            if now is first:
                return
            self.visited.append(now)
            shot = now.grab().toImage()
        raise AssertionError(f"Tab never came back to where it started: {[describe(w) for w in self.visited]}")


def default_button(widget: QWidget) -> bool:
    """The dialog's default button (Enter presses it) wears the style's focus ring all the time (Fusion draws the
    two alike), so it cannot look different with focus; the ring says Enter goes there, which stays true."""
    return isinstance(widget, QPushButton) and widget.isDefault()


def place(widget: QWidget, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def describe(widget: QWidget) -> str:
    text = widget.accessibleName() or getattr(widget, "text", lambda: "")() or widget.toolTip()
    return f"{type(widget).__name__} {text!r}"


def backwards(a: QRect, b: QRect) -> bool:
    """``b`` comes before ``a`` in reading order: on the same line and to its left, or above it and to its left."""
    same_line = b.top() < a.bottom() and a.top() < b.bottom()
    if same_line:
        return b.right() < a.left()
    return b.bottom() <= a.top() and b.right() < a.left()


@pytest.fixture(params=[*FOCUS_TAKING, "agenda-week"])
def window(request: pytest.FixtureRequest, qtbot: QtBot) -> QWidget:
    wanted = "agenda" if request.param == "agenda-week" else request.param
    found = next(w for name, w in windows() if name == wanted)
    qtbot.addWidget(found)
    if isinstance(found, EventEditor):
        found.confirm_discard = lambda: True
    if request.param == "agenda-week" and isinstance(found, AgendaWindow):
        found.set_view(AgendaView.WEEK)
    found.show()
    qtbot.waitExposed(found)
    found.activateWindow()
    qtbot.waitUntil(found.isActiveWindow)
    return found


def test_tab_reaches_every_control_in_reading_order_and_shows_where_it_is(qtbot: QtBot, window: QWidget) -> None:
    controls = reachable(window)
    assert len(controls) >= 3
    first = min(controls, key=lambda w: (place(w, window).center().y() // LINE, place(w, window).left()))
    round_ = TabRound(qtbot, first)
    missed = [describe(w) for w in controls if w not in round_.visited]
    assert not missed, f"Tab never reaches {missed}"
    out_of_order = [
        f"{describe(a)} → {describe(b)}"
        for a, b in zip(round_.visited, round_.visited[1:], strict=False)
        if backwards(place(a, window), place(b, window))
    ]
    assert not out_of_order, f"Tab goes back up or left: {out_of_order}"
    assert not round_.unseen, f"focus is not drawn on {round_.unseen}"


def test_a_labels_shortcut_letter_focuses_its_field(qtbot: QtBot) -> None:
    """Alt+T goes to the Title field, Alt+M to Email: each label's shortcut reaches the input, not the cell round it
    (with its error line) where it did nothing."""
    editor = next(w for name, w in windows() if name == "editor-new")
    assert isinstance(editor, EventEditor)
    qtbot.addWidget(editor)
    editor.confirm_discard = lambda: True
    editor.show()
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow)
    for key, field in (
        (Qt.Key.Key_M, editor.customer_email_edit),
        (Qt.Key.Key_T, editor.title_edit),
        (Qt.Key.Key_I, editor.reminder_spin),
        (Qt.Key.Key_V, editor.video_provider_combo),
        (Qt.Key.Key_C, editor.video_check),
    ):
        editor.video_check.setChecked(True)
        editor.reminder_check.setChecked(True)
        qtbot.keyClick(QApplication.focusWidget(), key, Qt.KeyboardModifier.AltModifier)
        assert control_of(QApplication.focusWidget()) is field, (key, QApplication.focusWidget())


@pytest.mark.parametrize("name", ["editor-new", "editor-edit", "slot-finder"])
def test_no_two_shortcut_letters_of_a_window_are_the_same(qtbot: QtBot, name: str) -> None:
    """Two labels with one letter make Alt+letter go to one, then the other: neither is the shortcut it says."""
    window = next(w for n, w in windows() if n == name)
    qtbot.addWidget(window)
    letters: list[str] = []
    for widget in window.findChildren(QWidget):
        text = widget.text() if isinstance(widget, (QLabel, QAbstractButton)) else ""
        at = text.replace("&&", "").find("&")
        if at >= 0 and widget.isVisibleTo(window):
            letters.append(text.replace("&&", "")[at + 1].lower())
    assert letters
    assert sorted(set(letters)) == sorted(letters), letters


def test_the_arrows_on_the_view_switch_change_the_view(qtbot: QtBot) -> None:
    """The switch is one Tab stop (the view that is on); Right on it shows the next view, as a click would."""
    agenda = next(w for name, w in windows() if name == "agenda")
    assert isinstance(agenda, AgendaWindow)
    qtbot.addWidget(agenda)
    agenda.show()
    agenda.activateWindow()
    qtbot.waitUntil(agenda.isActiveWindow)
    switch = agenda.toolbar.view_buttons
    switch[AgendaView.AGENDA].setFocus(Qt.FocusReason.TabFocusReason)
    with qtbot.waitSignal(agenda.view_changed, timeout=1000) as changed:
        qtbot.keyClick(switch[AgendaView.AGENDA], Qt.Key.Key_Right)
    assert changed.args == [AgendaView.DAY] and switch[AgendaView.DAY].isChecked()
