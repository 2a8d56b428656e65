"""The data conventions of geodata/README.md ("Conventions"), as checks over every feature.

The schema makes each feature record what a convention needs (a membership's
`start_basis`, a base's `held_since_ussr`, `start_basis` and `disputed_area`, what a
published length `covers`); these checks hold the recorded fields to the rules, so that
two features in the same position cannot be coded differently without a reported problem.
Each problem is (file, feature id, field, message), like the loader's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .schema import BORDER_LENGTH_COVERS, PartialDate

if TYPE_CHECKING:
    from .loader import Feature

Issue = tuple[str, str, str, str]


@dataclass(frozen=True)
class BasisRule:
    """The legal act that starts a status in an organization: one rule per legal position."""

    org: str
    status: str
    bases: frozenset[str]
    why: str
    since: str | None = None  # the rule covers statuses starting on or after this date
    before: str | None = None  # ... and starting before this date

    def covers(self, org: str, status: str, start: str) -> bool:
        if (org, status) != (self.org, self.status):
            return False
        key = PartialDate.parse(start).sort_key()
        if self.since and key < PartialDate.parse(self.since).sort_key():
            return False
        return not (self.before and key >= PartialDate.parse(self.before).sort_key())


def _rule(org: str, status: str, bases: str, why: str, **dates: str) -> BasisRule:
    return BasisRule(org, status, frozenset(b.strip() for b in bases.split(",")), why, **dates)


# SCO observers and dialogue partners were merged into one "SCO partner" status by the
# Tianjin decision of 1 September 2025.
SCO_MERGER = "2025-09-01"

MEMBERSHIP_RULES: tuple[BasisRule, ...] = (
    _rule("NATO", "member", "in force", "the North Atlantic Treaty in force for the state (accession deposited)"),
    _rule("PFP", "partner", "signature", "the PfP Framework Document takes effect when the state signs it"),
    _rule("PFP", "partner", "resumption", "a suspended partnership resumed (Malta 2008)"),
    _rule("PFP", "suspended", "decision", "cooperation suspended by NATO or the partner, effective when decided"),
    _rule("CIS", "member", "in force", "the CIS Creation Agreement in force for the state on its ratification"),
    _rule("CIS", "associate", "in force, notification", "Ukraine: Agreement ratified; Turkmenistan: notice"),
    _rule("CIS", "observer", "decision", "observer at CIS meetings by decision (Azerbaijan 1992-1993)"),
    _rule("CSTO", "member", "in force", "the Collective Security Treaty, or the return protocol, in force"),
    _rule("CSTO", "suspended", "decision", "participation frozen by the state's decision (no CSTO act)"),
    _rule("CSTO", "assembly observer", "decision", "a parliament admitted as observer by the Parliamentary Assembly"),
    _rule("EURASEC", "member", "in force", "founders: the 2000 treaty in force (30 May 2001)", before="2006"),
    _rule("EURASEC", "member", "decision", "admission: works in the bodies from signing", since="2006"),
    _rule("EURASEC", "observer", "decision", "observer status granted by decision"),
    _rule("EURASEC", "suspended", "notification", "participation suspended by the state's note"),
    _rule("EAEU", "member", "in force", "the EAEU Treaty or accession treaty in force for the state"),
    _rule("EAEU", "observer", "decision", "observer status granted by the Supreme Council's decision"),
    _rule("GUAM", "member", "decision", "the heads of state's founding communique (1997) or admission (1999)"),
    _rule("GUAM", "suspended", "notification", "participation suspended by the state's notice"),
    _rule("SCO", "member", "signature", "founders: the Declaration on the Establishment of the SCO", before="2002"),
    _rule("SCO", "member", "decision", "admission by decision of the Council of Heads of State", since="2002"),
    _rule("SCO", "observer", "decision", "observer status granted by decision of the Council of Heads of State"),
    _rule("SCO", "partner", "memorandum", "dialogue partner: the memorandum granting the status", before=SCO_MERGER),
    _rule("SCO", "partner", "reclassification", "observers became 'SCO partners' by the merger", since=SCO_MERGER),
    _rule("SCO", "partner", "decision", "'SCO partner' granted by the Tianjin decision", since=SCO_MERGER),
)

HELD_SINCE_USSR_BASES = frozenset({"takeover", "first record"})
# Russia took over Soviet forces and sites abroad at the USSR's breakup: the dissolution
# (December 1991) and the 1992 decrees and agreements. A later "takeover" is a lease or a
# status agreement under another name.
LAST_TAKEOVER_YEAR = 1992
USSR_END = PartialDate.parse("1991-12-26").sort_key()  # the day the USSR dissolved itself


def rule_for(org: str, status: str, start: str, basis: str) -> BasisRule | None:
    """The rule that admits this basis for the status, or None when none does."""
    return next((r for r in MEMBERSHIP_RULES if r.covers(org, status, start) and basis in r.bases), None)


def membership_issues(states: Iterable[Feature]) -> list[Issue]:
    """A status starts when it took legal effect: each membership's start_basis must be the
    act that rule names for its organization and status."""
    issues = []
    for state in states:
        memberships = state.props.memberships
        for index, item in enumerate(memberships):
            field = f"memberships[{index}].start_basis"
            if rule_for(item.org, item.status, item.start, item.start_basis):
                if item.start_basis in ("resumption", "reclassification") and not _earlier(memberships, item):
                    issues.append(
                        (state.file, state.id, field, f"{item.start_basis} needs an earlier {item.org} status")
                    )
                continue
            expected = sorted(
                {b for r in MEMBERSHIP_RULES if r.covers(item.org, item.status, item.start) for b in r.bases}
            )
            wanted = " or ".join(repr(b) for b in expected) if expected else "no basis (no rule covers this status)"
            issues.append(
                (
                    state.file,
                    state.id,
                    field,
                    f"{item.org} {item.status} from {item.start} starts on {item.start_basis!r}; the convention wants {wanted}",
                )
            )
    return issues


def _earlier(memberships, item) -> bool:
    start = PartialDate.parse(item.start).sort_key()
    return any(
        m is not item and m.org == item.org and m.end and PartialDate.parse(m.end).sort_key() <= start
        for m in memberships
    )


def base_issues(bases: Iterable[Feature], disputed: Iterable[Feature]) -> list[Issue]:
    """A site inherited from the USSR starts when Russia took it over; a site in occupied or
    breakaway territory stays a facility abroad, hosted by the de jure state, for its whole life."""
    areas = {area.id: area for area in disputed}
    issues = []
    for base in bases:
        props = base.props
        start = PartialDate.parse(props.start)
        if props.held_since_ussr and props.start_basis not in HELD_SINCE_USSR_BASES:
            issues.append(
                (
                    base.file,
                    base.id,
                    "start_basis",
                    f"held since the USSR, so the start is the takeover, not {props.start_basis!r} "
                    "(a later lease or status agreement goes in the notes)",
                )
            )
        if not props.held_since_ussr and props.start_basis in HELD_SINCE_USSR_BASES:
            issues.append(
                (base.file, base.id, "start_basis", f"{props.start_basis!r} is for sites held since the USSR")
            )
        if props.start_basis == "takeover" and start.year > LAST_TAKEOVER_YEAR:
            issues.append(
                (
                    base.file,
                    base.id,
                    "start",
                    f"a takeover from the Soviet forces dates from 1991-{LAST_TAKEOVER_YEAR}, not {props.start}",
                )
            )
        if props.start_basis == "soviet force" and (
            props.held_since_ussr or props.end is None or PartialDate.parse(props.end).sort_key(as_end=True) > USSR_END
        ):
            issues.append(
                (
                    base.file,
                    base.id,
                    "start_basis",
                    "'soviet force' is for a Soviet force that left before the USSR dissolved (26 December 1991), "
                    "never held by Russia",
                )
            )
        if props.start_basis == "first record" and not props.notes:
            issues.append((base.file, base.id, "notes", "a 'first record' start must say in the notes why"))
        if props.established and PartialDate.parse(props.established).sort_key() > start.sort_key(as_end=True):
            issues.append((base.file, base.id, "established", f"established {props.established} after start"))
        issues.extend(_territory_issues(base, areas))
    return issues


def _territory_issues(base: Feature, areas: dict[str, Feature]) -> list[Issue]:
    props = base.props
    issues = []
    inside = [a for a in areas.values() if a.geometry.geom_type != "Point" and a.geometry.contains(base.geometry)]
    for area in inside:
        if props.disputed_area != area.id:
            issues.append((base.file, base.id, "disputed_area", f"the site lies in {area.id}; say so"))
    if props.disputed_area is None:
        return issues
    area = areas.get(props.disputed_area)
    if area is None:
        return [*issues, (base.file, base.id, "disputed_area", f"unknown disputed area {props.disputed_area!r}")]
    if props.host_iso3 != area.props.de_jure_iso3:
        issues.append(
            (
                base.file,
                base.id,
                "host_iso3",
                f"the host is the de jure state {area.props.de_jure_iso3}, not {props.host_iso3}",
            )
        )
    if area.geometry.geom_type != "Point" and not area.geometry.contains(base.geometry):
        issues.append((base.file, base.id, "geometry", f"the point is not inside {area.id}"))
    if props.end:
        changes = [s.start for s in area.props.statuses]
        clash = next((c for c in changes if _same_period(props.end, c)), None)
        if clash:
            issues.append(
                (
                    base.file,
                    base.id,
                    "end",
                    f"ends {props.end}, when {area.id} changed hands ({clash}): a change of control "
                    "does not end a Russian facility abroad",
                )
            )
    return issues


def _same_period(end: str, change: str) -> bool:
    """Whether two dates fall in the same month, or the same year when either gives only the year."""
    a, b = PartialDate.parse(end), PartialDate.parse(change)
    if a.month is None or b.month is None:
        return a.year == b.year
    return (a.year, a.month) == (b.year, b.month)


def length_issues(features: Iterable[Feature]) -> list[Issue]:
    """A published length records what it measures: every border figure says land only, land
    and sea, or not stated; every pipeline figure says which part of the route."""
    issues = []
    for feature in features:
        if feature.layer == "borders":
            for index, length in enumerate(feature.props.published_lengths):
                if length.covers not in BORDER_LENGTH_COVERS:
                    issues.append((feature.file, feature.id, f"published_lengths[{index}].covers", "not a border term"))
        elif feature.layer == "pipelines":
            props = feature.props
            if props.published_length_km is not None and props.published_length_covers is None:
                issues.append((feature.file, feature.id, "published_length_covers", "required with a length"))
    return issues


def convention_issues(features: list[Feature]) -> list[Issue]:
    """Every convention, over every feature of the catalog."""
    by_layer: dict[str, list[Feature]] = {}
    for feature in features:
        by_layer.setdefault(feature.layer, []).append(feature)
    return (
        membership_issues(by_layer.get("states", []))
        + base_issues(by_layer.get("bases", []), by_layer.get("disputed", []))
        + length_issues(features)
    )
