"""The agenda's list: a one-column table of painted rows, with the keys the agenda adds (Enter, Delete) and the
clicks on the buttons painted in its rows."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from klen_desktop.ui.viewports import give_own_viewport


class AgendaListView(QTableView):
    """The event list; Enter opens the current event and Delete asks to cancel it.

    A one-column table rather than a QListView: with fixed row heights its header places rows arithmetically,
    while QListView lays out every row (a Python ``rowCount`` call each) before it can scroll: 80 ms at 10,000.
    """

    open_requested = Signal(QModelIndex)
    delete_requested = Signal(QModelIndex)
    # A left button pressed and let go on one row: the row, and where in the viewport (its painted buttons are
    # found there). Not the delegate's editorEvent: see klen_desktop.ui.theme_watch on handlers of any event.
    row_clicked = Signal(QModelIndex, QPoint)

    def __init__(self, row_height: int) -> None:
        super().__init__()
        give_own_viewport(self)  # asked for at every change of the read-only state and tooltip
        for header in (self.horizontalHeader(), self.verticalHeader()):
            header.hide()
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setMinimumSectionSize(8)
        self.verticalHeader().setDefaultSectionSize(row_height)
        self.horizontalHeader().setStretchLastSection(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setCornerButtonEnabled(False)
        self.setTabKeyNavigation(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._pressed = QPersistentModelIndex()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        left = event.button() == Qt.MouseButton.LeftButton
        self._pressed = QPersistentModelIndex(self.indexAt(event.position().toPoint()) if left else QModelIndex())
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        index = QPersistentModelIndex(self.indexAt(pos))
        clicked = event.button() == Qt.MouseButton.LeftButton and index.isValid() and index == self._pressed
        self._pressed = QPersistentModelIndex()
        super().mouseReleaseEvent(event)  # selection and state first, as for a click anywhere on the row
        model = self.model()
        if clicked and index.isValid() and model is not None:
            self.row_clicked.emit(model.index(index.row(), index.column()), pos)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        index = self.currentIndex()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and index.isValid():
            self.open_requested.emit(index)
            event.accept()
        elif event.key() == Qt.Key.Key_Delete and index.isValid():
            self.delete_requested.emit(index)
            event.accept()
        else:
            super().keyPressEvent(event)

    def reselect(self, row: int | None) -> None:
        """Make ``row`` current again after the model changed under it (and show it); the top when it is gone."""
        model = self.model()
        if row is None or model is None:
            self.scrollToTop()
        elif self.currentIndex().row() != row:
            self.setCurrentIndex(model.index(row, 0))
            self.scrollTo(model.index(row, 0))

    def moveCursor(self, cursorAction: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier) -> QModelIndex:
        """Arrow keys step over day headings: they are not events and cannot be opened."""
        index = super().moveCursor(cursorAction, modifiers)
        model = self.model()
        if model is None or not index.isValid():
            return index
        step = {
            QAbstractItemView.CursorAction.MoveDown: 1,
            QAbstractItemView.CursorAction.MoveNext: 1,
            QAbstractItemView.CursorAction.MovePageDown: 1,
            QAbstractItemView.CursorAction.MoveEnd: -1,
            QAbstractItemView.CursorAction.MoveUp: -1,
            QAbstractItemView.CursorAction.MovePrevious: -1,
            QAbstractItemView.CursorAction.MovePageUp: -1,
            QAbstractItemView.CursorAction.MoveHome: 1,
        }.get(cursorAction, 0)
        row = index.row()
        while step and 0 <= row < model.rowCount() and not _selectable(model.index(row, 0)):
            row += step
        if not 0 <= row < model.rowCount():
            return self.currentIndex()  # only headings that way: stay
        return model.index(row, 0)


def _selectable(index: QModelIndex) -> bool:
    return bool(index.flags() & Qt.ItemFlag.ItemIsSelectable)
