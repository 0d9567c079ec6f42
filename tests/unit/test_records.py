"""Records behave as the frozen dataclasses they replace, with one shared function for each generated method."""

from __future__ import annotations

import dataclasses
import gc
import weakref
from dataclasses import field

import pytest

from klen_desktop.records import record


@record
class Point:
    x: int
    y: int = 0


@dataclasses.dataclass(frozen=True)
class DataPoint:
    x: int
    y: int = 0


@record(slots=True)
class Slotted:
    name: str
    tags: tuple[str, ...] = ()


@record
class Secret:
    user: str
    key: str = field(repr=False)
    note: str = field(default="", compare=False)


@record
class Other:
    x: int
    y: int = 0


@record
class Named:
    value: int

    def __repr__(self) -> str:
        return f"<{self.value}>"


@record
class Empty:
    pass


def test_equal_and_hashed_as_the_dataclass_is() -> None:
    assert Point(1, 2) == Point(1, 2) and Point(1, 2) != Point(2, 1)
    assert hash(Point(1, 2)) == hash(Point(1, 2))
    assert {Point(1, 2), Point(1, 2), Point(3)} == {Point(1, 2), Point(3)}
    assert Point(1, 2) != Other(1, 2)  # another class with the same fields, as dataclasses has it
    assert Point(1, 2) != DataPoint(1, 2)
    assert (Point(1) == 1) is False
    assert Empty() == Empty() and hash(Empty()) == hash(Empty())


def test_fields_left_out_of_comparison_are_left_out_of_the_hash_too() -> None:
    assert Secret("a", "k1", note="x") == Secret("a", "k1", note="y")
    assert hash(Secret("a", "k1", note="x")) == hash(Secret("a", "k1", note="y"))
    assert Secret("a", "k1") != Secret("a", "k2")


def test_shown_as_the_dataclass_is_without_fields_marked_not_to_be() -> None:
    assert repr(Point(1, 2)) == repr(DataPoint(1, 2)).replace("DataPoint", "Point")
    assert repr(Secret("ann", "klen_live_secret")) == "Secret(user='ann', note='')"
    assert "klen_live_secret" not in str(Secret("ann", "klen_live_secret"))
    assert repr(Named(3)) == "<3>"  # a class's own method is kept


def test_frozen_fields_and_slots() -> None:
    point = Point(1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del point.x  # type: ignore[misc]
    slotted = Slotted("a")
    assert not hasattr(slotted, "__dict__")
    with pytest.raises(dataclasses.FrozenInstanceError):
        slotted.name = "b"  # type: ignore[misc]


def test_the_dataclass_functions_work_on_records() -> None:
    assert dataclasses.is_dataclass(Point)
    assert [f.name for f in dataclasses.fields(Slotted)] == ["name", "tags"]
    assert dataclasses.replace(Slotted("a", ("x",)), name="b") == Slotted("b", ("x",))
    assert dataclasses.asdict(Point(1, 2)) == {"x": 1, "y": 2}
    assert Point.__match_args__ == ("x", "y")


def test_every_record_shares_one_function_for_each_method_but_init() -> None:
    for name in ("__eq__", "__hash__", "__setattr__", "__delattr__"):
        assert getattr(Point, name) is getattr(Slotted, name) is getattr(Secret, name)
    assert Point.__repr__ is Slotted.__repr__
    assert Point.__init__ is not Other.__init__  # compiled for its own fields: the one that runs for every value


def test_a_slotted_record_lets_go_of_the_class_it_replaced() -> None:
    # dataclasses' own frozen __setattr__ kept the first class alive through its closure.
    def make() -> tuple[type, weakref.ref[type]]:
        class Draft:
            a: int

        first = weakref.ref(Draft)
        return record(slots=True)(Draft), first

    made, first = make()
    gc.collect()
    assert first() is None
    assert made(1).a == 1
