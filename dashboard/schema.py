"""The one schema for every layer's properties and for bibliography entries.

Models forbid unknown fields so that a typo in a data file is reported instead of being
silently ignored.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Annotated, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

LAYERS: tuple[str, ...] = (
    "states",
    "bases",
    "garrisons",
    "pipelines",
    "borders",
    "events",
    "disputed",
)

ORGS: dict[str, str] = {
    "CSTO": "Collective Security Treaty (1992) / Organization (2002)",
    "CIS": "Commonwealth of Independent States",
    "SCO": "Shanghai Cooperation Organisation",
    "EURASEC": "Eurasian Economic Community",
    "EAEU": "Eurasian Economic Union",
    "GUAM": "GUAM Organization for Democracy and Economic Development",
    "PFP": "NATO Partnership for Peace",
    "NATO": "North Atlantic Treaty Organization",
}

# Geometry types each layer accepts.
GEOMETRY_TYPES: dict[str, tuple[str, ...]] = {
    "states": ("Polygon", "MultiPolygon"),
    "bases": ("Point",),
    "garrisons": ("Point",),
    "pipelines": ("LineString", "MultiLineString"),
    "borders": ("LineString", "MultiLineString"),
    "events": ("Point",),
    "disputed": ("Polygon", "MultiPolygon", "Point"),
}

# ASCII digits only (\d alone also matches other scripts' digits), and fullmatch: "$" would let a trailing newline in.
_DATE_RE = re.compile(r"(\d{4})(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?)?", re.ASCII)
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_ISO3_RE = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True, order=True)
class PartialDate:
    """An ISO 8601 date at the precision a source gives: year, month or day."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        return _parse_date(text)

    @classmethod
    def _parse_uncached(cls, text: str) -> PartialDate:
        match = _DATE_RE.fullmatch(text)
        if not match:
            raise ValueError(f"{text!r} is not an ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD)")
        year, month, day = (int(part) if part else None for part in match.groups())
        if day is not None and day > calendar.monthrange(year, month)[1]:
            raise ValueError(f"{text!r} is not a day of the calendar")
        return cls(year, month, day)

    def sort_key(self, *, as_end: bool = False) -> tuple[int, int, int]:
        """Missing parts count as the earliest (start) or latest (end) possible value."""
        fill = 99 if as_end else 0
        return (self.year, self.month or fill, self.day or fill)

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month:
            text += f"-{self.month:02d}"
            if self.day:
                text += f"-{self.day:02d}"
        return text


@lru_cache(maxsize=4096)
def _parse_date(text: str) -> PartialDate:
    """Dates are parsed on every map rebuild; the same few hundred strings recur."""
    return PartialDate._parse_uncached(text)


def _check_date(value: str) -> str:
    PartialDate.parse(value)
    return value


def _check_id(value: str) -> str:
    if not _ID_RE.match(value):
        raise ValueError("must be a lowercase slug of letters, digits and hyphens")
    return value


def _check_iso3(value: str) -> str:
    if not _ISO3_RE.match(value):
        raise ValueError("must be an ISO 3166-1 alpha-3 code such as KAZ")
    return value


def _check_http_url(value: str) -> str:
    if not re.match(r"^https?://[^\s<>\"']+$", value):
        raise ValueError("only http(s) URLs without spaces or quotes are allowed")
    return value


IsoDate = Annotated[str, AfterValidator(_check_date)]
Slug = Annotated[str, AfterValidator(_check_id)]
Iso3 = Annotated[str, AfterValidator(_check_iso3)]
HttpUrl = Annotated[str, AfterValidator(_check_http_url)]
NonEmpty = Annotated[str, Field(min_length=1)]
OrgCode = Literal["CSTO", "CIS", "SCO", "EURASEC", "EAEU", "GUAM", "PFP", "NATO"]
# "assembly observer": observer in the organization's parliamentary assembly only (the
# CSTO PA seats for the parliaments of Serbia and Afghanistan), not in the organization.
Status = Literal["member", "associate", "observer", "partner", "suspended", "assembly observer"]
STATUSES: tuple[str, ...] = get_args(Status)
Precision = Literal["exact", "town", "region", "country", "waypoints", "derived"]
# The legal act a status's start date records (geodata/README.md, "Conventions"; the rule
# for each organization and status is dashboard/conventions.py, MEMBERSHIP_RULES):
# "in force" = the treaty or accession entered into force for the state (ratification,
# deposit); "signature" = a document that takes effect when signed; "memorandum" = a
# memorandum granting the status, effective on signature; "decision" = a decision of the
# organization (or of the state, for a freeze), effective when taken; "notification" = a
# state's notice, effective on the date it names; "resumption" = the organization accepted
# the return of a suspended partner; "reclassification" = the organization merged or renamed
# its statuses, so the state's standing changed without an act of its own.
StartBasis = Literal[
    "in force", "signature", "memorandum", "decision", "notification", "resumption", "reclassification"
]
START_BASES: tuple[str, ...] = get_args(StartBasis)
# What a Russian facility's start date records (geodata/README.md, "Conventions"):
# "takeover" = Russia took over a Soviet site at the USSR's breakup (a decree, a transfer,
# an agreement on use, or the dissolution itself); "first record" = a site held since the
# USSR whose takeover no source dates, so the start is the earliest date a source shows
# Russian use (an open gap, said in the notes); "agreement" = a site Russia did not hold
# before, established under an agreement; "formation" = a new Russian unit or base formed
# there; "deployment" = Russian forces deployed there.
BaseStartBasis = Literal["takeover", "first record", "agreement", "formation", "deployment", "soviet force"]


def _open_span_problem(start: str | None, end: str | None) -> str | None:
    if start is None or end is None:
        return None
    if PartialDate.parse(start).sort_key() > PartialDate.parse(end).sort_key(as_end=True):
        return f"start {start} is after end {end}"
    return None


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceRef(Strict):
    """Which bibliography entry supports a fact, where in it, and which fact."""

    id: Slug
    locator: NonEmpty
    claim: NonEmpty


class Dated(Strict):
    start: IsoDate
    end: IsoDate | None = None

    @model_validator(mode="after")
    def _start_not_after_end(self) -> Dated:
        problem = _open_span_problem(self.start, self.end)
        if problem:
            raise ValueError(problem)
        return self


class Membership(Dated):
    org: OrgCode
    status: Status
    # Which legal act the start records; the status starts when it took legal effect.
    start_basis: StartBasis
    # The decision behind the status, when it came before the legal effect (e.g. a summit
    # decision followed by a memorandum, an invitation followed by accession).
    decided: IsoDate | None = None
    sources: list[SourceRef] = Field(min_length=1)
    notes: str | None = None

    @model_validator(mode="after")
    def _decided_not_after_start(self) -> Membership:
        if self.decided and PartialDate.parse(self.decided).sort_key() > PartialDate.parse(self.start).sort_key(
            as_end=True
        ):
            raise ValueError(f"decided {self.decided} is after start {self.start}: a status cannot take effect first")
        return self


class FeatureProps(Dated):
    """Fields every feature has, whatever its layer."""

    id: Slug
    name: NonEmpty
    precision: Precision
    sources: list[SourceRef] = Field(min_length=1)
    notes: str | None = None


class StateProps(FeatureProps):
    iso3: Iso3
    memberships: list[Membership] = Field(min_length=1)


class BaseProps(FeatureProps):
    host_iso3: Iso3
    operator: NonEmpty
    type: Literal[
        "army base",
        "air base",
        "naval base",
        "naval facility",
        "radar station",
        "test range",
        "spaceport",
        "communications station",
        "space surveillance",
        "seismic station",
        "depot",
        "headquarters",
        "other",
    ]
    unit: str | None = None
    established: IsoDate | None = None
    personnel: int | None = Field(default=None, ge=0)
    personnel_note: str | None = None
    # Russian forces held the site from the Soviet forces at the USSR's breakup, without a
    # break (required: every base says so, yes or no).
    held_since_ussr: bool
    start_basis: BaseStartBasis
    # The disputed or breakaway area (an id in disputed.geojson) the site lies in, or null:
    # required, so that every base says which. The host stays the de jure state.
    disputed_area: Slug | None


class GarrisonProps(FeatureProps):
    unit: NonEmpty
    contributor_iso3: Iso3
    host_iso3: Iso3
    place: NonEmpty
    force: list[Literal["CRRF", "CORF"]] = Field(min_length=1)
    role: NonEmpty


# How far a pipeline's drawn (geodesic) length may stray from its published length
# before the feature must say why (length_note).
LENGTH_TOLERANCE = 0.08

# What a published length measures: for a pipeline, which part of the route; for a
# border, land only or land and sea; "not stated" when the source does not say.
# "whole system": every line and branch of a network of which the map draws one (Druzhba).
LengthCovers = Literal[
    "whole route", "whole system", "country sections", "section", "land only", "land and sea", "not stated"
]
BORDER_LENGTH_COVERS: tuple[str, ...] = ("land only", "land and sea", "not stated")


class PublishedSpan(Strict):
    """The stretch a published length covers, named by two of the pipeline's waypoints."""

    covers: LengthCovers
    from_waypoint: NonEmpty
    to_waypoint: NonEmpty


class ApproximateLeg(Strict):
    """A stretch between two waypoints that no source locates: drawn straight and dotted, with why."""

    from_waypoint: NonEmpty
    to_waypoint: NonEmpty
    reason: NonEmpty


class PipelineProps(FeatureProps):
    commodity: Literal["oil", "gas"]
    route_class: Literal["through_russia", "bypassing_russia"]
    direction: Literal["west", "north", "east", "south"]
    capacity: str | None = None
    published_length_km: float | None = Field(default=None, gt=0)
    # Required with a published length: which part of the route the figure measures.
    published_length_covers: LengthCovers | None = None
    # Optional: the waypoints between which the figure applies, when they are drawn.
    published_span: PublishedSpan | None = None
    # Why the drawn length is not within LENGTH_TOLERANCE of the published one (or why
    # there is no published length); required in those cases (the loader checks).
    length_note: str | None = None
    operator: str | None = None
    waypoints: list[NonEmpty] = Field(min_length=2)
    approximate_legs: list[ApproximateLeg] = Field(default_factory=list)

    @model_validator(mode="after")
    def _length_fields_agree(self) -> PipelineProps:
        if self.published_length_km is not None and self.published_length_covers is None:
            raise ValueError("published_length_covers is required with published_length_km")
        if self.published_length_km is None and (self.published_length_covers or self.published_span):
            raise ValueError("published_length_covers/published_span given without published_length_km")
        span = self.published_span
        if span is not None:
            if span.covers != self.published_length_covers:
                raise ValueError("published_span.covers differs from published_length_covers")
            for name in (span.from_waypoint, span.to_waypoint):
                if self.waypoints.count(name) != 1:
                    raise ValueError(f"published_span names {name!r}, which is not exactly one waypoint")
            if self.waypoints.index(span.from_waypoint) >= self.waypoints.index(span.to_waypoint):
                raise ValueError("published_span must run forward along the waypoints")
        for index, leg in enumerate(self.approximate_legs):
            for name in (leg.from_waypoint, leg.to_waypoint):
                if self.waypoints.count(name) != 1:
                    raise ValueError(f"approximate_legs[{index}] names {name!r}, which is not exactly one waypoint")
            if self.waypoints.index(leg.from_waypoint) >= self.waypoints.index(leg.to_waypoint):
                raise ValueError(f"approximate_legs[{index}] must run forward along the waypoints")
        return self

    def route_runs(self, coordinates: list[tuple[float, ...]]) -> list[tuple[bool, list[tuple[float, ...]]]]:
        """The line cut where it changes between located and approximate legs: (approximate,
        vertices) runs in route order, neighbours sharing their end vertex."""
        unlocated = [False] * (len(coordinates) - 1)
        for leg in self.approximate_legs:
            for index in range(self.waypoints.index(leg.from_waypoint), self.waypoints.index(leg.to_waypoint)):
                unlocated[index] = True
        runs: list[tuple[bool, list[tuple[float, ...]]]] = []
        for index, approximate in enumerate(unlocated):
            if runs and runs[-1][0] == approximate:
                runs[-1][1].append(coordinates[index + 1])
            else:
                runs.append((approximate, [coordinates[index], coordinates[index + 1]]))
        return runs


class PublishedLength(Strict):
    km: float = Field(gt=0)
    approximate: bool = False
    # What the figure measures (required): a border's drawn line is land only.
    covers: LengthCovers
    sources: list[SourceRef] = Field(min_length=1)
    notes: str | None = None


class BorderProps(FeatureProps):
    between: list[Iso3] = Field(min_length=2, max_length=2)
    scale: NonEmpty
    published_lengths: list[PublishedLength] = Field(min_length=1)

    @model_validator(mode="after")
    def _border_lengths_say_land_or_sea(self) -> BorderProps:
        for index, length in enumerate(self.published_lengths):
            if length.covers not in BORDER_LENGTH_COVERS:
                raise ValueError(
                    f"published_lengths[{index}].covers {length.covers!r} is a pipeline term; "
                    f"a border length covers one of {', '.join(BORDER_LENGTH_COVERS)}"
                )
        return self


class EventProps(FeatureProps):
    kind: Literal[
        "signing",
        "summit",
        "decision",
        "exercise",
        "deployment",
        "incident",
        "conflict",
        "legislation",
        "other",
    ]
    place: NonEmpty
    orgs: list[OrgCode] = Field(default_factory=list)
    states: list[Iso3] = Field(default_factory=list)


class DisputedStatus(Dated):
    status: NonEmpty
    controlled_by: NonEmpty
    # True while the de jure state holds the area: the map then paints it as that state.
    de_jure_control: bool = False
    sources: list[SourceRef] = Field(min_length=1)
    notes: str | None = None


class DisputedProps(FeatureProps):
    de_jure_iso3: Iso3
    place: NonEmpty
    statuses: list[DisputedStatus] = Field(min_length=1)


PROPERTY_MODELS: dict[str, type[FeatureProps]] = {
    "states": StateProps,
    "bases": BaseProps,
    "garrisons": GarrisonProps,
    "pipelines": PipelineProps,
    "borders": BorderProps,
    "events": EventProps,
    "disputed": DisputedProps,
}


# --- Bibliography (CSL-JSON) -------------------------------------------------------


class CslName(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    family: str | None = None
    given: str | None = None
    literal: str | None = None

    @model_validator(mode="after")
    def _has_a_name(self) -> CslName:
        if not (self.family or self.literal):
            raise ValueError("a name needs 'family' or 'literal'")
        return self


class CslDate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    date_parts: list[list[int]] = Field(alias="date-parts", min_length=1)

    @field_validator("date_parts")
    @classmethod
    def _plausible(cls, parts: list[list[int]]) -> list[list[int]]:
        for part in parts:
            if not 1 <= len(part) <= 3:
                raise ValueError("date-parts holds [year], [year, month] or [year, month, day]")
            year, *rest = part
            if not 1800 <= year <= 2100:
                raise ValueError(f"implausible year {year}")
            if rest and not 1 <= rest[0] <= 12:
                raise ValueError(f"month {rest[0]} out of range")
            if len(rest) == 2 and not 1 <= rest[1] <= 31:
                raise ValueError(f"day {rest[1]} out of range")
        return parts

    def as_text(self) -> str:
        return "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(self.date_parts[0]))


# What kind of source an entry is, for a briefer choosing what to cite: "official" (treaty
# texts, laws, governments', ministries', organizations' and companies' own pages: primary
# or official), "news" (news agencies, newspapers, news magazines and their analysis
# columns), "scholarly" (journals, books, research institutes' papers), "encyclopedia"
# (Wikipedia and its copies, other encyclopedias), "reference" (gazetteers, data sets,
# databases and reference sites compiled from other sources) and "other" (travel pages,
# blogs, commercial pages).
SourceKind = Literal["official", "news", "scholarly", "encyclopedia", "reference", "other"]
SOURCE_KINDS: tuple[str, ...] = get_args(SourceKind)


class CslCustom(BaseModel):
    """CSL-JSON's `custom` object (csl-data.json 1.0.2: key-value data with no CSL field of
    its own); this project keeps the kind of source there."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: SourceKind


class CslEntry(BaseModel):
    """The CSL-JSON fields this project uses; others are refused to catch typos."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: Slug
    type: Literal[
        "article-journal",
        "article-magazine",
        "article-newspaper",
        "webpage",
        "post-weblog",
        "entry-encyclopedia",
        "report",
        "book",
        "chapter",
        "dataset",
        "legislation",
        "treaty",
        "legal_case",
    ]
    title: NonEmpty
    author: list[CslName] | None = None
    container_title: str | None = Field(default=None, alias="container-title")
    publisher: str | None = None
    volume: str | None = None
    issue: str | None = None
    page: str | None = None
    issued: CslDate | None = None
    accessed: CslDate | None = None
    URL: HttpUrl | None = None
    license: str | None = None
    note: str | None = None
    version: str | None = None
    custom: CslCustom | None = None

    @model_validator(mode="after")
    def _web_pages_have_accessed(self) -> CslEntry:
        if self.URL and self.type in ("webpage", "entry-encyclopedia", "post-weblog") and not self.accessed:
            raise ValueError("a web page with a URL needs an 'accessed' date")
        return self


# --- Label places (geodata/places.geojson): data for map labels, not a map layer ----

PlaceKind = Literal["capital", "town", "sea", "lake", "country"]


class _OpenDated(Strict):
    """A period whose start or end may be open: no start = before the map's first year."""

    start: IsoDate | None = None
    end: IsoDate | None = None
    sources: list[SourceRef] = Field(min_length=1)
    notes: str | None = None

    @model_validator(mode="after")
    def _start_not_after_end(self) -> _OpenDated:
        problem = _open_span_problem(self.start, self.end)
        if problem:
            raise ValueError(problem)
        return self


class PlaceName(_OpenDated):
    """A name in force from start to end."""

    name: NonEmpty


class CapitalOf(_OpenDated):
    """The place is the capital of a state from start to end."""

    iso3: Iso3


def _sequence_problem(periods: list[_OpenDated], what: str) -> str | None:
    """Periods must follow one another without overlap; only the first may have no start
    and only the last no end."""
    for index, (earlier, later) in enumerate(pairwise(periods)):
        if earlier.end is None or later.start is None:
            return f"{what} {index} and {index + 1} overlap: only the first may lack a start, only the last an end"
        if PartialDate.parse(earlier.end).sort_key() > PartialDate.parse(later.start).sort_key(as_end=True):
            return f"{what} {index} ends ({earlier.end}) after {what} {index + 1} starts ({later.start})"
    return None


class PlaceProps(Strict):
    id: Slug
    kind: PlaceKind
    names: list[PlaceName] = Field(min_length=1)
    # The state a country label names, or the state a town or capital lies in (de jure).
    iso3: Iso3 | None = None
    capital_of: list[CapitalOf] = Field(default_factory=list)
    # Ids of the bases and garrisons this place labels (in or next to the place).
    hosts: list[Slug] = Field(default_factory=list)
    precision: Precision
    sources: list[SourceRef] = Field(min_length=1)
    notes: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> PlaceProps:
        problem = _sequence_problem(self.names, "name")
        if problem:
            raise ValueError(problem)
        for iso3 in {c.iso3 for c in self.capital_of}:
            problem = _sequence_problem([c for c in self.capital_of if c.iso3 == iso3], f"capital_of[{iso3}]")
            if problem:
                raise ValueError(problem)
        if self.kind == "country" and self.iso3 is None:
            raise ValueError("a country label needs iso3")
        if self.kind == "capital" and not self.capital_of:
            raise ValueError("a capital needs capital_of")
        if self.kind in ("sea", "lake", "country") and (self.capital_of or self.hosts):
            raise ValueError(f"a {self.kind} cannot be a capital or host bases")
        return self
