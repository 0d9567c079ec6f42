"""The typed slot decorator the controller's intentions are declared with."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, cast

import qasync

P = ParamSpec("P")


def intention(*types: type) -> Callable[[Callable[P, Coroutine[Any, Any, None]]], Callable[P, asyncio.Task[None]]]:
    """``qasync.asyncSlot`` with types mypy can follow: calling the slot schedules it and returns its task."""
    return cast(
        Callable[[Callable[P, Coroutine[Any, Any, None]]], Callable[P, asyncio.Task[None]]], qasync.asyncSlot(*types)
    )
