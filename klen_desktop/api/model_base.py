"""The base of the API's value types: frozen, slotted records read field by field with the readers.

Why not a validation library: the app holds thousands of events for its whole life, and reading them is its
start-up's longest import. A slotted record of a dozen fields costs a third of the memory of a pydantic model,
and this module imports in a millisecond where pydantic took some 80 ms and 9 MiB before the first event.

A model declares its fields with :func:`spec`: the reader of the value, the default (a field without one is
required) and whether it is *lenient*: an optional field whose unreadable value falls back to its default, so
that a bad phone number never hides a meeting. Construction reads every field given (``EventPatch(status=...)``
checks the status as ``model_validate`` does); :meth:`ApiModel.model_copy` takes values as they are.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any, ClassVar, Literal, Self, dataclass_transform

from klen_desktop.api.readers import Reader, Unreadable

_MISSING: Any = object()


class FieldSpec:
    """How one field is read, defaulted and written out."""

    __slots__ = ("default", "dump", "lenient", "reader")

    def __init__(self, reader: Reader, default: Any, lenient: bool, dump: Callable[[Any], Any] | None) -> None:
        self.reader = reader
        self.default = default
        self.lenient = lenient
        self.dump = dump

    @property
    def required(self) -> bool:
        return self.default is _MISSING


def spec(
    reader: Reader, *, default: Any = _MISSING, lenient: bool = False, dump: Callable[[Any], Any] | None = None
) -> Any:
    """Declare a field: ``name: int = spec(integer())``. ``lenient`` needs a default to fall back to."""
    if lenient and default is _MISSING:
        raise TypeError("a lenient field needs a default")
    return FieldSpec(reader, default, lenient, dump)


@dataclass_transform(kw_only_default=True, frozen_default=True, field_specifiers=(spec,))
class _ModelMeta(type):
    """Turns the ``spec`` class attributes into ``__slots__`` and a table of fields (parents' first)."""

    def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any]) -> _ModelMeta:
        own = {key: value for key, value in namespace.items() if isinstance(value, FieldSpec)}
        inherited: dict[str, FieldSpec] = {}
        for base in reversed(bases):
            inherited.update(getattr(base, "_specs", {}))
        for key in own:
            del namespace[key]
        declared = tuple(namespace.get("__slots__", ()))
        namespace["__slots__"] = declared + tuple(key for key in own if key not in inherited)
        cls = super().__new__(mcs, name, bases, namespace)
        specs = {**inherited, **own}
        cls._specs = specs  # type: ignore[attr-defined]
        cls.model_fields = specs  # type: ignore[attr-defined]
        return cls


class ApiModel(metaclass=_ModelMeta):
    """A frozen record of the API. Equal when of the same class with equal fields; hashable."""

    __slots__ = ("__weakref__", "_fields_set")  # weak: the store shares one summary per stored text
    _specs: ClassVar[dict[str, FieldSpec]]
    model_fields: ClassVar[Mapping[str, FieldSpec]]

    def __init__(self, **values: Any) -> None:
        unknown = values.keys() - self._specs.keys()
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {', '.join(sorted(unknown))}")
        self._fill(values)

    def _fill(self, values: Mapping[str, object]) -> None:
        for name, field in self._specs.items():
            raw = values.get(name, _MISSING)
            if raw is _MISSING:
                if field.required:
                    raise Unreadable("is missing", (name,), missing=True)
                value = field.default
            else:
                try:
                    value = field.reader(raw)
                except Unreadable as exc:
                    if not field.lenient:
                        raise exc.at(name) from None
                    value = field.default
                except (ValueError, TypeError, OverflowError, RecursionError) as exc:
                    if not field.lenient:
                        raise Unreadable(f"{type(exc).__name__}: {exc}"[:200], (name,)) from None
                    value = field.default
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_fields_set", frozenset(values) if self._prepare_keeps_set() else None)

    @classmethod
    def _prepare_keeps_set(cls) -> bool:
        """Whether instances remember which fields were given (only partial updates need it)."""
        return False

    @classmethod
    def _prepare(cls, data: Mapping[str, object]) -> Mapping[str, object]:
        """A whole-object step before the fields are read (a listing sets its unreadable items aside)."""
        return data

    # -- reading -------------------------------------------------------------------------------------------------
    @classmethod
    def model_validate(cls, data: object) -> Self:
        """Read server data (a mapping) into this model; raises :class:`Unreadable` naming the field."""
        if isinstance(data, cls):
            return data
        if not isinstance(data, Mapping):
            raise Unreadable("should be an object")
        instance = cls.__new__(cls)
        instance._fill(cls._prepare(data))
        return instance

    @classmethod
    def model_validate_json(cls, text: str | bytes) -> Self:
        try:
            data = json.loads(text)
        except RecursionError:
            raise Unreadable("is nested too deeply") from None
        return cls.model_validate(data)

    # -- writing -------------------------------------------------------------------------------------------------
    def model_dump(
        self,
        *,
        mode: Literal["python", "json"] = "python",
        include: Collection[str] | None = None,
        exclude_none: bool = False,
        exclude_unset: bool = False,
    ) -> dict[str, Any]:
        """The fields as a dict; ``mode="json"`` gives JSON-ready values (text times, enum values, lists)."""
        out: dict[str, Any] = {}
        given = _given(self) if exclude_unset else None
        for name, field in self._specs.items():
            if include is not None and name not in include:
                continue
            if given is not None and name not in given:
                continue
            value = getattr(self, name)
            if value is None and exclude_none:
                continue
            out[name] = _dumped(value, field, mode, exclude_none)
        return out

    def model_dump_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))

    def model_copy(self, *, update: Mapping[str, Any] | None = None) -> Self:
        """A copy with ``update`` applied as given (not read again: callers pass typed values)."""
        copy = object.__new__(type(self))
        for name in self._specs:
            object.__setattr__(copy, name, getattr(self, name))
        given = _given(self)
        for name, value in (update or {}).items():
            if name not in self._specs:
                raise TypeError(f"{type(self).__name__} has no field {name}")
            object.__setattr__(copy, name, value)
        if given is not None and update:
            given = given | update.keys()
        object.__setattr__(copy, "_fields_set", given)
        return copy

    @property
    def model_fields_set(self) -> frozenset[str]:
        given = _given(self)
        return given if given is not None else frozenset(self._specs)

    # -- value semantics -------------------------------------------------------------------------------------------
    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self._specs)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, ApiModel)
        return self is other or self._values() == other._values()

    def __hash__(self) -> int:
        return hash((type(self), self._values()))

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._specs)
        return f"{type(self).__name__}({fields})"

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: use model_copy(update=...)")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")


def _given(model: ApiModel) -> frozenset[str] | None:
    """The fields a partial update was given, or None for models that do not keep them.

    Read through ``object`` because the slot is no field: declaring it would make it one to type checkers.
    """
    given: frozenset[str] | None = object.__getattribute__(model, "_fields_set")
    return given


def _dumped(value: object, field: FieldSpec | None, mode: str, exclude_none: bool) -> Any:
    if value is None:
        return None
    if field is not None and field.dump is not None:
        return field.dump(value)
    if isinstance(value, ApiModel):
        return value.model_dump(mode="json" if mode == "json" else "python", exclude_none=exclude_none)
    if isinstance(value, tuple | list):
        items = [_dumped(item, None, mode, exclude_none) for item in value]
        return items if mode == "json" else tuple(items)
    if mode != "json":
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
