"""Year semantics shared by the map, the exports and the comparisons.

A feature or membership shows in year Y when its start year <= Y <= its end year; no end
means it is still current (and no start, which only user layers allow, means always). Only
years matter, so a membership that ended in April 1999 still shows in 1999.
"""

from __future__ import annotations

from .schema import PartialDate


def year_of(date: str | None) -> int | None:
    return None if date is None else PartialDate.parse(date).year


def years_overlap(start_year: int | None, end_year: int | None, first: int, last: int) -> bool:
    """The one rule, on parsed years: active from the start year to the end year overlaps
    first..last (UserLayer.active applies it to arrays of years)."""
    return (start_year is None or start_year <= last) and (end_year is None or end_year >= first)


def active_in(start: str | None, end: str | None, year: int) -> bool:
    return years_overlap(year_of(start), year_of(end), year, year)


def active_between(start: str | None, end: str | None, first: int, last: int) -> bool:
    """True when the interval overlaps any year from first to last, both included."""
    if first > last:
        first, last = last, first
    return years_overlap(year_of(start), year_of(end), first, last)


def span_label(start: str | None, end: str | None) -> str:
    if start is None:
        return "undated" if end is None else f"until {end}"
    if end is None:
        return f"{start} – present"
    if end == start:
        return start
    return f"{start} – {end}"
