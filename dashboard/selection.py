"""Which features a view shows: by year (or a range of years), organizations and layers.

Rules, shared by the map and every export:
- A state shows when it holds a membership, of any status, in one of the selected
  organizations in the year (or range); only those memberships are kept.
- Events that name organizations show only when one of them is selected; events that
  name none always show. Garrisons belong to the CSTO's forces and show when CSTO is
  selected. Bases, pipelines, borders and disputed areas ignore the organization filter.
- Without a year, every feature and membership counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .loader import Catalog, Feature
from .schema import LAYERS, ORGS, Membership, SourceRef
from .timefilter import active_between, active_in, year_of

# When a state holds several statuses at once, the strongest one colours it.
STATUS_RANK: dict[str, int] = {
    "member": 6,
    "suspended": 5,
    "associate": 4,
    "observer": 3,
    "partner": 2,
    "assembly observer": 1,
}


@dataclass(frozen=True)
class ViewFilter:
    year: int | None = None
    until: int | None = None  # with year: the range mode "active between year and until"
    orgs: frozenset[str] | None = None  # None: every organization
    layers: frozenset[str] | None = None  # None: every layer

    @classmethod
    def make(
        cls,
        year: int | None = None,
        orgs: Iterable[str] | None = None,
        layers: Iterable[str] | None = None,
        until: int | None = None,
    ) -> ViewFilter:
        orgs = frozenset(orgs) if orgs else None
        layers = frozenset(layers) if layers else None
        unknown = (orgs or frozenset()) - set(ORGS)
        if unknown:
            raise ValueError(f"unknown organization code(s): {', '.join(sorted(unknown))}")
        unknown = (layers or frozenset()) - set(LAYERS)
        if unknown:
            raise ValueError(f"unknown layer(s): {', '.join(sorted(unknown))}")
        if until is not None and year is None:
            raise ValueError("a range needs a first year")
        return cls(year, until, orgs, layers)

    def active(self, start: str, end: str | None) -> bool:
        if self.year is None:
            return True
        if self.until is not None:
            return active_between(start, end, self.year, self.until)
        return active_in(start, end, self.year)

    def org_selected(self, org: str) -> bool:
        return self.orgs is None or org in self.orgs


def visible_memberships(state: Feature, view: ViewFilter) -> list[Membership]:
    return [m for m in state.props.memberships if view.org_selected(m.org) and view.active(m.start, m.end)]


def is_visible(feature: Feature, view: ViewFilter) -> bool:
    if view.layers is not None and feature.layer not in view.layers:
        return False
    if feature.layer == "states":
        return bool(visible_memberships(feature, view))
    if not view.active(feature.props.start, feature.props.end):
        return False
    if feature.layer == "events" and feature.props.orgs:
        return any(view.org_selected(org) for org in feature.props.orgs)
    if feature.layer == "garrisons":
        return view.org_selected("CSTO")
    return True


def visible_features(catalog: Catalog, view: ViewFilter) -> list[Feature]:
    return [f for f in catalog.features if is_visible(f, view)]


def shown_ids(catalog: Catalog, view: ViewFilter) -> tuple[str, ...]:
    """The features a map of the view draws: the visible ones, and states painted grey
    because they held a status earlier (range mode colours the last year)."""
    year = view.until if view.until is not None else view.year
    shown = {f.id for f in catalog.features if is_visible(f, view)}
    if year is not None and (view.layers is None or "states" in view.layers):
        shown |= {s.id for s in catalog.layer("states") if state_status(s, year, view.orgs) is not None}
    return tuple(sorted(shown))


def strongest_status(state: Feature, view: ViewFilter) -> str | None:
    """The strongest status the state holds in the view's organizations and years."""
    statuses = [m.status for m in visible_memberships(state, view)]
    return max(statuses, key=STATUS_RANK.__getitem__) if statuses else None


def state_status(state: Feature, year: int, orgs: frozenset[str] | None) -> str | None:
    """The strongest status the state holds in the selected organizations that year;
    'former' when it held one before but none now."""
    view = ViewFilter(year=year, orgs=orgs)
    current = strongest_status(state, view)
    if current:
        return current
    past = [
        m for m in state.props.memberships if view.org_selected(m.org) and m.end is not None and year_of(m.end) < year
    ]
    return "former" if past else None


def disputed_status(feature: Feature, year: int):
    """The disputed area's status record for the year, or None."""
    current = [s for s in feature.props.statuses if active_in(s.start, s.end, year)]
    return current[-1] if current else None


def feature_refs(feature: Feature, view: ViewFilter, year: int) -> list[SourceRef]:
    """The citations behind what the view shows of a feature: its own sources plus
    those of the memberships, statuses and lengths on display."""
    props = feature.props
    refs = list(props.sources)
    if feature.layer == "states":
        for membership in visible_memberships(feature, view):
            refs.extend(membership.sources)
    elif feature.layer == "disputed":
        for record in props.statuses:
            if active_in(record.start, record.end, year):
                refs.extend(record.sources)
    elif feature.layer == "borders":
        for length in props.published_lengths:
            refs.extend(length.sources)
    return refs
