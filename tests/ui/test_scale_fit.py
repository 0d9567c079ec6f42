"""At 200 % scale every window fits a 1280 x 800 laptop screen, with every control in reach and no label cut.

Qt reads ``QT_SCALE_FACTOR`` when the application starts, so the windows open in a process of their own
(:mod:`scale_probe`) on this session's display, with the factor set; a 1280 x 800 screen is then 640 x 400
logical pixels. A window may scroll (a form on a short screen), but what scrolls must be in the window.
With ``KLEN_SCREENSHOTS=DIR`` the probe also writes each window as it opened, light and dark, at 200 %.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SCREEN = (1280, 800)  # device pixels: Xvfb's screen in the test session, a common laptop's


@pytest.fixture(scope="module")
def at_200_percent() -> list[dict[str, object]]:
    if not os.environ.get("DISPLAY"):
        pytest.skip("needs the test session's X display (tests/session/session-up.sh)")
    env = dict(
        os.environ,
        QT_SCALE_FACTOR="2",
        QT_QPA_PLATFORM="xcb",
        PYTHONPATH=os.pathsep.join((str(HERE), str(HERE.parent))),
    )
    done = subprocess.run(
        [sys.executable, str(HERE / "scale_probe.py")], env=env, capture_output=True, text=True, timeout=90, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    results: list[dict[str, object]] = json.loads(done.stdout)
    return results


WINDOWS = [
    "agenda",
    "editor-new",
    "editor-edit",
    "settings-general",
    "settings-account",
    "slot-finder",
    "reminder-card",
    "starting-now",
]


def window(results: list[dict[str, object]], name: str) -> dict[str, object]:
    return next(r for r in results if r["name"] == name)


def test_the_probe_ran_at_200_percent_on_a_1280_by_800_screen(at_200_percent: list[dict[str, object]]) -> None:
    assert [r["name"] for r in at_200_percent] == WINDOWS
    for result in at_200_percent:
        assert result["ratio"] == 2.0
        width, height = result["screen"]  # type: ignore[misc]
        assert (width * 2, height * 2) == SCREEN


@pytest.mark.parametrize("name", WINDOWS)
def test_each_window_fits_the_screen_with_everything_in_reach(
    at_200_percent: list[dict[str, object]], name: str
) -> None:
    result = window(at_200_percent, name)
    width, height = result["size"]  # type: ignore[misc]
    assert width * 2 <= SCREEN[0] and height * 2 <= SCREEN[1], f"{name} is {width * 2} x {height * 2} device pixels"
    assert result["unreachable"] == [], f"{name}: controls outside the window"
    assert result["cut_labels"] == [], f"{name}: text cut short or a control squeezed"
