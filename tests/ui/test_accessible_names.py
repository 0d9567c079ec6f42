"""What a screen reader meets in every window: each control it can act on has a name, a disabled action says why,
an agenda row says when, what state and with whom, not only its title.

Real AT-SPI, as Orca reads it: the windows open in a process of their own (:mod:`a11y_probe`) with Qt's
accessibility bridge on, over a private session bus with at-spi2-core's accessibility bus; this test walks each
window's accessible tree from outside over D-Bus (:mod:`atspi_bus`) and fails on an unnamed control.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from a11y_probe import WINDOWS
from atspi_bus import INTERACTIVE, Node, Walker, accessibility_bus, accessibility_session

HERE = Path(__file__).resolve().parent
CONTAINERS = frozenset({"table", "tree", "tree table", "list", "canvas"})  # a view a user moves through


async def walk_all(env: dict[str, str]) -> dict[str, list[Node]]:
    bus = await accessibility_bus(env)
    try:
        walker = Walker(bus)
        found = await walker.windows()
        return {name: await walker.walk(*found[f"probe:{name}"]) for name in WINDOWS}
    finally:
        bus.disconnect()


def in_thread(env: dict[str, str]) -> dict[str, list[Node]]:
    """Walk on a loop of its own: the tests' Qt loop is not running between tests."""
    result: dict[str, list[Node]] = {}
    failure: list[BaseException] = []

    def walk() -> None:
        try:
            result.update(asyncio.run(walk_all(env)))
        except BaseException as error:  # handed to the test's thread, to be raised there
            failure.append(error)

    thread = threading.Thread(target=walk)
    thread.start()
    thread.join(60)
    if failure:
        raise failure[0]
    assert result, "the AT-SPI walk did not finish in 60 s"
    return result


@pytest.fixture(scope="module")
def trees(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, list[Node]]]:
    if not os.environ.get("DISPLAY"):
        pytest.skip("needs the test session's X display (tests/session/session-up.sh)")
    with accessibility_session(tmp_path_factory.mktemp("a11y-bus")) as env:
        env["PYTHONPATH"] = os.pathsep.join((str(HERE), str(HERE.parent)))
        env["QT_QPA_PLATFORM"] = "xcb"
        probe = subprocess.Popen(
            [sys.executable, str(HERE / "a11y_probe.py")],
            env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert probe.stdin is not None and probe.stdout is not None
        try:
            assert probe.stdout.readline().strip() == "ready", probe.stderr.read() if probe.stderr else ""
            yield in_thread(env)
        finally:
            probe.stdin.close()
            probe.wait(30)


def says_something(text: str) -> bool:
    """A name a person can use: words or numbers, not a bare glyph like ◀."""
    return any(ch.isalnum() for ch in text)


def unnamed(nodes: list[Node]) -> list[str]:
    missing = []
    for node in nodes:
        if not node.visible:
            continue  # on a tab not shown, or a popup not open: checked where it is shown
        in_combo = bool(node.path) and node.path[-1].startswith("combo box")
        must = node.role in INTERACTIVE or (node.role in CONTAINERS and not in_combo)
        if must and not says_something(node.name):
            missing.append(f"{node.role} named {node.name!r}, in {' > '.join(node.path[-3:])}")
    return missing


@pytest.mark.parametrize("window", WINDOWS)
def test_every_control_a_screen_reader_meets_has_a_name(trees: dict[str, list[Node]], window: str) -> None:
    nodes = trees[window]
    assert sum(1 for n in nodes if n.role in INTERACTIVE) >= 2, f"{window}: the walk found no controls"
    missing = unnamed(nodes)
    assert not missing, f"{window}: no name for\n" + "\n".join(missing)


def test_an_agenda_row_says_when_its_status_title_customer_and_place(trees: dict[str, list[Node]]) -> None:
    rows = [n.name for n in trees["agenda"] if n.role in ("cell", "table cell", "list item") and "meeting" in n.name]
    assert len(rows) >= 3
    for name in rows:
        assert re.fullmatch(r"\d.*\d, Confirmed, Client meeting \d+, Ada Byron · Conference Room A", name), name


def test_a_disabled_action_says_why_in_plain_words(trees: dict[str, list[Node]]) -> None:
    pane = {n.name: n for n in trees["agenda"] if n.role == "push button"}
    confirm = pane["Confirm"]  # the event shown is already confirmed
    assert not confirm.enabled
    assert confirm.description == "This event is already confirmed."


def test_the_week_arrows_and_the_date_box_say_what_they_do(trees: dict[str, list[Node]]) -> None:
    for window in ("agenda", "agenda-week"):
        names = {n.name for n in trees[window] if n.visible}
        assert {"Previous week", "Next week", "Search events", "Go to date"} <= names, window


@pytest.mark.parametrize("window", ["editor-new", "editor-edit"])
def test_each_editor_field_is_labelled_by_its_form_label(trees: dict[str, list[Node]], window: str) -> None:
    """A screen reader says "Type, Meeting, combo box": the label names the field, whatever its value."""
    fields = [n for n in trees[window] if n.role in ("text", "combo box", "spin box") and n.visible]
    assert len(fields) >= 14
    unlabelled = [f"{n.role} {n.name!r}" for n in fields if not n.path[-1].startswith("combo box") and not n.labels]
    assert not unlabelled
    kinds = {n.labels[0] for n in fields if n.role == "combo box"}
    assert {"Type", "Status", "Duration", "Provider"} <= kinds


@pytest.mark.parametrize("window", ["reminder-card", "starting-now"])
def test_a_reminders_buttons_say_which_event_they_act_on(trees: dict[str, list[Node]], window: str) -> None:
    buttons = [n for n in trees[window] if n.role in ("push button", "button menu") and n.visible]
    assert {n.name for n in buttons} >= {"Join", "Dismiss"}
    assert all("Client meeting 1" in n.description for n in buttons), [(n.name, n.description) for n in buttons]


def test_the_week_grid_says_which_days_and_how_many_events_and_the_one_selected(
    trees: dict[str, list[Node]],
) -> None:
    (grid,) = [n for n in trees["agenda-week"] if n.name.startswith("Week, ")]
    assert re.fullmatch(r"Week, .+ – .+, \d+ events", grid.name), grid.name
    assert grid.description.startswith("Client meeting 1, "), grid.description
