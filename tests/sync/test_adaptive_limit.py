"""The adaptive limit of a shared key: halved on a 429, one more per clean minute, one decrease per episode."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from klen_desktop.sync.adaptive_limit import AdaptiveLimit, AimdRule

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


# Each step: ("429", at, pause seconds) or ("read", at, expected limit).
STORIES: dict[str, tuple[int, list[tuple[str, float, float]]]] = {
    "untouched stays at the configured limit": (10, [("read", 0, 10), ("read", 86_400, 10)]),
    "a 429 halves the limit at once": (10, [("429", 0, 30), ("read", 0, 5), ("read", 29, 5)]),
    "clean time counts from the end of the pause": (
        10,
        [("429", 0, 30), ("read", 89, 5), ("read", 90, 6), ("read", 149, 6), ("read", 150, 7)],
    ),
    "one more per clean period, up to the configured limit and no further": (
        10,
        [("429", 0, 0), ("read", 60 * 4, 9), ("read", 60 * 5, 10), ("read", 60 * 50, 10)],
    ),
    "repeated 429s halve down to the floor of one": (
        10,
        # a minute apart: each halves what the clean minute since the last one had raised it to
        [
            ("429", 0, 0),
            ("429", 60, 0),
            ("read", 60, 3),
            ("429", 120, 0),
            ("read", 120, 2),
            ("429", 180, 0),
            ("read", 180, 1),
            ("429", 240, 0),
            ("read", 240, 1),
        ],
    ),
    "a 429 while the pause runs is the same episode: it only moves the clean start": (
        10,
        [("429", 0, 60), ("429", 10, 60), ("read", 10, 5), ("read", 129, 5), ("read", 130, 6)],
    ),
    "429s within a period of the decrease are the same episode: the server still counts what went before": (
        10,
        [("429", 0, 2), ("429", 30, 2), ("429", 59, 0), ("read", 59, 5), ("read", 60, 5), ("read", 119, 6)],
    ),
    "a 429 while recovering halves what was reached, not the configured limit": (
        10,
        [("429", 0, 0), ("read", 180, 8), ("429", 180, 0), ("read", 180, 4), ("read", 240, 5)],
    ),
    "an odd limit rounds down": (7, [("429", 0, 0), ("read", 0, 3)]),
    "a limit of one cannot go lower": (1, [("429", 0, 60), ("read", 0, 1), ("read", 600, 1)]),
    "a clock set back keeps what was left to wait": (
        10,
        [("429", 100, 60), ("read", 0, 5), ("read", 119, 5), ("read", 120, 6)],
    ),
    "a clock set forward counts as clean time": (10, [("429", 0, 30), ("read", 86_400, 10)]),
}


@pytest.mark.parametrize("ceiling, steps", STORIES.values(), ids=STORIES.keys())
def test_aimd_story(ceiling: int, steps: list[tuple[str, float, float]]) -> None:
    limit = AdaptiveLimit(AimdRule(ceiling=ceiling))
    for n, (kind, seconds, value) in enumerate(steps):
        if kind == "429":
            limit.limited(at(seconds), at(seconds + value))
        else:
            assert limit.limit(at(seconds)) == value, f"step {n}: at {seconds} s"


@pytest.mark.parametrize(
    ("events", "now", "expected"),
    [
        ([], 0, None),
        ([(0, 30)], 0, 90),  # during the pause: one period after it ends
        ([(0, 30)], 100, 150),
        ([(0, 0)], 60 * 5 - 1, 60 * 5),  # the last step up to the ceiling
        ([(0, 0)], 60 * 5, None),
    ],
)
def test_next_increase(events: list[tuple[float, float]], now: float, expected: float | None) -> None:
    limit = AdaptiveLimit(AimdRule(ceiling=10))
    for when, pause in events:
        limit.limited(at(when), at(when + pause))
    assert limit.next_increase(at(now)) == (None if expected is None else at(expected))


def test_the_first_429_of_an_episode_reports_the_decrease() -> None:
    limit = AdaptiveLimit(AimdRule(ceiling=10))
    assert limit.limited(at(0), at(60)) is True
    assert limit.limited(at(1), at(61)) is False
    assert limit.limited(at(59), at(59)) is False, "within the period of the decrease"
    assert limit.limited(at(121), at(121)) is True


@pytest.mark.parametrize(
    "rule",
    [
        {"ceiling": 0},
        {"ceiling": 5, "floor": 6},
        {"ceiling": 5, "step": 0},
        {"ceiling": 5, "factor": 1.0},
        {"ceiling": 5, "period": 0},
    ],
)
def test_invalid_rules_are_refused(rule: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        AimdRule(**rule)  # type: ignore[arg-type]
