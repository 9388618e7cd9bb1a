"""config.pickling: dataclasses pickled as their values."""

import pickle
from dataclasses import dataclass, field

import pytest

from config.pickling import pickled_as_values


@pickled_as_values
@dataclass(frozen=True)
class Frozen:
    a: str
    b: int = 0


@pickled_as_values
@dataclass(slots=True)
class Slotted:
    a: str
    items: list = field(default_factory=list)
    c: float = 1.5


def test_every_field_comes_back_in_its_place():
    for value in (Frozen("x", 2), Slotted("y", [Frozen("z")], 2.5)):
        copy = pickle.loads(pickle.dumps(value))
        assert copy == value and type(copy) is type(value)
    assert Frozen("x", 2).__reduce__() == (Frozen, ("x", 2))  # the constructor and the values


def test_a_field_the_constructor_does_not_take_is_refused():
    with pytest.raises(TypeError, match="argument of the constructor"):

        @pickled_as_values
        @dataclass
        class Derived:
            a: str
            b: str = field(init=False, default="")
