"""The screen as a person sees it, for the tray-host legs: where an icon's colour is, clicks, and popup windows.

Everything here goes through the X server: the root window's pixels (what ``import -window root`` saves), clicks
by ``xdotool`` (the host gets them as from a mouse), and the host's own popup windows by their X class.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication

PANEL_STRIP = QRect(0, 0, 1280, 34)  # both hosts sit along the top edge (tests/session/tray-host.sh)


def tray_host() -> str:
    """The session's tray host (tests/session/tray-host.sh): xfce, trayer, none, or watcher (the main run)."""
    marker = Path(os.environ.get("SESSION_DIR", "/nonexistent"), "tray-host")
    return marker.read_text().strip() if marker.exists() else "watcher"


def screen() -> QImage:
    """The whole X screen, every process's windows included."""
    return QApplication.primaryScreen().grabWindow(0).toImage().convertToFormat(QImage.Format.Format_RGB32)


def save(image: QImage, name: str) -> None:
    """Keep a screenshot for a person to look at, when KLEN_SCREENSHOTS=DIR is set."""
    folder = os.environ.get("KLEN_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        image.save(str(Path(folder) / f"{name}.png"))


def colour_box(image: QImage, colour: str, region: QRect = PANEL_STRIP, *, tolerance: int = 12) -> QRect | None:
    """The bounding box of ``region``'s pixels within ``tolerance`` of ``colour`` per channel, when there are
    enough of them to be an icon's header (a host may scale the icon, so antialiased edges are not counted on)."""
    want = QColor(colour)
    target = (want.blue(), want.green(), want.red())  # RGB32 is stored B, G, R, A in memory
    data = memoryview(image.constBits()).cast("B")
    stride = image.bytesPerLine()
    area = region.intersected(image.rect())
    xs: list[int] = []
    ys: list[int] = []
    for y in range(area.top(), area.bottom() + 1):
        row = y * stride
        for x in range(area.left(), area.right() + 1):
            i = row + 4 * x
            if all(abs(data[i + k] - target[k]) <= tolerance for k in range(3)):
                xs.append(x)
                ys.append(y)
    if len(xs) < 8:
        return None
    return QRect(min(xs), min(ys), max(xs) - min(xs) + 1, max(ys) - min(ys) + 1)


def click(x: int, y: int, button: int) -> None:
    """A real pointer click at screen position (x, y): 1 left, 3 right."""
    subprocess.run(["xdotool", "mousemove", str(x), str(y), "click", str(button)], check=True, timeout=10)


def key(name: str) -> None:
    subprocess.run(["xdotool", "key", name], check=True, timeout=10)


@dataclass(frozen=True)
class XWindow:
    id: str
    rect: QRect


def visible_windows(x_class: str) -> list[XWindow]:
    """The mapped top-level windows of an X class (the host's popup menus are windows of its own process)."""
    found = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--maxdepth", "1", "--class", x_class],
        capture_output=True,
        text=True,
        timeout=10,
    ).stdout.split()
    windows = []
    for wid in found:
        out = subprocess.run(
            ["xdotool", "getwindowgeometry", "--shell", wid], capture_output=True, text=True, timeout=10
        ).stdout
        values = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
        if {"X", "Y", "WIDTH", "HEIGHT"} <= values.keys():
            rect = QRect(int(values["X"]), int(values["Y"]), int(values["WIDTH"]), int(values["HEIGHT"]))
            windows.append(XWindow(wid, rect))
    return windows
