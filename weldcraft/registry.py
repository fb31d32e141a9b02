"""Plain-dict registries behind a decorator (STYLE rule 5)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from weldcraft.errors import UserError

T = TypeVar("T")


class Registry(Generic[T]):
    """A named mapping from string keys to objects, filled by a decorator.

    >>> exporters: Registry[type] = Registry("exporter")
    >>> @exporters.register("csv")
    ... class CsvExporter: ...
    >>> exporters.get("csv") is CsvExporter
    True
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        def decorator(obj: T) -> T:
            if name in self._items:
                raise ValueError(f"duplicate {self.kind} {name!r}")
            self._items[name] = obj
            return obj

        return decorator

    def get(self, name: str) -> T:
        try:
            return self._items[name]
        except KeyError:
            raise UserError(
                f"unknown {self.kind} {name!r}; choose one of: {', '.join(sorted(self._items))}"
            ) from None

    def names(self) -> list[str]:
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._items))
