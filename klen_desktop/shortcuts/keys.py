"""Key combinations as the settings keep them: Qt's portable text (``Ctrl+Alt+K``), read without Qt.

Only what a global shortcut can sensibly be is accepted: one key (a letter, a digit, F1 to F24, a few named and
punctuation keys) with at least one of Ctrl, Alt or Meta, except for function keys, which stand alone. A bare
letter or Shift+letter would take a character away from typing in every other application.
"""

from __future__ import annotations

import string

from klen_desktop.i18n import _
from klen_desktop.records import record

# Qt's portable names, in the order Qt writes them.
MODIFIER_ORDER = ("Ctrl", "Alt", "Shift", "Meta")
_NAMED_KEYS = {
    # Qt portable name: X keysym name (also the key name of the freedesktop shortcuts spec)
    "Space": "space",
    "Return": "Return",
    "Esc": "Escape",
    "Tab": "Tab",
    "Backspace": "BackSpace",
    "Ins": "Insert",
    "Del": "Delete",
    "Home": "Home",
    "End": "End",
    "PgUp": "Prior",
    "PgDown": "Next",
    "Left": "Left",
    "Up": "Up",
    "Right": "Right",
    "Down": "Down",
    ",": "comma",
    ".": "period",
    "/": "slash",
    ";": "semicolon",
    "'": "apostrophe",
    "[": "bracketleft",
    "]": "bracketright",
    "-": "minus",
    "=": "equal",
    "`": "grave",
    "\\": "backslash",
}
FUNCTION_KEYS = tuple(f"F{n}" for n in range(1, 25))


class KeyComboError(ValueError):
    """The text is not a key combination a global shortcut can use; the message says why, fit to show."""


@record
class KeyCombo:
    """One key with its modifiers. ``key`` is Qt's portable name: ``K``, ``7``, ``F12``, ``Space``, ``,``."""

    modifiers: frozenset[str]
    key: str

    @classmethod
    def parse(cls, text: str) -> KeyCombo:
        """Read ``Ctrl+Alt+K`` (Qt's portable text); raise :class:`KeyComboError` for anything else."""
        cleaned = text.strip()
        if not cleaned:
            raise KeyComboError(_("No key combination given."))
        if ", " in cleaned:  # Qt writes a sequence of combinations as "Ctrl+K, Ctrl+L"
            raise KeyComboError(_("A global shortcut is one key combination, not a sequence of them."))
        *mods, key = cleaned.split("+")
        unknown = [m for m in mods if m not in MODIFIER_ORDER]
        if unknown:
            raise KeyComboError(
                _("Unknown modifier {modifier}: use Ctrl, Alt, Shift or Meta.").format(modifier=repr(unknown[0]))
            )
        key = key.upper() if len(key) == 1 and key.isalpha() else key
        if not (_is_plain(key) or key in _NAMED_KEYS or key in FUNCTION_KEYS):
            raise KeyComboError(_("The key {key} cannot be used for a global shortcut.").format(key=repr(key)))
        modifiers = frozenset(mods)
        if key not in FUNCTION_KEYS and not modifiers & {"Ctrl", "Alt", "Meta"}:
            raise KeyComboError(
                _("Add Ctrl, Alt or Meta: a key alone would be taken from typing in every application.")
            )
        return cls(modifiers, key)

    def text(self) -> str:
        """Qt's portable text, modifiers in Qt's order: what the settings file holds."""
        return "+".join([m for m in MODIFIER_ORDER if m in self.modifiers] + [self.key])

    def keysym_name(self) -> str:
        """The X keysym name of the key: ``k``, ``7``, ``F12``, ``space``."""
        if _is_plain(self.key):
            return self.key.lower()
        return _NAMED_KEYS.get(self.key, self.key)

    def portal_trigger(self) -> str:
        """The trigger in the freedesktop shortcuts notation the GlobalShortcuts portal takes: ``CTRL+ALT+k``."""
        names = {"Ctrl": "CTRL", "Alt": "ALT", "Shift": "SHIFT", "Meta": "LOGO"}
        return "+".join([names[m] for m in MODIFIER_ORDER if m in self.modifiers] + [self.keysym_name()])


def _is_plain(key: str) -> bool:
    return len(key) == 1 and key in string.ascii_uppercase + string.digits


def parse_or_none(text: str) -> KeyCombo | None:
    """The combination in ``text``, or None when it is empty (the shortcut is off)."""
    return KeyCombo.parse(text) if text.strip() else None
