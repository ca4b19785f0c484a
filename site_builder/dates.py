"""Dates at the precision a source knows: a year, a month, or a day.

A record's ``date:`` is ``2024``, ``2024-05`` or ``2024-05-03``. Nothing in the site invents the parts a
record does not have: pages show "2024", "May 2024" or "May 3, 2024"; exports write only the known parts.
Outputs that need a whole timestamp (Atom feeds, the sitemap) use ``first_day``: the first day of the
known period (2024 -> 2024-01-01), a convention readers of the pages never see.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")
# BibTeX's month macros (jan ... dec), as BibTeX styles know them.
MONTH_MACROS = tuple(name[:3].lower() for name in MONTH_NAMES)
# Month words as sources write them, lower case: full names, three-letter abbreviations and "sept".
_MONTH_WORDS = {**{name.lower(): i for i, name in enumerate(MONTH_NAMES, 1)},
                **{macro: i for i, macro in enumerate(MONTH_MACROS, 1)}, "sept": 9}


def month_number(word: str) -> int | None:
    """1-12 for a month's name or abbreviation in any case (``Jan``, ``sept``, ``December``); else None."""
    return _MONTH_WORDS.get(word.strip().rstrip(".").lower())
_ISO = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A calendar date of which only the year, or the year and month, may be known."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.year <= 9999:
            raise ValueError(f"year {self.year} is out of range")
        if self.month is None:
            if self.day is not None:
                raise ValueError("a day needs a month")
            return
        if not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} is not between 1 and 12")
        if self.day is not None:
            dt.date(self.year, self.month, self.day)  # ValueError for a day the month does not have

    @classmethod
    def parse(cls, text: str) -> "PartialDate":
        """``2024``, ``2024-05`` or ``2024-05-03``; ValueError otherwise."""
        match = _ISO.fullmatch(text.strip())
        if not match:
            raise ValueError(f"date must be written YYYY, YYYY-MM or YYYY-MM-DD, not {text!r}")
        year, month, day = (int(g) if g else None for g in match.groups())
        try:
            return cls(year, month, day)
        except ValueError as exc:
            raise ValueError(f"date {text.strip()!r}: {exc}") from None

    @classmethod
    def from_value(cls, value: object) -> "PartialDate":
        """What YAML gives for a date: an int (``2024``), a date (``2024-05-03``) or text (``2024-05``)."""
        if isinstance(value, PartialDate):
            return value
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return cls(value.year, value.month, value.day)
        if isinstance(value, int) and not isinstance(value, bool):
            return cls.parse(f"{value:04d}" if 0 <= value <= 9999 else str(value))
        if isinstance(value, str):
            return cls.parse(value)
        raise ValueError(f"date must be written YYYY, YYYY-MM or YYYY-MM-DD, not {value!r}")

    @classmethod
    def of(cls, date: dt.date) -> "PartialDate":
        return cls(date.year, date.month, date.day)

    @property
    def precision(self) -> str:
        return "day" if self.day is not None else "month" if self.month is not None else "year"

    @property
    def iso(self) -> str:
        """The record's own spelling: ``2024``, ``2024-05`` or ``2024-05-03`` (also JSON-LD's)."""
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
            if self.day is not None:
                text += f"-{self.day:02d}"
        return text

    def isoformat(self) -> str:
        return self.iso

    def parts(self) -> list[int]:
        """CSL ``date-parts``: [2024], [2024, 5] or [2024, 5, 3]."""
        return [p for p in (self.year, self.month, self.day) if p is not None]

    def display(self, short: bool = False, with_day: bool = True) -> str:
        """As pages show it: ``2024``, ``May 2024`` or ``May 3, 2024`` (``short``: ``Sep 3, 2024``;
        ``with_day=False``: never the day, for compact lists)."""
        if self.month is None:
            return str(self.year)
        month = MONTH_NAMES[self.month - 1]
        if short:
            month = month[:3]
        if self.day is None or not with_day:
            return f"{month} {self.year}"
        return f"{month} {self.day}, {self.year}"

    def highwire(self) -> str:
        """Google Scholar's ``citation_publication_date``: ``2024``, ``2024/05`` or ``2024/05/03``."""
        return self.iso.replace("-", "/")

    @property
    def sort_key(self) -> tuple[int, int, int]:
        """Larger is newer. A paper known only by its year sorts after the dated papers of that year
        (and one known by its month after the days of that month) when sorting newest first."""
        return (self.year, self.month or 0, self.day or 0)

    def first_day(self) -> dt.date:
        """The first day of the known period, for outputs that need a whole date (feeds, sitemap)."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    def __str__(self) -> str:
        return self.iso
