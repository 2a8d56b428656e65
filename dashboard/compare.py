"""What changed between two years: memberships, bases, garrisons, pipelines and events.

Pure (no streamlit): the app, the briefing PDF and `python -m dashboard diff` share it.
Every "is it there in year Y" question goes through selection.ViewFilter, so the
comparison uses exactly the year rules of the map (timefilter: start year <= Y <= end
year). A feature "opened" when it is shown in year_to and not in year_from; it "closed"
when it is shown in year_from and not in year_to; one that opened and closed in between
(shown in neither year) is listed as "came and went".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from .loader import Catalog, Feature
from .schema import ORGS, PartialDate
from .selection import ViewFilter, is_visible, strongest_status

# The summary names at most this many items per line; to_dict() always lists all.
SUMMARY_LIMIT = 6

# Layers whose features appear and disappear with their dates, and the words for it.
DATED_LAYERS: dict[str, tuple[str, str, str]] = {
    # layer -> (plural noun, verb for appearing, verb for disappearing)
    "bases": ("Russian bases", "opened", "closed"),
    "garrisons": ("CSTO force garrisons", "assigned", "withdrawn"),
    "pipelines": ("Pipelines", "commissioned", "decommissioned"),
}


@dataclass(frozen=True)
class StateChange:
    """A state's strongest status in one organization in each year (None: no status)."""

    id: str
    name: str
    iso3: str
    before: str | None
    after: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class OrgChanges:
    org: str
    joined: tuple[StateChange, ...]
    left: tuple[StateChange, ...]
    status_changed: tuple[StateChange, ...]

    @property
    def empty(self) -> bool:
        return not (self.joined or self.left or self.status_changed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "org": self.org,
            "joined": [c.to_dict() for c in self.joined],
            "left": [c.to_dict() for c in self.left],
            "status_changed": [c.to_dict() for c in self.status_changed],
        }


@dataclass(frozen=True)
class FeatureChange:
    id: str
    name: str
    layer: str
    start: str
    end: str | None

    @classmethod
    def of(cls, feature: Feature) -> FeatureChange:
        return cls(feature.id, feature.name, feature.layer, feature.props.start, feature.props.end)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class LayerChanges:
    layer: str
    opened: tuple[FeatureChange, ...]
    closed: tuple[FeatureChange, ...]
    came_and_went: tuple[FeatureChange, ...]

    @property
    def empty(self) -> bool:
        return not (self.opened or self.closed or self.came_and_went)

    def to_dict(self) -> dict[str, Any]:
        noun, appeared, disappeared = DATED_LAYERS[self.layer]
        return {
            "layer": self.layer,
            "opened": [c.to_dict() for c in self.opened],
            "closed": [c.to_dict() for c in self.closed],
            "came_and_went": [c.to_dict() for c in self.came_and_went],
            "words": {"noun": noun, "opened": appeared, "closed": disappeared},
        }


@dataclass(frozen=True)
class Comparison:
    """The difference between the map of year_from and the map of year_to."""

    year_from: int
    year_to: int
    orgs: tuple[str, ...]
    by_org: tuple[OrgChanges, ...]
    layers: tuple[LayerChanges, ...]
    events: tuple[FeatureChange, ...]  # events dated in year_from..year_to, both included

    def layer(self, name: str) -> LayerChanges | None:
        return next((item for item in self.layers if item.layer == name), None)

    def changed_ids(self) -> set[str]:
        """Ids to highlight on a map: states whose status changed, features that
        appeared or disappeared, and the events in between."""
        ids: set[str] = set()
        for org in self.by_org:
            ids.update(c.id for c in (*org.joined, *org.left, *org.status_changed))
        for layer in self.layers:
            ids.update(c.id for c in (*layer.opened, *layer.closed, *layer.came_and_went))
        ids.update(e.id for e in self.events)
        return ids

    def summary_lines(self) -> list[str]:
        """One plain-English line per organization or layer that changed."""
        lines: list[str] = []
        unchanged = []
        for org in self.by_org:
            if org.empty:
                unchanged.append(org.org)
                continue
            parts = []
            if org.joined:
                parts.append(f"{len(org.joined)} joined ({_names(org.joined)})")
            if org.left:
                parts.append(f"{len(org.left)} left ({_names(org.left)})")
            if org.status_changed:
                changes = ", ".join(f"{c.name} {c.before}→{c.after}" for c in org.status_changed)
                parts.append(f"{len(org.status_changed)} changed status ({changes})")
            lines.append(f"{org.org}: " + "; ".join(parts) + ".")
        if unchanged:
            lines.append(f"No membership change: {', '.join(unchanged)}.")
        for layer in self.layers:
            if layer.empty:
                continue
            noun, appeared, disappeared = DATED_LAYERS[layer.layer]
            parts = []
            if layer.opened:
                parts.append(f"{len(layer.opened)} {appeared} ({_names(layer.opened)})")
            if layer.closed:
                parts.append(f"{len(layer.closed)} {disappeared} ({_names(layer.closed)})")
            if layer.came_and_went:
                parts.append(f"{len(layer.came_and_went)} came and went in between ({_names(layer.came_and_went)})")
            lines.append(f"{noun}: " + "; ".join(parts) + ".")
        if self.events:
            lines.append(f"Events {self.year_from}–{self.year_to}: {len(self.events)} ({_names(self.events)}).")
        return lines

    def summary_text(self) -> str:
        """A short plain-English summary, one line per item that changed."""
        header = f"Changes {self.year_from} → {self.year_to} ({', '.join(self.orgs)}):"
        lines = self.summary_lines()
        if not lines:
            lines = ["No change."]
        return "\n".join([header, *lines])

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form for `diff --format json` and the app."""
        return {
            "from": self.year_from,
            "to": self.year_to,
            "orgs": list(self.orgs),
            "memberships": [org.to_dict() for org in self.by_org],
            "layers": [layer.to_dict() for layer in self.layers],
            "events": [e.to_dict() for e in self.events],
            "changed_ids": sorted(self.changed_ids()),
        }


def _names(items: Iterable[StateChange | FeatureChange], limit: int = SUMMARY_LIMIT) -> str:
    """State names joined by commas; feature names (which may hold commas) by semicolons."""
    items = list(items)
    separator = ", " if all(isinstance(item, StateChange) for item in items) else "; "
    text = separator.join(item.name for item in items[:limit])
    return text + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _sort_key(feature: Feature) -> tuple[tuple[int, int, int], str]:
    return PartialDate.parse(feature.props.start).sort_key(), feature.name


def compare_years(catalog: Catalog, year_from: int, year_to: int, orgs: Iterable[str] | None = None) -> Comparison:
    """Compare the map of year_from with the map of year_to for some organizations
    (every organization when None)."""
    if year_from > year_to:
        raise ValueError(f"the first year ({year_from}) is after the second ({year_to})")
    requested = set(orgs) if orgs else set(ORGS)
    unknown = requested - set(ORGS)
    if unknown:
        raise ValueError(f"unknown organization code(s): {', '.join(sorted(unknown))}")
    selected = tuple(org for org in ORGS if org in requested)

    by_org = []
    states = sorted(catalog.layer("states"), key=lambda f: f.name)
    for org in selected:
        joined, left, changed = [], [], []
        before_view = ViewFilter(year=year_from, orgs=frozenset({org}))
        after_view = ViewFilter(year=year_to, orgs=frozenset({org}))
        for state in states:
            before, after = strongest_status(state, before_view), strongest_status(state, after_view)
            if before == after:
                continue
            change = StateChange(state.id, state.name, state.props.iso3, before, after)
            (joined if before is None else left if after is None else changed).append(change)
        by_org.append(OrgChanges(org, tuple(joined), tuple(left), tuple(changed)))

    org_filter = frozenset(selected)
    before_view = ViewFilter(year=year_from, orgs=org_filter)
    after_view = ViewFilter(year=year_to, orgs=org_filter)
    between_view = ViewFilter(year=year_from, until=year_to, orgs=org_filter)
    layer_changes = []
    for layer in DATED_LAYERS:
        opened, closed, came_and_went = [], [], []
        for feature in sorted(catalog.layer(layer), key=_sort_key):
            before, after = is_visible(feature, before_view), is_visible(feature, after_view)
            if after and not before:
                opened.append(FeatureChange.of(feature))
            elif before and not after:
                closed.append(FeatureChange.of(feature))
            elif not before and not after and is_visible(feature, between_view):
                came_and_went.append(FeatureChange.of(feature))
        layer_changes.append(LayerChanges(layer, tuple(opened), tuple(closed), tuple(came_and_went)))

    # Events that begin in the span: a deployment under way since before year_from is no change.
    events = tuple(
        FeatureChange.of(f)
        for f in sorted(catalog.layer("events"), key=_sort_key)
        if year_from <= f.start.year <= year_to and is_visible(f, between_view)
    )
    return Comparison(year_from, year_to, selected, tuple(by_org), tuple(layer_changes), events)
