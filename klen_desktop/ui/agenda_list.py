"""The agenda as a plain list grouped by local day: the first window of the app.

Every cell is set with ``setText``, which Qt never renders as rich text, so a title like ``<b>x</b>`` shows as typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from klen_desktop.api.models import EventStatus, EventSummary
from klen_desktop.ui.formatting import STATUS_LABELS, TYPE_LABELS, day_heading, local, one_line, time_range

COLUMNS = ("Time", "Title", "Type", "Status", "Customer", "Booked by")


class AgendaListWindow(QWidget):
    refresh_requested = Signal()

    def __init__(self, *, demo: bool) -> None:
        super().__init__()
        self.setWindowTitle("Klen Desktop — Agenda" + (" (Demo)" if demo else ""))
        self.resize(900, 600)
        self.mode_label = QLabel()
        self.mode_label.setTextFormat(Qt.TextFormat.PlainText)
        if demo:
            self.mode_label.setText(
                "Demo mode: a sample calendar served by the built-in emulator. No API key is stored."
            )
            self.mode_label.setStyleSheet("color: #b35c00; font-weight: bold;")
        self.status_label = QLabel("Loading your calendar…")
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.refresh_button = QPushButton("Sync now")
        self.refresh_button.clicked.connect(self.refresh_requested.emit)
        self._scrolled_to_today = False
        self.tree = QTreeWidget()
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setUniformRowHeights(True)
        self.tree.setRootIsDecorated(False)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        top = QHBoxLayout()
        top.addWidget(self.status_label, 1)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        if demo:
            layout.addWidget(self.mode_label)
        layout.addLayout(top)
        layout.addWidget(self.tree, 1)

    def show_events(self, events: Sequence[EventSummary], now: datetime) -> None:
        self.tree.clear()
        today = local(now).date()
        heading_font = QFont(self.font())
        heading_font.setBold(True)
        current_day = None
        day_item: QTreeWidgetItem | None = None
        first_upcoming_day: QTreeWidgetItem | None = None
        for event in sorted(events, key=lambda e: (e.start_time, e.id)):
            day = local(event.start_time).date()
            if day != current_day or day_item is None:
                current_day = day
                day_item = QTreeWidgetItem([day_heading(day, today)])
                day_item.setFirstColumnSpanned(True)
                day_item.setFont(0, heading_font)
                day_item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                if day == today:
                    day_item.setForeground(0, QBrush(QColor("#2a7ae2")))
                self.tree.addTopLevelItem(day_item)
                day_item.setFirstColumnSpanned(True)
                if first_upcoming_day is None and day >= today:
                    first_upcoming_day = day_item
            day_item.addChild(self._row(event))
        self.tree.expandAll()
        for column in (0, 2, 3, 4, 5):
            self.tree.resizeColumnToContents(column)
        if first_upcoming_day is not None and not self._scrolled_to_today:
            # Open on today, not on last week: the past is there to scroll back to.
            self.tree.scrollToItem(first_upcoming_day, QTreeWidget.ScrollHint.PositionAtTop)
            self._scrolled_to_today = True
        self.status_label.setText(f"{len(events)} events · updated {local(now):%H:%M:%S}")

    def show_error(self, message: str) -> None:
        self.status_label.setText(message)

    @staticmethod
    def _row(event: EventSummary) -> QTreeWidgetItem:
        customer = event.customer.name if event.customer and event.customer.name else ""
        agent = (
            event.ai_agent.name
            if event.ai_agent and event.ai_agent.name
            else ("AI agent" if event.created_by_ai_agent else "")
        )
        item = QTreeWidgetItem(
            [
                time_range(event),
                one_line(event.title, 120),
                TYPE_LABELS[event.event_type],
                STATUS_LABELS[event.status],
                one_line(customer, 40),
                one_line(agent, 40),
            ]
        )
        item.setData(0, Qt.ItemDataRole.UserRole, event.id)
        if event.status is EventStatus.CANCELLED:
            font = item.font(1)
            font.setStrikeOut(True)
            item.setFont(1, font)
        if event.status in (EventStatus.CANCELLED, EventStatus.COMPLETED, EventStatus.NO_SHOW):
            for column in range(len(COLUMNS)):
                item.setForeground(column, QBrush(QColor("#80868b")))
        return item
