"""MenuRows: a menu brought to new rows keeps the items of rows that stay (their D-Bus ids with them)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMenu

from klen_desktop.ui.menu_rows import MenuRows, Row, separator


def texts(menu: QMenu) -> list[str]:
    return ["---" if a.isSeparator() else a.text() for a in menu.actions()]


def test_rows_that_stay_keep_their_items_and_change_in_place(qapp: object) -> None:
    menu = QMenu()
    rows = MenuRows(menu)
    clicked: list[str] = []
    rows.show(
        [Row("a", "A", lambda: clicked.append("a")), separator("s"), Row("q", "Quit", lambda: clicked.append("q"))]
    )
    quit_item = rows.action("q")
    rows.show(
        [
            Row("new", "New & shiny", lambda: clicked.append("new")),
            Row("a", "A (changed)", lambda: clicked.append("a2"), enabled=False),
            separator("s"),
            Row("q", "Quit", lambda: clicked.append("q2")),
        ]
    )
    assert texts(menu) == ["New && shiny", "A (changed)", "---", "Quit"]
    assert rows.action("q") is quit_item
    assert not menu.actions()[1].isEnabled()
    quit_item.trigger()  # the slot of the newest rows, through the item kept
    assert clicked == ["q2"]


def test_a_row_that_moved_is_made_anew_and_gone_rows_leave(qapp: object) -> None:
    menu = QMenu()
    rows = MenuRows(menu)
    rows.show([Row(1, "one", print), Row(2, "two", print), Row(3, "three", print)])
    two = rows.action(2)
    rows.show([Row(3, "three", print), Row(1, "one", print)])
    assert texts(menu) == ["three", "one"]
    assert rows.action(2) is None and two not in menu.actions()


def test_notes_are_disabled_and_submenus_follow_their_rows(qapp: object) -> None:
    menu = QMenu()
    rows = MenuRows(menu)
    rows.show([Row("note", "Offline"), Row("sub", "Do not disturb", children=(Row("off", "Off", print, False),))])
    assert not menu.actions()[0].isEnabled()
    submenu_action = rows.action("sub")
    sub_menu = rows.submenu("sub")
    assert submenu_action is not None and sub_menu is not None and sub_menu.menuAction() is submenu_action
    rows.show([Row("sub", "Do not disturb (until 15:00)", children=(Row("off", "Off", print, True),))])
    assert rows.action("sub") is submenu_action
    assert texts(menu) == ["Do not disturb (until 15:00)"]
    assert sub_menu.actions()[0].isEnabled()
    rows.show([Row("quit", "Quit", print)])
    assert rows.submenu("sub") is None and texts(menu) == ["Quit"]


def test_items_another_owner_left_are_replaced_and_keys_must_differ(qapp: object) -> None:
    menu = QMenu()
    menu.addAction("Starting…")  # the boot menu's item, before the full menu
    rows = MenuRows(menu)
    rows.show([Row("quit", "Quit", print)])
    assert texts(menu) == ["Quit"]
    with pytest.raises(ValueError):
        rows.show([Row("x", "x"), Row("x", "y")])
