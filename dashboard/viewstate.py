"""The dashboard's shareable state: parsed from and written to the URL's query string.

Bad values never fail: they fall back to defaults and come back as notes to show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .regions import DEFAULT_REGION, REGIONS
from .schema import LAYERS, ORGS

FIRST_YEAR = 1991
DEFAULT_ORGS: tuple[str, ...] = ("CSTO",)


@dataclass
class DashboardState:
    year: int
    orgs: list[str] = field(default_factory=lambda: list(DEFAULT_ORGS))
    layers: list[str] = field(default_factory=lambda: list(LAYERS))
    feature: str | None = None
    range: tuple[int, int] | None = None
    compare: int | None = None
    region: str = DEFAULT_REGION

    def to_query(self) -> dict[str, str]:
        query = {"year": str(self.year), "orgs": ",".join(self.orgs), "layers": ",".join(self.layers)}
        if self.feature:
            query["feature"] = self.feature
        if self.range:
            query["range"] = f"{self.range[0]}-{self.range[1]}"
        if self.compare is not None:
            query["compare"] = str(self.compare)
        if self.region != DEFAULT_REGION:
            query["region"] = self.region
        return query


def _year(text: str, last_year: int) -> int | None:
    try:
        value = int(text)
    except ValueError:
        return None
    return value if FIRST_YEAR <= value <= last_year else None


def _codes(text: str, allowed) -> tuple[list[str], list[str]]:
    items = [item.strip() for item in text.split(",") if item.strip()]
    good = [item for item in items if item in allowed]
    return list(dict.fromkeys(good)), [item for item in items if item not in allowed]


def parse_query(params: Mapping[str, str], last_year: int, known_ids: set[str]) -> tuple[DashboardState, list[str]]:
    state = DashboardState(year=last_year)
    notes: list[str] = []
    if "year" in params:
        year = _year(params["year"], last_year)
        if year is None:
            notes.append(f"year {params['year']!r} is not a year from {FIRST_YEAR} to {last_year}; showing {last_year}")
        else:
            state.year = year
    for key, allowed in (("orgs", ORGS), ("layers", LAYERS)):
        if key not in params:
            continue
        good, bad = _codes(params[key], allowed)
        if bad:
            notes.append(f"unknown {key} ignored: {', '.join(bad)}")
        if good or not bad:
            setattr(state, key, good)
    if "feature" in params:
        if params["feature"] in known_ids:
            state.feature = params["feature"]
        else:
            notes.append(f"feature {params['feature']!r} not found")
    if "range" in params:
        first, _, last = params["range"].partition("-")
        years = (_year(first, last_year), _year(last, last_year))
        if None in years or years[0] > years[1]:
            notes.append(
                f"range {params['range']!r} is not 'A-B' with {FIRST_YEAR} <= A <= B <= {last_year}; range mode off"
            )
        else:
            state.range = (years[0], years[1])
    if "region" in params:
        if params["region"] in REGIONS:
            state.region = params["region"]
        else:
            notes.append(f"region {params['region']!r} is not one of {', '.join(REGIONS)}; showing the whole region")
    if "compare" in params:
        compare = _year(params["compare"], last_year)
        if compare is None:
            notes.append(
                f"compare year {params['compare']!r} is not a year from {FIRST_YEAR} to {last_year}; comparison off"
            )
        else:
            state.compare = compare
    return state, notes
