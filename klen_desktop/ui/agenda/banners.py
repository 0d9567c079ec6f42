"""Banners above the agenda list: the sync state (offline, key problems, read-only, demo) and outbox problems.

The wording lives in plain functions (:func:`sync_banner`, :func:`problem_text`) so it is tested without widgets.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from enum import StrEnum

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from klen_desktop.date_texts import clock, stamp
from klen_desktop.i18n import N_, _, ngettext
from klen_desktop.records import record
from klen_desktop.store.outbox import NEEDS_USER, OutboxEntry, OutboxOp, OutboxState
from klen_desktop.sync.status import SyncPhase, SyncStatus
from klen_desktop.ui.form_widgets import plain_label
from klen_desktop.ui.formatting import breakable, local, one_line

MAX_PROBLEMS_SHOWN = 3
DEMO_TEXT = N_(
    "Demo mode: a sample calendar served by the built-in emulator. Nothing here reaches Klen. "
    "Enter your API key to see your own calendar."
)


class Tone(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


_TONE_COLORS = {Tone.INFO: QColor("#2a7ae2"), Tone.WARNING: QColor("#d9822b"), Tone.ERROR: QColor("#d93025")}


@record
class BannerText:
    tone: Tone
    text: str
    action: str | None = None  # the label of the banner's button, if it has one
    second_action: str | None = None


def since_text(when: datetime | None, now: datetime) -> str:
    """ "14:02 (12 min ago)", or with the date when it was not today; "never" without a time."""
    if when is None:
        return _("never")
    minutes = max(0, int((now - when).total_seconds() // 60))
    if minutes < 1:
        ago = _("just now")
    elif minutes < 60:
        ago = ngettext("{n} min ago", "{n} min ago", minutes).format(n=minutes)
    else:
        ago = ngettext("{n} h ago", "{n} h ago", minutes // 60).format(n=minutes // 60)
    return _("{time} ({ago})").format(time=stamp(local(when), local(now).date()), ago=ago)


def sync_banner(status: SyncStatus, now: datetime) -> BannerText | None:
    """What the agenda says about sync right now, or ``None`` when all is well."""
    since = since_text(status.last_success, now)
    retry = ""
    if status.next_poll:
        retry = " " + _("Next try at {time}.").format(time=clock(local(status.next_poll)))
    error = status.last_error or ""
    if status.phase is SyncPhase.AUTH_ERROR:
        detail = f" ({error})" if error else ""
        return BannerText(
            Tone.ERROR,
            _(
                "Klen refused the API key{detail}. Syncing has stopped; showing the calendar as of {since}. "
                "Enter a valid key in Settings."
            ).format(detail=detail, since=since),
            _("Settings…"),
        )
    if status.phase is SyncPhase.PERMISSION_ERROR:
        detail = f" ({error})" if error else ""
        return BannerText(
            Tone.ERROR,
            _(
                "The API key may not read the calendar{detail}. Syncing has stopped; showing the calendar as of "
                "{since}. Give the key calendar access in Klen, or enter another key in Settings."
            ).format(detail=detail, since=since),
            _("Settings…"),
        )
    if status.phase is SyncPhase.OFFLINE:
        text = _("Offline: showing the calendar as of {since}.").format(since=since) + retry
        return BannerText(Tone.WARNING, text, _("Retry now"))
    if status.phase is SyncPhase.SERVER_ERROR:
        detail = f": {error}" if error else ""
        text = _("Klen is not answering properly{detail}. Showing the calendar as of {since}.")
        return BannerText(Tone.WARNING, text.format(detail=detail, since=since) + retry)
    if status.phase is SyncPhase.RATE_LIMITED:
        text = _("Klen asked us to slow down. Showing the calendar as of {since}.").format(since=since)
        return BannerText(Tone.INFO, text + retry)
    if status.warning:
        return BannerText(Tone.INFO, status.warning)  # synced, but something the server sent was left out
    return None


def _what(op: OutboxOp, name: str) -> str:
    if op is OutboxOp.CREATE:
        return _("The new event “{title}”").format(title=name)
    if op is OutboxOp.CANCEL:
        return _("Your cancellation of “{title}”").format(title=name)
    return _("Your change to “{title}”").format(title=name)


def problem_text(entry: OutboxEntry, title: str | None) -> tuple[str, str, str]:
    """(message, resend label, discard label) for an outbox entry that needs the user."""
    # A banner is a line or two above the list: a 5,000-character title (the very event the server refused)
    # must not push the list off the window. The full title is in the editor.
    name = breakable(one_line(title or str(entry.payload.get("title") or _("an event")), 120))
    what = _what(entry.op, name)
    if entry.state is OutboxState.CONFLICT:
        return (
            _("{what} conflicts with a change made on the server since you edited it.").format(what=what),
            _("Overwrite with mine"),
            _("Keep the server's"),
        )
    reason = breakable(one_line(entry.error_message or _("no reason given"), 300))
    return (_("{what} was refused by Klen: {reason}").format(what=what, reason=reason), _("Send again"), _("Discard"))


class Banner(QFrame):
    """One line of text with a coloured edge and an optional button."""

    action_clicked = Signal()
    second_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.label = plain_label()
        self.button = QPushButton()
        self.button.clicked.connect(self.action_clicked.emit)
        self.second_button = QPushButton()
        self.second_button.clicked.connect(self.second_clicked.emit)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 6, 6)
        row.addWidget(self.label, 1)
        row.addWidget(self.button)
        row.addWidget(self.second_button)
        self.hide()

    def show_text(self, banner: BannerText | None) -> None:
        if banner is None:
            self.hide()
            return
        self.label.setText(banner.text)
        self.button.setVisible(banner.action is not None)
        self.button.setText(banner.action or "")
        self.second_button.setVisible(banner.second_action is not None)
        self.second_button.setText(banner.second_action or "")
        tint(self, _TONE_COLORS[banner.tone])
        self.show()


def tint(widget: QWidget, color: QColor) -> None:
    """A light wash of ``color`` over the window colour: readable in light and dark palettes."""
    pal = widget.palette()
    base = pal.color(QPalette.ColorRole.Window)
    mixed = QColor(
        int(base.red() * 0.82 + color.red() * 0.18),
        int(base.green() * 0.82 + color.green() * 0.18),
        int(base.blue() * 0.82 + color.blue() * 0.18),
    )
    pal.setColor(QPalette.ColorRole.Window, mixed)
    widget.setPalette(pal)


class ProblemsBanner(QWidget):
    """Outbox entries the server refused or that conflict, each with its two ways out."""

    resend_requested = Signal(int)
    discard_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.rows: list[Banner] = []
        self.more_label = plain_label()
        self.hide()

    def set_entries(
        self,
        entries: Sequence[OutboxEntry],
        title_of: Callable[[OutboxEntry], str | None],
        waiting: Sequence[tuple[int, str]] = (),
    ) -> None:
        for row in self.rows:
            row.deleteLater()
        self.rows = []
        self._layout.removeWidget(self.more_label)
        problems = [e for e in entries if e.state in NEEDS_USER]
        for entry in problems[:MAX_PROBLEMS_SHOWN]:
            self.rows.append(self._row(entry, title_of(entry)))
        for seq, text in waiting[: max(0, MAX_PROBLEMS_SHOWN - len(self.rows))]:
            self.rows.append(self._waiting_row(seq, text))
        hidden = len(problems) + len(waiting) - len(self.rows)
        self.more_label.setText(
            ngettext("…and {n} more waiting for you.", "…and {n} more waiting for you.", hidden).format(n=hidden)
            if hidden > 0
            else ""
        )
        if hidden > 0:
            self._layout.addWidget(self.more_label)
        self.more_label.setVisible(hidden > 0)
        self.setVisible(bool(self.rows))

    def _waiting_row(self, seq: int, text: str) -> Banner:
        # Nothing to fix and nothing to resend: it goes by itself. Discard is the one way out.
        row = Banner(self)
        row.show_text(BannerText(Tone.INFO, text, second_action=_("Discard")))
        row.second_clicked.connect(lambda: self.discard_requested.emit(seq))
        self._layout.addWidget(row)
        return row

    def _row(self, entry: OutboxEntry, title: str | None) -> Banner:
        message, resend, discard = problem_text(entry, title)
        row = Banner(self)
        tone = Tone.ERROR if entry.state is OutboxState.ATTENTION else Tone.WARNING
        row.show_text(BannerText(tone, message, resend, discard))
        seq = entry.seq
        row.action_clicked.connect(lambda: self.resend_requested.emit(seq))
        row.second_clicked.connect(lambda: self.discard_requested.emit(seq))
        self._layout.addWidget(row)
        return row
