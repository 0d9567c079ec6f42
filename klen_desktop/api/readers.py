"""Readers of single JSON values: each turns what the server sent into one typed Python value or raises.

A reader is a plain function ``(object) -> T`` that raises :class:`Unreadable` with a short, plain reason.
They are lenient the way a JSON API's clients usually are (``"30"`` is the integer 30, ``"yes"`` is true, a
number of seconds is a time) and strict where leniency would invent data (``30.5`` is no integer, a string is
never read from a number, a naive time is refused). :mod:`klen_desktop.api.model_base` builds the models from them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any, TypeVar

T = TypeVar("T")
E = TypeVar("E", bound=Enum)

Reader = Callable[[Any], Any]

# Above this, a number of seconds since 1970 is read as milliseconds (the year 2603 in seconds).
_MILLISECONDS_FROM = 2e10
_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"0", "off", "f", "false", "n", "no"})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Digits of an integer given as text: more than a 64-bit id needs is not a number the API sends.
_MAX_DIGITS = 40


class Unreadable(ValueError):
    """A value that cannot be read as the field's type. ``missing`` tells a required field that was absent."""

    def __init__(self, reason: str, loc: tuple[str | int, ...] = (), *, missing: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.loc = loc
        self.missing = missing

    def at(self, *outer: str | int) -> Unreadable:
        """The same problem, located inside ``outer`` (a field name, a list index)."""
        return Unreadable(self.reason, (*outer, *self.loc), missing=self.missing)

    @property
    def field(self) -> str:
        return ".".join(str(part) for part in self.loc)

    def __str__(self) -> str:
        where = self.field
        return f"{where}: {self.reason}" if where else self.reason


class IntegerTooLarge:
    """Where the server sent an integer beyond 64 bits (the JSON decoder's stand-in): no number at all, so the
    field that reads it refuses it as that field's problem (one event set aside), and a field the app does not
    read costs nothing. Refusing the whole answer instead would let one unknown extra field stop every sync."""

    __slots__ = ("digits",)

    def __init__(self, digits: int) -> None:
        self.digits = digits

    def __repr__(self) -> str:
        return f"<integer of {self.digits} digits, beyond 64 bits>"


def integer(lo: int | None = None, hi: int | None = None) -> Callable[[object], int]:
    """An integer, from an integer, integral float or integer text; within ``[lo, hi]`` when given."""

    def read(value: object) -> int:
        number = _integer(value)
        if lo is not None and number < lo:
            raise Unreadable(f"should be at least {lo}")
        if hi is not None and number > hi:
            raise Unreadable(f"should be at most {hi}")
        return number

    return read


def _integer(value: object) -> int:
    if isinstance(value, IntegerTooLarge):
        raise Unreadable("is beyond 64 bits")
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return int(value)
        raise Unreadable("should be a whole number")
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(".0"):
            text = text[:-2]
        digits = text[1:] if text[:1] in "+-" else text
        if digits.isascii() and digits.isdigit() and len(digits) <= _MAX_DIGITS:
            return int(text)
    raise Unreadable("should be a whole number")


def text(value: object) -> str:
    if isinstance(value, str):
        return value
    raise Unreadable("should be text")


def flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        folded = value.strip().lower()
        if folded in _TRUE:
            return True
        if folded in _FALSE:
            return False
    raise Unreadable("should be true or false")


def moment(value: object) -> datetime:
    """A point in time: ISO 8601 text (``Z`` or an offset; naive times are read as they are, for the model's
    own check to refuse), a ``datetime``, or seconds (milliseconds when huge) since 1970 as a number or text."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        stripped = value.strip()
        try:
            return _seconds(float(stripped)) if _looks_numeric(stripped) else _iso_datetime(stripped)
        except (ValueError, OverflowError):
            raise Unreadable("should be a date and time (ISO 8601)") from None
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return _seconds(float(value))
        except (ValueError, OverflowError):
            raise Unreadable("should be a date and time") from None
    raise Unreadable("should be a date and time (ISO 8601)")


def _looks_numeric(value: str) -> bool:
    return bool(value) and value.lstrip("+-").replace(".", "", 1).isdigit()


def _seconds(number: float) -> datetime:
    if not math.isfinite(number):
        raise ValueError("not a finite number")
    if abs(number) > _MILLISECONDS_FROM:
        number /= 1000
    return _EPOCH + timedelta(seconds=number)


def _iso_datetime(value: str) -> datetime:
    if len(value) > 64:
        raise ValueError("too long")
    if len(value) > 10 and value[10] == " ":
        value = f"{value[:10]}T{value[11:]}"
    head, dot, tail = value.partition(".")
    if dot:  # Python reads at most microseconds: cut nanoseconds and keep any zone after them
        digits = len(tail) - len(tail.lstrip("0123456789"))
        if digits > 6:
            tail = tail[:6] + tail[digits:]
        value = f"{head}.{tail}"
    return datetime.fromisoformat(value)


def day(value: object) -> date:
    """A calendar date: ``YYYY-MM-DD`` text, a ``date``, or a midnight date-time."""
    if isinstance(value, datetime):
        return _midnight(value)
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        stripped = value.strip()
        try:
            if len(stripped) == 10:
                return date.fromisoformat(stripped)
            return _midnight(_iso_datetime(stripped))
        except ValueError:
            pass
    raise Unreadable("should be a date (YYYY-MM-DD)")


def _midnight(value: datetime) -> date:
    if value.time() != datetime.min.time():
        raise Unreadable("should be a date, not a date and time")
    return value.date()


def choice(kind: type[E]) -> Callable[[object], E]:
    """A member of the enum ``kind`` from its value (open enums keep values they do not know)."""

    def read(value: object) -> E:
        if isinstance(value, kind):
            return value
        if isinstance(value, str):
            try:
                return kind(value)
            except ValueError:
                pass
        raise Unreadable(f"should be one of {', '.join(str(m.value) for m in kind)}")

    return read


def optional(reader: Callable[[object], T]) -> Callable[[object], T | None]:
    def read(value: object) -> T | None:
        return None if value is None else reader(value)

    return read


def items(reader: Callable[[object], T]) -> Callable[[object], tuple[T, ...]]:
    """A JSON list (or tuple) of values of one reader, as a tuple; a bad item names its index."""

    def read(value: object) -> tuple[T, ...]:
        if not isinstance(value, list | tuple):
            raise Unreadable("should be a list")
        out: list[T] = []
        for index, item in enumerate(value):
            try:
                out.append(reader(item))
            except Unreadable as exc:
                raise exc.at(index) from None
        return tuple(out)

    return read


def checked(reader: Callable[[object], T], check: Callable[[T], T]) -> Callable[[object], T]:
    """``reader`` followed by a rule of the field (``check`` raises ``ValueError`` with a plain reason)."""

    def read(value: object) -> T:
        result = reader(value)
        try:
            return check(result)
        except Unreadable:
            raise
        except (ValueError, OverflowError) as exc:
            raise Unreadable(str(exc)) from None

    return read


def mapping(value: object) -> Mapping[str, object]:
    if isinstance(value, Mapping):
        return value
    raise Unreadable("should be an object")
