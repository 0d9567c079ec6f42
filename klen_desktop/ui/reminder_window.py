"""Our own reminder windows: the reminder card and the persistent "Starting now" window.

The card stands in for a native notification where the notification server shows no action buttons (or there
is no server): same content, same actions (Join, Snooze choices, Open, Dismiss). The Starting-now window is
the one escalation of a video call or appointment nobody acknowledged by its start: it stays on top until
the user joins or dismisses it, or the event ends (or is cancelled, moved or given an outcome).

Neither window ever takes keyboard focus: they are tool windows that do not accept focus and are shown
without activation, and their buttons take no focus either, so a reminder popping up never steals the
keystrokes of whatever the user is typing into. They render a :class:`ReminderContent` and emit
:class:`WindowAction` values; :class:`ReminderWindows` keeps them stacked in the bottom-right corner of the
screen, above the panel and away from the top edge where notifications and most windows' toolbars are, closes
each when its event ends by the app's clock, and forwards every action through one signal (the app hands it to
``NotificationCenter.act``). Qt's timers do not count the time the computer slept, so the end is looked for
again every :data:`CHECK_EVERY` seconds: a call that ended during a suspend does not stay on screen after it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from klen_desktop.i18n import N_, _, ngettext
from klen_desktop.notify.messages import ActionKind, ReminderContent, snooze_buttons
from klen_desktop.records import record
from klen_desktop.reminders.snooze import SnoozeChoice
from klen_desktop.ui.formatting import breakable

WINDOW_FLAGS = (
    Qt.WindowType.Tool
    | Qt.WindowType.FramelessWindowHint
    | Qt.WindowType.WindowStaysOnTopHint
    | Qt.WindowType.WindowDoesNotAcceptFocus
)
MARGIN = 16
SPACING = 8
WIDTH = 340
CHECK_EVERY = 30.0


@record(slots=True)
class WindowAction:
    """What the user asked for in one of our windows. ``due_at`` is ``None`` from the Starting-now window."""

    kind: ActionKind
    event_id: int
    due_at: datetime | None
    snooze: SnoozeChoice | None = None
    join_url: str | None = None


def _label(text: str, *, bold: bool = False, wrap: bool = True) -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)  # server text is never markup
    label.setText(breakable(text) if wrap else text)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    if bold:
        font = QFont(label.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        label.setFont(font)
    return label


def _button(text: str) -> QPushButton:
    button = QPushButton(text)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    button.setAutoDefault(False)
    return button


_DOES = {
    ActionKind.JOIN: N_("Join the call of “{title}”"),
    ActionKind.SNOOZE: N_("Remind me again of “{title}” later"),
    ActionKind.OPEN: N_("Show “{title}” in the agenda"),
    ActionKind.DISMISS: N_("Dismiss the reminder of “{title}”"),
}


def _snooze_choice(choice: SnoozeChoice | None) -> str:
    """A choice of the Snooze menu: ``5 min``, ``Until start``."""
    if isinstance(choice, int):
        return ngettext("{n} min", "{n} min", choice).format(n=choice)
    return _("Until start")


class _Card(QWidget):
    """The frame both windows share: heading, title, time, details, a row of buttons."""

    action_requested = Signal(object)  # WindowAction

    def __init__(self, content: ReminderContent, heading: str, note: str | None = None) -> None:
        super().__init__(None, WINDOW_FLAGS)
        self.content = content
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setWindowTitle(_("Klen: {title}").format(title=content.title))
        self.setFixedWidth(WIDTH)
        frame = QFrame(self)
        frame.setObjectName("card")
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        frame.setAutoFillBackground(True)
        frame.setBackgroundRole(QPalette.ColorRole.Window)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)
        self._box = box = QVBoxLayout(frame)
        box.setContentsMargins(14, 12, 14, 12)
        box.setSpacing(4)
        self.heading = _label(heading, wrap=False)
        self.heading.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        box.addWidget(self.heading)
        self.title = _label(content.title, bold=True)
        box.addWidget(self.title)
        self.when = _label(content.when)
        box.addWidget(self.when)
        self.note = _label(note) if note else None
        if self.note is not None:
            box.addWidget(self.note)
        self.details = [_label(line) for line in content.details]
        for label in self.details:
            box.addWidget(label)
        self.buttons = QHBoxLayout()
        self.buttons.setSpacing(6)
        self.buttons.addStretch(1)
        box.addSpacing(6)
        box.addLayout(self.buttons)
        self.join_button: QPushButton | None = None
        if content.join_url:
            self.join_button = self._add(_button(_("Join")), ActionKind.JOIN)

    def _add(self, button: QPushButton, kind: ActionKind) -> QPushButton:
        button.clicked.connect(lambda: self._emit(kind))
        # A screen reader reads a button alone; "Join" does not say of which event.
        button.setAccessibleDescription(_(_DOES[kind]).format(title=self.content.title))
        self.buttons.addWidget(button)
        return button

    def _fit(self) -> None:
        # Word-wrapped labels: the size hint is for a narrower width, so size for the fixed width itself; wider
        # only when the row of buttons needs it (four buttons, a wide font), so no button is squeezed.
        layout = self.layout()
        if layout is None:
            return
        width = max(WIDTH, self.button_row_width())
        self.setFixedWidth(width)
        self.resize(width, layout.totalHeightForWidth(width))

    def button_row_width(self) -> int:
        """The least width that shows every button whole (the text never widens the card: it wraps)."""
        margins = self._box.contentsMargins()
        frame = self._box.parentWidget()
        edges = 2 * frame.frameWidth() if isinstance(frame, QFrame) else 0
        return self.buttons.totalMinimumSize().width() + margins.left() + margins.right() + edges

    def _emit(self, kind: ActionKind, snooze: SnoozeChoice | None = None) -> None:
        c = self.content
        self.action_requested.emit(WindowAction(kind, c.event_id, c.due_at, snooze, c.join_url))
        self.close()


class ReminderCard(_Card):
    """A reminder with Join (http(s) link only), a Snooze menu, Open and Dismiss; late ones say so."""

    def __init__(self, content: ReminderContent) -> None:
        late = _("Late reminder: it was due while this computer was asleep or the app was closed.")
        super().__init__(content, _("Reminder"), late if content.late else None)
        self.snooze_button = QToolButton()
        self.snooze_button.setText(_("Snooze"))
        self.snooze_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.snooze_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.snooze_button)
        self.snooze_actions: list[QAction] = []
        for choice in snooze_buttons():
            action = menu.addAction(_snooze_choice(choice.snooze))
            action.triggered.connect(lambda _=False, s=choice.snooze: self._emit(ActionKind.SNOOZE, s))
            self.snooze_actions.append(action)
        self.snooze_button.setMenu(menu)
        self.snooze_button.setAccessibleDescription(_(_DOES[ActionKind.SNOOZE]).format(title=content.title))
        self.buttons.addWidget(self.snooze_button)
        self.open_button = self._add(_button(_("Open")), ActionKind.OPEN)
        self.dismiss_button = self._add(_button(_("Dismiss")), ActionKind.DISMISS)
        self._fit()


class StartingNowWindow(_Card):
    """Persistent until the user joins or dismisses it; it never times out and never takes focus."""

    def __init__(self, content: ReminderContent) -> None:
        super().__init__(content, _("Starting now"))
        self.heading.setForegroundRole(QPalette.ColorRole.Highlight)
        font = QFont(self.heading.font())
        font.setBold(True)
        self.heading.setFont(font)
        self.dismiss_button = self._add(_button(_("Dismiss")), ActionKind.DISMISS)
        self._fit()


class ReminderWindows(QObject):
    """Shows our reminder windows stacked in the top-right corner; one window per event at a time."""

    action_requested = Signal(object)  # WindowAction

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        check_every: float = CHECK_EVERY,
    ) -> None:
        """``now`` is the app's clock; ``check_every`` how often, in seconds, an open window looks for its end."""
        super().__init__(parent)
        self._now = now
        self._check_ms = max(1, int(check_every * 1000))
        self._open: dict[int, _Card] = {}
        self._ends: dict[int, datetime] = {}

    def show_reminder(self, content: ReminderContent, ends_at: datetime | None = None) -> ReminderCard:
        """The card for a reminder, closed by itself at ``ends_at`` (the event's end) if still open then."""
        card = ReminderCard(content)
        self._show(card, ends_at)
        return card

    def show_starting_now(self, content: ReminderContent, ends_at: datetime | None = None) -> StartingNowWindow:
        """The Starting-now window, closed by itself at ``ends_at`` (the event's end) if still open then."""
        window = StartingNowWindow(content)
        self._show(window, ends_at)
        return window

    def close_ended(self, now: datetime) -> None:
        """Close every window whose event has ended by ``now`` (after a wake, timers may have slept through)."""
        for event_id, ends_at in list(self._ends.items()):
            if ends_at <= now:
                self.close_for(event_id)

    def close_for(self, event_id: int) -> None:
        """Close the window about ``event_id`` (the event was cancelled or moved)."""
        window = self._open.pop(event_id, None)
        self._ends.pop(event_id, None)
        if window is not None:
            window.close()
            self._restack()

    def windows(self) -> list[QWidget]:
        return list(self._open.values())

    def _show(self, window: _Card, ends_at: datetime | None) -> None:
        event_id = window.content.event_id
        self.close_for(event_id)  # a newer reminder replaces the older one
        self._open[event_id] = window
        if ends_at is not None:
            self._ends[event_id] = ends_at
            timer = QTimer(window)
            timer.setSingleShot(True)
            timer.timeout.connect(lambda w=window, t=timer: self._end(w, t))
            self._arm(timer, ends_at)
        window.action_requested.connect(self.action_requested.emit)
        window.destroyed.connect(lambda _=None, w=window: self._forget(w))
        self._restack()
        window.show()

    def _arm(self, timer: QTimer, ends_at: datetime) -> None:
        # In short slices: Qt's timers do not count time the computer slept, so one long timer could outlast the
        # end by the length of a suspend.
        left_ms = (ends_at - self._now()).total_seconds() * 1000
        timer.start(int(min(max(left_ms, 0), self._check_ms)))

    def _end(self, window: _Card, timer: QTimer) -> None:
        event_id = window.content.event_id
        if self._open.get(event_id) is not window:
            return
        self.close_ended(self._now())
        ends_at = self._ends.get(event_id)
        if self._open.get(event_id) is window and ends_at is not None:
            self._arm(timer, ends_at)

    def _forget(self, window: _Card) -> None:
        for event_id, open_window in list(self._open.items()):
            if open_window is window:
                del self._open[event_id]
        self._restack()

    def _restack(self) -> None:
        screen = QGuiApplication.primaryScreen()
        if screen is None:
            return
        area = screen.availableGeometry()
        y = area.bottom() - MARGIN
        for window in self._open.values():
            y -= window.height()
            window.move(area.right() - MARGIN - window.width(), y)
            y -= SPACING
