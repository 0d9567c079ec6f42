"""Every user-visible text of the windows and notifications goes through the translation functions: a string
literal (or an f-string with words in it) handed straight to a Qt text setter, a widget, a notification or a
banner fails here, with its file and line. Text built elsewhere is caught by the pseudo-language run of every
window (test_translated_windows.py), which shows an unwrapped text unaccented."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "klen_desktop"
CHECKED = sorted([*(PACKAGE / "ui").rglob("*.py"), *(PACKAGE / "notify").rglob("*.py")])

# Qt methods and widgets whose string arguments the user reads (or hears, for accessible names).
TEXT_METHODS = {
    "setText", "setToolTip", "setWindowTitle", "setPlaceholderText", "setAccessibleName", "setAccessibleDescription",
    "addAction", "addMenu", "setSuffix", "setPrefix", "setTitle", "addTab", "addRow", "addItem", "addItems",
    "setStatusTip", "setWhatsThis", "setSpecialValueText", "show_message", "showMessage", "setItemText",
    "setTabText", "information", "warning", "critical", "question", "emit", "getSaveFileName", "getOpenFileName",
}  # fmt: skip
TEXT_CALLS = {
    "QLabel", "QPushButton", "QCheckBox", "QRadioButton", "QGroupBox", "QAction", "QToolButton", "QMessageBox",
    "plain_label", "Button", "Message", "BannerText", "Notice", "ErrorLabel",
}  # fmt: skip
TEXT_KEYWORDS = {"title", "body", "text", "label", "action", "second_action", "message", "tooltip"}
# Calls whose text is one positional argument among keys and ids: the index of the text.
TEXT_AT = {"Row": 1}
LOGGERS = {"log", "logger", "logging"}
# Words that are the same in every language: the product's name, a key's format, arrows.
ALLOWED = {"Klen Desktop", "Klen", "klen_…", "Smoke test: this closes by itself."}


def _words(node: ast.expr) -> str | None:
    """The literal text of ``node`` when it has letters in it (a string, or the fixed parts of an f-string)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    else:
        return None
    letters = sum(ch.isalpha() for ch in text)
    return text if letters >= 2 and text.strip() not in ALLOWED else None


def _literals(node: ast.expr) -> list[ast.expr]:
    """``node`` and the branches of a conditional expression (``"A" if x else "B"``)."""
    if isinstance(node, ast.IfExp):
        return [*_literals(node.body), *_literals(node.orelse)]
    return [node]


def unwrapped(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name not in TEXT_METHODS and name not in TEXT_CALLS and name not in TEXT_AT:
            continue
        receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
        if isinstance(receiver, ast.Name) and receiver.id in LOGGERS:
            continue  # log lines are for developers and stay English
        positional = node.args[TEXT_AT[name] : TEXT_AT[name] + 1] if name in TEXT_AT else node.args
        arguments = [*positional, *(k.value for k in node.keywords if k.arg in TEXT_KEYWORDS)]
        for argument in arguments:
            for literal in _literals(argument):
                text = _words(literal)
                if text is not None:
                    found.append(f"{path.name}:{literal.lineno}: {name}({text!r})")
    return found


@pytest.mark.parametrize("path", CHECKED, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_user_visible_literal_is_left_unwrapped(path: Path) -> None:
    assert unwrapped(path) == []


def test_the_check_finds_an_unwrapped_text(tmp_path: Path) -> None:
    sample = tmp_path / "window.py"
    sample.write_text(
        "button = QPushButton('Save')\n"
        "label.setText(f'{n} events')\n"
        "box.setToolTip(_('Wrapped'))\n"
        "self.setWindowTitle('Open' if new else _('Edit'))\n"
        "message = Message(kind=k, title='Reminder', body=_('Soon'))\n"
        "rows = [Row('open-agenda', 'Open agenda', open_agenda), Row('quit', _('Quit'), quit)]\n"
    )
    found = unwrapped(sample)
    assert [line.split(": ", 1)[1] for line in found] == [
        "QPushButton('Save')",
        "setText(' events')",
        "setWindowTitle('Open')",
        "Message('Reminder')",
        "Row('Open agenda')",
    ]
