"""Dataclasses pickled as their values: the import's fetch process sends thousands of mapped
rows to the run (docs/import.md, "The fetch process")."""

import dataclasses
import operator


def pickled_as_values(cls: type) -> type:
    """Make instances of the dataclass ``cls`` pickle as its constructor called with its fields'
    values, in order. Several times cheaper to load than a dataclass's default state (set an
    attribute at a time, through ``object.__setattr__`` when frozen), and it follows the fields
    as they change: none is forgotten."""
    names = [field.name for field in dataclasses.fields(cls)]
    if len(names) < 2 or not all(field.init for field in dataclasses.fields(cls)):
        raise TypeError(f"{cls.__name__}: needs two or more fields, each an argument of the constructor")
    values = operator.attrgetter(*names)

    def __reduce__(self):
        return (cls, values(self))

    cls.__reduce__ = __reduce__
    return cls
