"""A menu kept in step with a list of rows, changing only the rows that changed.

A tray host reading the menu over D-Bus (StatusNotifierItem with dbusmenu) names each item by an id that Qt
gives the item when it enters the menu. A menu cleared and refilled gives every item a new id, so a click the
host sends while the app refills the menu (a sync finished and "last sync" moved) names an id that is gone, and
the user's click is lost. Here a row that stays keeps its QAction, and with it its id: its text, state and target
change in place; only rows that come or go are added or removed.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import field
from functools import partial

from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMenu

from klen_desktop.records import record


@record
class Row:
    """One row of a menu: an item (``slot`` None: a disabled note), a separator or a submenu (``children``)."""

    key: Hashable
    text: str = ""
    slot: Callable[[], object] | None = None
    enabled: bool = True
    icon: QIcon | None = field(default=None, compare=False)
    icon_key: Hashable = None  # icons do not compare: the row's icon is set again only when this changes
    tooltip: str = ""
    separator: bool = False
    children: tuple[Row, ...] | None = None

    @property
    def kind(self) -> str:
        return "separator" if self.separator else "submenu" if self.children is not None else "item"


def separator(key: Hashable) -> Row:
    return Row(key=key, separator=True)


class MenuRows:
    """The rows of one QMenu; :meth:`show` brings the menu to a new list of rows."""

    def __init__(self, menu: QMenu) -> None:
        self.menu = menu
        self._shown: list[tuple[Hashable, str, QAction]] = []  # key, kind, action, in menu order
        self._slots: dict[Hashable, Callable[[], object] | None] = {}
        self._icon_keys: dict[Hashable, Hashable] = {}
        self._submenus: dict[Hashable, MenuRows] = {}

    def show(self, rows: Sequence[Row]) -> None:
        order = {row.key: index for index, row in enumerate(rows)}
        if len(order) != len(rows):
            raise ValueError("menu rows need distinct keys")
        kept = self._keep_in_order(rows, order)
        tracked = {id(action) for _key, _kind, action in kept}
        key_of = {id(action): key for key, _kind, action in self._shown}
        for action in self.menu.actions():
            if id(action) not in tracked:  # rows that went, and whatever another owner left in the menu
                key = key_of.get(id(action))
                self._icon_keys.pop(key, None)
                self._drop(action, self._submenus.pop(key, None) if key is not None else None)
        shown: list[tuple[Hashable, str, QAction]] = []
        next_kept = 0
        for row in rows:
            if next_kept < len(kept) and kept[next_kept][0] == row.key:
                action = kept[next_kept][2]
                next_kept += 1
                self._update(row, action)
            else:
                action = self._make(row)
                before = kept[next_kept][2] if next_kept < len(kept) else None
                if before is None:
                    self.menu.addAction(action)
                else:
                    self.menu.insertAction(before, action)
            shown.append((row.key, row.kind, action))
        self._shown = shown
        self._slots = {row.key: row.slot for row in rows if row.kind == "item"}

    def action(self, key: Hashable) -> QAction | None:
        """The action shown for ``key`` (tests and the no-tray window), or None."""
        return next((action for shown_key, _kind, action in self._shown if shown_key == key), None)

    def submenu(self, key: Hashable) -> QMenu | None:
        """The submenu shown for ``key``, or None."""
        rows = self._submenus.get(key)
        return None if rows is None else rows.menu

    def _keep_in_order(self, rows: Sequence[Row], order: dict[Hashable, int]) -> list[tuple[Hashable, str, QAction]]:
        """The shown rows that stay: same key and kind, in the new order (a row that moved is made anew)."""
        kinds = {row.key: row.kind for row in rows}
        kept: list[tuple[Hashable, str, QAction]] = []
        last = -1
        for key, kind, action in self._shown:
            index = order.get(key)
            if index is not None and index > last and kinds[key] == kind:
                kept.append((key, kind, action))
                last = index
        return kept

    def _make(self, row: Row) -> QAction:
        if row.separator:
            action = QAction(self.menu)
            action.setSeparator(True)
            return action
        if row.children is not None:
            submenu = QMenu(self.menu)
            rows = MenuRows(submenu)
            self._submenus[row.key] = rows
            action = submenu.menuAction()
            self._update(row, action)
            return action
        action = QAction(self.menu)
        action.triggered.connect(partial(self._fire, row.key))
        self._update(row, action)
        return action

    def _update(self, row: Row, action: QAction) -> None:
        if row.separator:
            return
        # Menus take "&" as a mnemonic; server text never should.
        action.setText(row.text.replace("&", "&&"))
        action.setEnabled(row.enabled and (row.slot is not None or row.children is not None))
        action.setToolTip(row.tooltip)
        if self._icon_keys.get(row.key) != row.icon_key:
            action.setIcon(row.icon if row.icon is not None else QIcon())
            self._icon_keys[row.key] = row.icon_key
        if row.children is not None:
            self._submenus[row.key].show(row.children)

    def _drop(self, action: QAction, submenu: MenuRows | None) -> None:
        self.menu.removeAction(action)
        # The submenu is known here rather than asked of the action: QAction.menu() hands Python a wrapper it
        # then deletes as its own, under the parent menu that deletes it too.
        if submenu is not None:
            submenu.menu.deleteLater()
        elif action.parent() is self.menu:
            action.deleteLater()

    def _fire(self, key: Hashable, _checked: bool = False) -> None:
        slot = self._slots.get(key)
        if slot is not None:
            slot()
