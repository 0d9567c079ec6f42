"""Key combinations read from the settings, and the backend chosen per platform and session."""

from __future__ import annotations

import pytest

from klen_desktop.shortcuts.chooser import backend_kind
from klen_desktop.shortcuts.keys import KeyCombo, KeyComboError
from klen_desktop.shortcuts.macos import CMD_KEY, CONTROL_KEY, OPTION_KEY, carbon_key
from klen_desktop.shortcuts.windows import MOD_ALT, MOD_CONTROL, MOD_NOREPEAT, MOD_WIN, virtual_key


@pytest.mark.parametrize(
    ("text", "canonical", "keysym", "trigger"),
    [
        ("Ctrl+Alt+K", "Ctrl+Alt+K", "k", "CTRL+ALT+k"),
        ("Alt+Ctrl+k", "Ctrl+Alt+K", "k", "CTRL+ALT+k"),
        ("Meta+Shift+F12", "Shift+Meta+F12", "F12", "SHIFT+LOGO+F12"),
        ("F9", "F9", "F9", "F9"),
        ("Ctrl+Space", "Ctrl+Space", "space", "CTRL+space"),
        ("Ctrl+Alt+,", "Ctrl+Alt+,", "comma", "CTRL+ALT+comma"),
        ("Ctrl+PgDown", "Ctrl+PgDown", "Next", "CTRL+Next"),
    ],
)
def test_combinations_read_and_written(text: str, canonical: str, keysym: str, trigger: str) -> None:
    combo = KeyCombo.parse(text)
    assert (combo.text(), combo.keysym_name(), combo.portal_trigger()) == (canonical, keysym, trigger)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "No key combination"),
        ("K", "Add Ctrl, Alt or Meta"),
        ("Shift+K", "Add Ctrl, Alt or Meta"),
        ("Hyper+K", "Unknown modifier"),
        ("Ctrl+K, Ctrl+L", "not a sequence"),
        ("Ctrl+Media Play", "cannot be used"),
        ("Ctrl++", "Unknown modifier"),
    ],
)
def test_what_cannot_be_a_global_shortcut_is_explained(text: str, why: str) -> None:
    with pytest.raises(KeyComboError, match=why):
        KeyCombo.parse(text)


def test_platform_key_codes() -> None:
    assert virtual_key(KeyCombo.parse("Ctrl+Alt+K")) == (MOD_NOREPEAT | MOD_CONTROL | MOD_ALT, ord("K"))
    assert virtual_key(KeyCombo.parse("Meta+F12")) == (MOD_NOREPEAT | MOD_WIN, 0x7B)
    assert virtual_key(KeyCombo.parse("Ctrl+/")) == (MOD_NOREPEAT | MOD_CONTROL, 0xBF)
    # Qt's Ctrl is the Command key on a Mac, its Meta the Control key.
    assert carbon_key(KeyCombo.parse("Ctrl+Alt+K")) == (CMD_KEY | OPTION_KEY, 0x28)
    assert carbon_key(KeyCombo.parse("Meta+A")) == (CONTROL_KEY, 0x00)
    assert carbon_key(KeyCombo.parse("F21")) is None


@pytest.mark.parametrize(
    ("platform", "env", "kind"),
    [
        ("win32", {}, "windows"),
        ("darwin", {}, "macos"),
        ("linux", {"DISPLAY": ":0", "XDG_SESSION_TYPE": "x11"}, "x11"),
        ("linux", {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, "portal"),  # XWayland: a grab sees no keys
        ("linux", {"XDG_SESSION_TYPE": "wayland", "DBUS_SESSION_BUS_ADDRESS": "unix:path=/x"}, "portal"),
        ("linux", {}, "none"),
    ],
)
def test_the_backend_fits_the_session(platform: str, env: dict[str, str], kind: str) -> None:
    assert backend_kind(platform, env) == kind
