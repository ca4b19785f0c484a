"""What a page asks of its paper many times, made once: a memo of the last few objects asked about.

A paper page wants the abstract's plain text seven times (meta descriptions, JSON-LD) and the paper's entry
type, DOI and arXiv id in each of its five citation formats; a list item asks for its venue twice and for its
buttons three times. The build renders one paper's pages after another, so remembering the last few
objects is enough, and no value is kept per paper for the whole build (memory grows with the site; this
does not).

An entry is found by the object's identity and holds the object, so its id cannot be reused by another
object while the entry lives; the other arguments are compared by equality. Only for pure functions of
immutable objects (a ``Paper``, its ``record``, a rendered abstract).
"""
from __future__ import annotations

from typing import Any, Callable

SIZE = 4


class Recent:
    """``func(obj, *args)`` remembered for the last ``size`` calls (see the module's docstring)."""

    __slots__ = ("func", "entries", "next", "last", "__wrapped__")

    def __init__(self, func: Callable[..., Any], size: int = SIZE):
        self.func = func
        self.entries: list[tuple[Any, tuple, Any] | None] = [None] * size
        self.next = 0
        self.last: tuple[Any, tuple, Any] = _NONE  # the entry found or made last: most calls ask for it again
        self.__wrapped__ = func  # its docstring, for help() and readers

    def __call__(self, obj: Any, *args: Any) -> Any:
        last = self.last
        if last[0] is obj and last[1] == args:
            return last[2]
        for entry in self.entries:
            if entry is not None and entry[0] is obj and entry[1] == args:
                self.last = entry
                return entry[2]
        value = self.func(obj, *args)
        n = self.next
        self.entries[n] = self.last = (obj, args, value)
        self.next = (n + 1) % len(self.entries)
        return value

    def clear(self) -> None:
        self.entries = [None] * len(self.entries)
        self.last = _NONE


_NONE = (object(), (), None)  # an entry no call matches


def recent(func: Callable[..., Any]) -> Recent:
    """Decorator: ``Recent(func)``."""
    return Recent(func)
