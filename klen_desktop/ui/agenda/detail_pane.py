"""The detail pane: every fact of the selected event and the quick actions on it.

The pane only emits intentions; the window turns "Cancel" into a confirmation first. When the cached details are
older than the summary (or missing) it shows the summary's facts with a "Loading details…" note; the window asks
for details through ``detail_needed``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtGui import QFont, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from klen_desktop import markup
from klen_desktop.api.models import EventStatus
from klen_desktop.event_rules import asks_outcome, join_link, status_actions
from klen_desktop.i18n import _
from klen_desktop.links import web_link
from klen_desktop.store.events import StoredEvent
from klen_desktop.ui.agenda.event_facts import detail_rows
from klen_desktop.ui.agenda.widgets import plain_tooltip, set_write_enabled
from klen_desktop.ui.form_widgets import plain_label
from klen_desktop.ui.formatting import READABLE_CONTRAST, breakable, contrast_ratio
from klen_desktop.ui.theme_watch import on_palette_change


class DetailPane(QWidget):
    status_requested = Signal(int, str)
    cancel_clicked = Signal(int)
    edit_requested = Signal(int)
    join_requested = Signal(str)
    ics_requested = Signal(int)
    copy_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._event: StoredEvent | None = None
        self._read_only_reason: str | None = None
        self._now = datetime.now().astimezone()
        # The name of an event's account where several are shown ("" with one: no Account row).
        self.account_name: Callable[[int], str] = lambda _event_id: ""
        self.title_label = plain_label()
        font = QFont(self.title_label.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.title_label.setFont(font)
        self.note_label = plain_label()
        self.note_label.setEnabled(False)  # the palette's disabled text: quiet on light and dark
        self.outcome_label = plain_label(_("This event has ended. Did it happen?"))
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.confirm_button = QPushButton(_("Confirm"))
        self.complete_button = QPushButton(_("Completed"))
        self.no_show_button = QPushButton(_("No-show"))
        self.cancel_button = QPushButton(_("Cancel event…"))
        self.edit_button = QPushButton(_("Edit…"))
        self.join_button = QPushButton(_("Join call"))
        self.ics_button = QPushButton(_("Open .ics"))
        self.copy_button = QPushButton(_("Copy details"))
        self.confirm_button.clicked.connect(lambda: self._status(EventStatus.CONFIRMED))
        self.complete_button.clicked.connect(lambda: self._status(EventStatus.COMPLETED))
        self.no_show_button.clicked.connect(lambda: self._status(EventStatus.NO_SHOW))
        self.cancel_button.clicked.connect(lambda: self._emit_id(self.cancel_clicked))
        self.edit_button.clicked.connect(lambda: self._emit_id(self.edit_requested))
        self.ics_button.clicked.connect(lambda: self._emit_id(self.ics_requested))
        self.copy_button.clicked.connect(lambda: self._emit_id(self.copy_requested))
        self.join_button.clicked.connect(self._join)
        self._build_layout()
        self.show_event(None)

    def _build_layout(self) -> None:
        self._actions = actions = QGridLayout()
        self._buttons = [self.confirm_button, self.complete_button, self.no_show_button, self.cancel_button]
        self._buttons += [self.edit_button, self.join_button, self.ics_button, self.copy_button]
        self._columns = 0
        self._place_buttons(4)
        body = QWidget()
        self._inner = inner = QVBoxLayout(body)
        inner.addWidget(self.title_label)
        inner.addWidget(self.note_label)
        inner.addWidget(self.outcome_label)
        inner.addLayout(actions)
        inner.addLayout(self.form)
        inner.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # an invisible Tab stop between the list and the actions
        scroll.setAccessibleName(_("Event details"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    def _place_buttons(self, columns: int) -> None:
        if columns != self._columns:
            self._columns = columns
            for button in self._buttons:
                self._actions.removeWidget(button)
            for i, button in enumerate(self._buttons):
                self._actions.addWidget(button, i // columns, i % columns)

    def resizeEvent(self, event: QResizeEvent) -> None:
        # Four buttons a row, or two, or one where the pane is narrow (a small screen, a large scale): never cut.
        widest = max(button.sizeHint().width() for button in self._buttons)
        spacing = self._actions.horizontalSpacing()
        margins = self._inner.contentsMargins()
        # Room for the pane's scroll bar: about a line high in every style (asking the style for its exact width
        # would build PySide6's QStyle class, some 0.45 MiB, for this one number).
        edges = margins.left() + margins.right() + self.fontMetrics().height() + 2
        fits = [n for n in (4, 2) if n * widest + (n - 1) * spacing + edges <= event.size().width()]
        self._place_buttons(fits[0] if fits else 1)
        super().resizeEvent(event)

    @property
    def shown_event(self) -> StoredEvent | None:
        return self._event

    def set_read_only(self, reason: str | None) -> None:
        """``reason`` disables every write action (shown as their tooltip); ``None`` enables them."""
        self._read_only_reason = reason
        self._update_actions()

    def set_now(self, now: datetime) -> None:
        """Update what depends on the time (the "Did it happen?" prompt, Join) without re-rendering."""
        self._now = now
        self._update_actions()

    def show_event(self, event: StoredEvent | None, now: datetime | None = None) -> None:
        """Show ``event`` (``None``: the "select an event" hint)."""
        if now is not None:
            self._now = now
        self._event = event
        while self.form.rowCount():
            self.form.removeRow(0)
        # An event's title can be selected and copied; the hint cannot, which spares a pane that only ever showed
        # the hint the text machinery a selectable label brings (about 0.5 MiB with the agenda open).
        self.title_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.NoTextInteraction if event is None else Qt.TextInteractionFlag.TextSelectableByMouse
        )
        if event is None:
            self.title_label.setText(_("No event selected"))
            self.note_label.setText(_("Select an event to see everything about it."))
            self.note_label.show()
        else:
            self.title_label.setText(breakable(event.title))
            self.note_label.setText(_note(event))
            self.note_label.setVisible(bool(self.note_label.text()))
            account = self.account_name(event.id)
            if account:
                self.form.addRow(plain_label(_("Account"), wrap=False), self._value_label(account))
            for label, value in detail_rows(event):
                self.form.addRow(plain_label(label, wrap=False), self._value_label(value))
        self._update_actions()

    def _value_label(self, value: str) -> QLabel:
        head, sep, last = value.rpartition(" · ")
        if "://" not in last or any(ch.isspace() for ch in last):
            return plain_label(breakable(value), selectable=True)
        label = LinkLabel(head + sep, last)
        label.opened.connect(self.join_requested.emit)
        return label

    def _update_actions(self) -> None:
        event = self._event
        writes = (self.confirm_button, self.complete_button, self.no_show_button, self.cancel_button, self.edit_button)
        for button in (*writes, self.join_button, self.ics_button, self.copy_button):
            button.setVisible(event is not None)
        if event is None:
            self.outcome_label.hide()
            return
        status = event.status
        reason = self._read_only_reason
        offers = status_actions(status, event.start_time, self._now)
        why_not = {
            self.confirm_button: offers.confirm,
            self.complete_button: offers.outcome,
            self.no_show_button: offers.outcome,
            self.cancel_button: offers.cancel,
            self.edit_button: None,
        }
        for button, refusal in why_not.items():
            # A read-only key outranks the event's own reason: nothing here can be written at all.
            set_write_enabled(button, reason is None and refusal is None, reason or refusal or "")
        link = join_link(event.summary, self._now.timestamp())
        self.join_button.setVisible(link is not None)
        set_write_enabled(self.ics_button, not event.is_local, _("Not on the server yet"))
        ended = asks_outcome(status, event.start_time, event.end_time, self._now)
        self.outcome_label.setVisible(ended and reason is None)

    def _status(self, status: EventStatus) -> None:
        if self._event is not None:
            self.status_requested.emit(self._event.id, status.value)

    def _emit_id(self, signal: SignalInstance) -> None:
        if self._event is not None:
            signal.emit(self._event.id)

    def _join(self) -> None:
        link = None if self._event is None else join_link(self._event.summary, self._now.timestamp())
        if link is not None:
            self.join_requested.emit(link)


class LinkLabel(QLabel):
    """``prefix`` then ``url`` on one line, the address elided in the middle to the width it gets (its start
    and its end are what tell one link from another), the full address in the tooltip. Only a link the browser
    may open (:func:`klen_desktop.links.web_link`) is clickable; ``opened`` carries it, never the elided text."""

    opened = Signal(str)

    def __init__(self, prefix: str, url: str) -> None:
        super().__init__()
        self._prefix, self._url = prefix, url
        self._link = web_link(url)
        self.setWordWrap(False)
        # Ignored: the label takes the width the form gives it instead of widening the pane to the address.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setTextFormat(Qt.TextFormat.RichText if self._link else Qt.TextFormat.PlainText)
        self.setToolTip(plain_tooltip(url))
        self.setOpenExternalLinks(False)
        self.linkActivated.connect(self._activated)
        self._fit(self.width())
        on_palette_change(self, self._refit)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._fit(event.size().width())
        super().resizeEvent(event)

    def _fit(self, width: int) -> None:
        metrics = self.fontMetrics()
        room = max(width - metrics.horizontalAdvance(self._prefix) - 2 * self.margin(), metrics.averageCharWidth() * 8)
        shown = metrics.elidedText(self._url, Qt.TextElideMode.ElideMiddle, room)
        if self._link is None:
            self.setText(self._prefix + shown)
        else:
            colour = _link_colour(self.palette())
            link = f'<a href="link" style="color: {colour}">{markup.escape(shown)}</a>'
            self.setText(f"{markup.escape(self._prefix)}{link}")

    def _refit(self) -> None:
        self._fit(self.width())  # the link's colour is chosen for the palette

    def _activated(self, _href: str) -> None:
        if self._link is not None:
            self.opened.emit(self._link)


def _link_colour(palette: QPalette) -> str:
    """The palette's link colour where it reads on the window, else its highlight, else its text: a theme may
    keep Qt's default dark blue link colour on a dark window."""
    window = palette.color(QPalette.ColorRole.Window)
    for role in (QPalette.ColorRole.Link, QPalette.ColorRole.Highlight, QPalette.ColorRole.WindowText):
        colour = palette.color(role)
        if contrast_ratio(colour, window) >= READABLE_CONTRAST:
            return colour.name()
    return palette.color(QPalette.ColorRole.WindowText).name()


def _note(event: StoredEvent) -> str:
    if event.is_local:
        return _("Not on the server yet: it is sent as soon as Klen can be reached.")
    if not event.detail_is_current:
        return _("Loading details…")
    return ""
