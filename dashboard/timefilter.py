"""Year semantics shared by the map, the exports and the comparisons.

A feature or membership shows in year Y when its start year <= Y <= its end year; no end
means it is still current. Only years matter, so a membership that ended in April 1999
still shows in 1999.
"""

from __future__ import annotations

from .schema import PartialDate


def year_of(date: str | None) -> int | None:
    return None if date is None else PartialDate.parse(date).year


def active_in(start: str, end: str | None, year: int) -> bool:
    end_year = year_of(end)
    return year_of(start) <= year and (end_year is None or year <= end_year)


def active_between(start: str, end: str | None, first: int, last: int) -> bool:
    """True when the interval overlaps any year from first to last, both included."""
    if first > last:
        first, last = last, first
    end_year = year_of(end)
    return year_of(start) <= last and (end_year is None or end_year >= first)


def span_label(start: str, end: str | None) -> str:
    if end is None:
        return f"{start} – present"
    if end == start:
        return start
    return f"{start} – {end}"
