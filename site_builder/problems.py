"""Problems found in user input: collected, never raised, reported together.

Every stage (parser, record loader, config loader, builder) returns the
problems it found next to its result, so one bad entry never hides the
others. A problem prints as ``path:line: message``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int | None
    message: str
    severity: str = ERROR

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        prefix = "warning: " if self.severity == WARNING else ""
        return f"{where}: {prefix}{self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


def error(path: str, line: int | None, message: str) -> Problem:
    return Problem(str(path), line, message, ERROR)


def warning(path: str, line: int | None, message: str) -> Problem:
    return Problem(str(path), line, message, WARNING)


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.is_error for p in problems)


class ParseError(Exception):
    """A text that cannot be read, at a line (1-based; None when unknown): bad YAML, a record file that is not
    ``---`` front matter ``---`` body. Readers raise it; their callers report it as a Problem at the file's path."""

    def __init__(self, line: int | None, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


class UserError(Exception):
    """A mistake in the user's input or command line: printed without a traceback.

    ``path``: the file or folder the message is about, when it is not in the message's problems."""

    def __init__(self, message: str, problems: tuple[Problem, ...] = (), path: str | None = None):
        super().__init__(message)
        self.problems = problems
        self.path = path

    def as_problems(self) -> tuple[Problem, ...]:
        """The problems to show: those given, else the message itself at its path."""
        return self.problems or (error(self.path or "site-builder", None, str(self)),)
