"""At 200 % scale (and at 100 %) every window fits a 1280 x 800 laptop screen, every control in reach, no text cut.

Qt reads ``QT_SCALE_FACTOR`` when the application starts, so the windows open in a process of their own
(:mod:`scale_probe`) on this session's display, with the factor set; a 1280 x 800 screen is then 640 x 400
logical pixels. A window may scroll (a form on a short screen), but what scrolls must be in the window.
With ``KLEN_SCREENSHOTS=DIR`` the probe also writes each window as it opened, light and dark, at each scale.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from scale_probe import WINDOW_NAMES

HERE = Path(__file__).resolve().parent
SCREEN = (1280, 800)  # device pixels: Xvfb's screen in the test session, a common laptop's


def probe(scale: int) -> list[dict[str, object]]:
    if not os.environ.get("DISPLAY"):
        pytest.skip("needs the test session's X display (tests/session/session-up.sh)")
    env = dict(os.environ, QT_SCALE_FACTOR=str(scale), QT_QPA_PLATFORM="xcb")
    env["PYTHONPATH"] = os.pathsep.join((str(HERE), str(HERE.parent)))
    done = subprocess.run(
        [sys.executable, str(HERE / "scale_probe.py")], env=env, capture_output=True, text=True, timeout=90, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    results: list[dict[str, object]] = json.loads(done.stdout)
    return results


@pytest.fixture(scope="module", params=[2, 1], ids=["200%", "100%"])
def opened(request: pytest.FixtureRequest) -> tuple[int, list[dict[str, object]]]:
    return request.param, probe(request.param)


WINDOWS = list(WINDOW_NAMES)


def test_the_probe_ran_at_its_scale_on_a_1280_by_800_screen(opened: tuple[int, list[dict[str, object]]]) -> None:
    scale, results = opened
    assert [r["name"] for r in results] == WINDOWS
    for result in results:
        assert result["ratio"] == scale
        width, height = result["screen"]  # type: ignore[misc]
        assert (width * scale, height * scale) == SCREEN


@pytest.mark.parametrize("name", WINDOWS)
def test_each_window_fits_the_screen_with_everything_in_reach(
    opened: tuple[int, list[dict[str, object]]], name: str
) -> None:
    scale, results = opened
    result = next(r for r in results if r["name"] == name)
    width, height = result["size"]  # type: ignore[misc]
    pixels = (width * scale, height * scale)
    assert pixels[0] <= SCREEN[0] and pixels[1] <= SCREEN[1], f"{name} is {pixels} device pixels"
    assert result["unreachable"] == [], f"{name}: controls outside the window"
    assert result["cut_labels"] == [], f"{name}: text cut short or a control squeezed"
