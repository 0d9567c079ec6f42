"""Which calendar a command is for, as the command line was asked (``--account`` will join these)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Where:
    demo: bool
    base_url: str
