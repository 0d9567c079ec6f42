"""Every window in German and in the pseudo-language (every message some 40 % longer and accented) at 100 % and
200 % scale: nothing cut, every control in reach, one Alt+letter per mnemonic, and no text left in English.

The windows open in a process of their own (tests/ui/scale_probe.py, the probe of test_scale_fit.py) with the
language and locale set in its environment, as a user's session would set them. ``KLEN_SCREENSHOTS=DIR`` writes
each window, light and dark, under DIR/de and DIR/qps.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

UI_TESTS = Path(__file__).resolve().parents[1] / "ui"
sys.path.insert(0, str(UI_TESTS))
from scale_probe import WINDOW_NAMES  # noqa: E402

SCREEN = (1280, 800)
LANGUAGES = {
    "de": {"LANGUAGE": "de", "LANG": "de_DE.UTF-8", "LC_ALL": "de_DE.UTF-8"},
    "qps": {"LANGUAGE": "qps", "LANG": "en_US.UTF-8", "LC_ALL": "en_US.UTF-8"},
}
# Server data the probe's windows show as it is (titles, names, places, links) and words alike in every language.
DATA = re.compile(
    r"Client meeting \d+|Ada Byron|ada@example\.com|Conference Room A|https://meet\.example/q4|Klen Desktop|"
    r"UTC[+−]?\d*|\b[A-Z][a-z]+/[A-Za-z_]+|Europe|Berlin|^Klen$|"
    r"Read-only key: this key cannot create or change events\."  # the reason the probe passes in, as the server's
)


def probe(language: str, scale: int) -> list[dict[str, object]]:
    if not os.environ.get("DISPLAY"):
        pytest.skip("needs the test session's X display (tests/session/session-up.sh)")
    env = dict(os.environ, QT_SCALE_FACTOR=str(scale), QT_QPA_PLATFORM="xcb", **LANGUAGES[language])
    env["PYTHONPATH"] = os.pathsep.join((str(UI_TESTS), str(UI_TESTS.parent)))
    if os.environ.get("KLEN_SCREENSHOTS"):
        env["KLEN_SCREENSHOTS"] = str(Path(os.environ["KLEN_SCREENSHOTS"]) / language)
    done = subprocess.run(
        [sys.executable, str(UI_TESTS / "scale_probe.py")], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    results: list[dict[str, object]] = json.loads(done.stdout)
    return results


@pytest.fixture(scope="module", params=[(lang, scale) for lang in LANGUAGES for scale in (2, 1)], ids=str)
def opened(request: pytest.FixtureRequest) -> tuple[str, int, list[dict[str, object]]]:
    language, scale = request.param
    return language, scale, probe(language, scale)


@pytest.mark.parametrize("name", WINDOW_NAMES)
def test_each_translated_window_fits_with_nothing_cut(
    opened: tuple[str, int, list[dict[str, object]]], name: str
) -> None:
    language, scale, results = opened
    result = next(r for r in results if r["name"] == name)
    width, height = result["size"]  # type: ignore[misc]
    assert width * scale <= SCREEN[0] and height * scale <= SCREEN[1], f"{name} in {language} is too big"
    assert result["unreachable"] == [], f"{name} in {language}: controls outside the window"
    assert result["cut_labels"] == [], f"{name} in {language}: text cut short or a control squeezed"


@pytest.mark.parametrize("name", WINDOW_NAMES)
def test_each_mnemonic_is_one_key_of_its_window(opened: tuple[str, int, list[dict[str, object]]], name: str) -> None:
    language, _scale, results = opened
    result = next(r for r in results if r["name"] == name)
    twice = [key for key, count in Counter(result["mnemonics"]).items() if count > 1]  # type: ignore[arg-type]
    assert twice == [], f"{name} in {language}: Alt+{twice} reaches more than one control"


# Qt's own standard buttons: Qt's catalog translates them (German), the pseudo-language has none of its own.
QT_OWN = {"Close", "OK", "Cancel", "Save", "Yes", "No", "Discard", "Apply"}


def untranslated(texts: list[str]) -> list[str]:
    """The texts that read as the English source under the pseudo-language: ASCII words, no pseudo accents."""
    left = []
    for text in texts:
        if text.replace("&", "") in QT_OWN:
            continue
        rest = DATA.sub("", re.sub(r"<[^<>]*>", "", text))  # markup (a link's tag) is not text
        if re.search(r"[A-Za-z]{2,}", rest) and not re.search(
            r"[àƀçđéƒĝĥîĵķĺɱñöþʠŕšţûṽŵẋýžÀƁÇĐÉƑĜĤÎĴĶĹṀÑÖÞǪŔŠŢÛṼŴẊÝŽ~]", rest
        ):
            left.append(text)
    return left


def test_no_window_shows_an_untranslated_text() -> None:
    left = {r["name"]: untranslated(r["texts"]) for r in probe("qps", 1)}  # type: ignore[arg-type]
    assert {name: texts for name, texts in left.items() if texts} == {}, "texts not through the translation functions"


def test_qt_own_buttons_speak_german_too() -> None:
    settings = next(r for r in probe("de", 1) if r["name"] == "settings-general")
    assert "Schließen" in [t.replace("&", "") for t in settings["texts"]]  # type: ignore[union-attr]
    assert not QT_OWN & {t.replace("&", "") for t in settings["texts"]}  # type: ignore[union-attr]
