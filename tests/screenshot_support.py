"""Screenshots of real widgets for a person to look at: written only when KLEN_SCREENSHOTS=DIR is set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, "#202124"),
        (QPalette.ColorRole.WindowText, "#e8eaed"),
        (QPalette.ColorRole.Base, "#2b2c30"),
        (QPalette.ColorRole.AlternateBase, "#303134"),
        (QPalette.ColorRole.Text, "#e8eaed"),
        (QPalette.ColorRole.Button, "#303134"),
        (QPalette.ColorRole.ButtonText, "#e8eaed"),
        (QPalette.ColorRole.Highlight, "#8ab4f8"),
        (QPalette.ColorRole.HighlightedText, "#202124"),
        (QPalette.ColorRole.PlaceholderText, "#9aa0a6"),
    ):
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7f8388"))
    return palette


def grab_light_and_dark(qtbot: QtBot, widget: QWidget, name: str) -> list[Path]:
    """Render ``widget`` with the app palette and a dark one into $KLEN_SCREENSHOTS (skip when unset)."""
    folder = os.environ.get("KLEN_SCREENSHOTS")
    if not folder:
        pytest.skip("set KLEN_SCREENSHOTS=DIR to write screenshots")
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    original = app.palette()
    written = []
    try:
        for theme, palette in (("light", original), ("dark", dark_palette())):
            app.setPalette(palette)
            widget.show()
            qtbot.waitExposed(widget)
            qtbot.wait(50)
            path = out / f"{name}-{theme}.png"
            assert widget.grab().save(str(path))
            written.append(path)
    finally:
        app.setPalette(original)
    return written
