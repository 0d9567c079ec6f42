"""What a reminder can be snoozed for: a few minutes, or until its event starts."""

from __future__ import annotations

from typing import Literal

SNOOZE_MINUTES = (5, 10, 15)
UNTIL_START: Literal["until_start"] = "until_start"
SnoozeChoice = int | Literal["until_start"]
