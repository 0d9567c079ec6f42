"""Frozen records: dataclasses whose comparison, hash, text and frozenness are one shared function each.

For every frozen dataclass, :mod:`dataclasses` compiles its methods from source: ``__init__``, ``__repr__``,
``__eq__``, ``__hash__``, ``__setattr__`` and ``__delattr__``, 12 to 15 KB a class on Python 3.11 (with
``slots`` the class it replaces stays alive through two of them). The app defines some 80 and loads nearly all of
them at start: about 1 MiB held for as long as a tray app runs. A record keeps the dataclass's own ``__init__``
(compiled for its fields, it is the one that runs for every value) and everything :func:`dataclasses.fields`,
:func:`dataclasses.replace` and :func:`dataclasses.asdict` read; the other five are the functions below, for every
record, each reading the fields through a getter made once per class (``operator.attrgetter``, so comparing
records stays as fast as the generated code): 5 to 6 KB a class.

They behave as the generated ones do: equal when of the same class with equal compared fields, hashed on the
fields that are hashed, shown as ``Name(field=value, ...)`` without the fields marked ``repr=False`` (an API key),
and assigning or deleting a field raises :class:`dataclasses.FrozenInstanceError`. A class that defines one of
these methods itself keeps its own.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform, overload

T = TypeVar("T", bound=type)

_Getter = Callable[[object], object]


def _getter(names: list[str]) -> _Getter:
    if not names:
        return lambda _value: ()
    return operator.attrgetter(*names)


def _eq(self: object, other: object) -> Any:  # bool, or NotImplemented for another class
    if other.__class__ is not self.__class__:
        return NotImplemented
    key: _Getter = self.__class__._record_key  # type: ignore[attr-defined]
    return self is other or key(self) == key(other)


def _hash(self: object) -> int:
    hashed: _Getter = self.__class__._record_hashed  # type: ignore[attr-defined]
    return hash(hashed(self))


def _repr(self: object) -> str:
    names: tuple[str, ...] = self.__class__._record_shown  # type: ignore[attr-defined]
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
    return f"{self.__class__.__qualname__}({shown})"


def _setattr(self: object, name: str, value: object) -> None:  # noqa: ARG001 - the signature Python calls
    raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")


def _delattr(self: object, name: str) -> None:  # noqa: ARG001 - the signature Python calls
    raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")


def _make(cls: T, slots: bool) -> T:
    # A class that defines __eq__ alone gets __hash__ = None from Python, which is not a hash of its own.
    own = {name for name in ("__eq__", "__hash__", "__repr__") if cls.__dict__.get(name) is not None}
    if not cls.__doc__:
        # dataclasses would write one from inspect.signature (the app runs with -OO, which drops every docstring).
        cls.__doc__ = cls.__qualname__
    made: Any = dataclasses.dataclass(cls, frozen=True, repr=False, eq=False, slots=slots)
    fields = dataclasses.fields(made)
    made._record_key = _getter([f.name for f in fields if f.compare])
    made._record_hashed = _getter([f.name for f in fields if (f.compare if f.hash is None else f.hash)])
    made._record_shown = tuple(f.name for f in fields if f.repr)
    made.__setattr__ = _setattr
    made.__delattr__ = _delattr
    for name, function in (("__eq__", _eq), ("__hash__", _hash), ("__repr__", _repr)):
        if name not in own:
            setattr(made, name, function)
    result: T = made
    return result


@overload
def record(cls: T, /) -> T: ...


@overload
def record(*, slots: bool = False) -> Callable[[T], T]: ...


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field, dataclasses.Field))
def record(cls: T | None = None, /, *, slots: bool = False) -> T | Callable[[T], T]:
    """``@record`` or ``@record(slots=True)``: what ``@dataclass(frozen=True[, slots=True])`` makes, lighter."""
    if cls is None:
        return lambda later: _make(later, slots)
    return _make(cls, slots)
