"""Who held which status in each organization, on a date, against the sources named in each
case; and each organization's current list against the organization's own list, or the best
list found where its own page was not, named with its bibliography entry and address.

Dates are compared at the day: a status counts on a date when it started on or before it
(a year- or month-only start counts from the first day) and ended on or after it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from dashboard.export import export_properties
from dashboard.schema import PartialDate
from dashboard.selection import ViewFilter, state_status


def codes(text: str) -> set[str]:
    """A set of ISO3 codes written as one string, so long lists stay on a line."""
    return set(text.split())


NATO_1949 = codes("BEL CAN DNK FRA ISL ITA LUX NLD NOR PRT GBR USA")
NATO_1991 = NATO_1949 | {"GRC", "TUR", "DEU", "ESP"}
NATO_1999 = NATO_1991 | {"CZE", "HUN", "POL"}
NATO_2004 = NATO_1999 | {"BGR", "EST", "LVA", "LTU", "ROU", "SVK", "SVN"}
NATO_2024 = NATO_2004 | {"ALB", "HRV", "MNE", "MKD", "FIN", "SWE"}
CST_1994 = {"ARM", "AZE", "BLR", "GEO", "KAZ", "KGZ", "RUS", "TJK", "UZB"}
CSTO_NOW = {"ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK"}
SCO_FOUNDERS = {"CHN", "KAZ", "KGZ", "RUS", "TJK", "UZB"}
EAEU_2015 = {"ARM", "BLR", "KAZ", "KGZ", "RUS"}


def holders(catalog, org: str, on: str, statuses: tuple[str, ...] = ("member",)) -> set[str]:
    """The states holding one of the statuses in the organization on the date."""
    day = PartialDate.parse(on).sort_key()
    return {
        state.props.iso3
        for state in catalog.layer("states")
        for m in state.props.memberships
        if m.org == org
        and m.status in statuses
        and PartialDate.parse(m.start).sort_key() <= day
        and (m.end is None or PartialDate.parse(m.end).sort_key(as_end=True) >= day)
    }


def cited_for(catalog, org: str, iso3s: set[str]) -> set[str]:
    """Every source the states' memberships in the organization cite."""
    return {
        ref.id
        for state in catalog.layer("states")
        if state.props.iso3 in iso3s
        for m in state.props.memberships
        if m.org == org
        for ref in m.sources
    }


@pytest.mark.parametrize(
    ("org", "on", "expected", "source"),
    [
        # The Guardian's 2024 accession map gives every member's year of accession.
        ("NATO", "1949-12-31", NATO_1949, "news-guardian-nato-accession-map-2024"),
        ("NATO", "1991-12-31", NATO_1991, "news-guardian-nato-accession-map-2024"),
        ("NATO", "1999-12-31", NATO_1999, "news-guardian-nato-accession-map-2024"),
        ("NATO", "2004-12-31", NATO_2004, "news-guardian-nato-accession-map-2024"),
        ("NATO", "2024-12-31", NATO_2024, "news-guardian-nato-accession-map-2024"),
        # Greece and Turkey: NATO's own 60th-anniversary page (deposit on 18 Feb 1952).
        ("NATO", "1952-02-17", NATO_1949, "news-guardian-nato-accession-map-2024"),
        ("NATO", "1952-02-18", NATO_1949 | {"GRC", "TUR"}, "nato-news-greece-turkey-60-years"),
        # The Collective Security Treaty: in force 20 April 1994 (Belarus MFA); Azerbaijan,
        # Georgia and Uzbekistan did not prolong it in April 1999.
        ("CSTO", "1994-04-19", set(), "mfa-by-csto"),
        ("CSTO", "1994-04-20", CST_1994, "mfa-by-csto"),
        ("CSTO", "1999-12-31", CST_1994 - {"AZE", "GEO", "UZB"}, "mfa-by-csto"),
        ("CSTO", "2013-01-01", CSTO_NOW, "news-24kg-armenia-suspends-csto"),
        # The SCO's founding six, 15 June 2001 (the SCO's own 'About SCO').
        ("SCO", "2001-06-15", SCO_FOUNDERS, "sco-about-2022"),
        ("SCO", "2017-06-09", SCO_FOUNDERS | {"IND", "PAK"}, "news-tass-india-pakistan-join-sco"),
        # The EAEU: in force 1 Jan 2015 for three, Armenia on 2 Jan, Kyrgyzstan on 6 Aug 2015.
        ("EAEU", "2015-01-01", {"BLR", "KAZ", "RUS"}, "news-commonspace-armenia-eeu"),
        ("EAEU", "2015-12-31", EAEU_2015, "news-tass-kyrgyzstan-eaeu-entry-into-force"),
        # EurAsEC: founding treaty in force 30 May 2001 (kremlin.ru).
        ("EURASEC", "2001-05-30", {"BLR", "KAZ", "KGZ", "RUS", "TJK"}, "kremlin-eurasec-background"),
        # The CIS: each member from its ratification of the Creation Agreement (table of signatures
        # and ratifications); by the end of 1991 four had ratified, and Ukraine (associate here).
        ("CIS", "1991-12-31", codes("BLR RUS KAZ TKM"), "wp-member-states-of-the-commonwealth-of-independent-states"),
        ("CIS", "1994-12-31", codes("ARM AZE BLR GEO KAZ KGZ MDA RUS TJK TKM UZB"), "cia-factbook-cis"),
        # GUAM became GUUAM when Uzbekistan joined on 24 April 1999.
        ("GUAM", "1999-04-24", {"AZE", "GEO", "MDA", "UKR", "UZB"}, "news-jamestown-guam-grows-to-guuam"),
    ],
)
def test_members_on_a_date(catalog, org, on, expected, source):
    assert holders(catalog, org, on) == expected
    assert source in catalog.bibliography
    if expected:
        assert source in cited_for(catalog, org, expected), f"{source} should back these memberships"


def test_the_map_years_count_as_the_briefs_do(catalog):
    """Year-level colouring (what the map shows): NATO 16, 19 and 26 members in 1991, 1999
    and 2004; the CSTO six in 2000, after three left in April 1999."""

    def members(org, year):
        return {s.props.iso3 for s in catalog.layer("states") if state_status(s, year, frozenset([org])) == "member"}

    expected = {1991: 16, 1999: 19, 2004: 26, 2009: 28, 2017: 29, 2020: 30, 2023: 31, 2024: 32}
    assert {year: len(members("NATO", year)) for year in expected} == expected
    assert members("CSTO", 2000) == CST_1994 - {"AZE", "GEO", "UZB"}
    assert members("CSTO", 1993) == set()  # signed in 1992-1993, in force only from April 1994


@dataclass(frozen=True)
class CurrentList:
    """An organization's current list: status -> states, and where it was read."""

    org: str
    statuses: dict[str, set[str]]
    sources: tuple[str, ...]
    why: str


CURRENT = [
    CurrentList(
        "NATO",
        {"member": NATO_2024},
        ("nato-member-countries-2023-copy", "news-difesaonline-nato-32"),
        "NATO's 'Member countries' page (31 Allies; copy at tiatira.com) and NATO's statement of "
        "7 March 2024 that Sweden became the 32nd (copy at en.difesaonline.it); nato.int's current page "
        "was not in the stored copies",
    ),
    CurrentList(
        "PFP",
        {
            "partner": codes("ARM AUT AZE BIH GEO IRL KAZ KGZ MLT MDA SRB CHE TJK TKM UKR UZB"),
            "suspended": {"BLR", "RUS"},
        },
        ("affarinternazionali-pfp-30",),
        "no NATO list of partners was found; the Istituto Affari Internazionali's 2024 list of PfP "
        "participants, less Sweden (NATO member from 7 March 2024); NATO suspended Russia (2014) and Belarus (2021)",
    ),
    CurrentList(
        "SCO",
        {
            "member": SCO_FOUNDERS | {"IND", "PAK", "IRN", "BLR"},
            "partner": codes("AFG MNG ARM AZE BHR EGY KHM QAT KWT MDV MMR NPL ARE SAU TUR LKA LAO"),
        },
        ("scochina2025-about-sco", "news-tass-sco-tianjin-partners"),
        "the Chinese SCO presidency's 'About SCO' (10 members, 2 observers, 14 dialogue partners, "
        "October 2024) and the Tianjin decision of 1 Sept 2025: 17 'SCO partners' with Laos",
    ),
    CurrentList(
        "CSTO",
        {"member": CSTO_NOW - {"ARM"}, "suspended": {"ARM"}, "assembly observer": {"SRB"}},
        ("news-24kg-armenia-suspends-csto", "mfa-by-csto"),
        "the CSTO's own page was not in the stored copies; 24.kg lists the six members (2024), Armenia "
        "among them though it froze its participation; Serbia's parliament observes the Assembly only",
    ),
    CurrentList(
        "CIS",
        {"member": codes("ARM AZE BLR KAZ KGZ MDA RUS TJK UZB"), "associate": {"TKM"}},
        ("cia-factbook-cis",),
        "the CIS's own page was not in the stored copies; the World Factbook's CIS appendix "
        "(nine members, Turkmenistan associate); Moldova's withdrawal had not taken effect",
    ),
    CurrentList(
        "EAEU",
        {"member": EAEU_2015, "observer": {"MDA", "UZB", "CUB", "IRN"}},
        ("eec-observer-state-status", "eec-cuba-uzbekistan-observers-2020", "news-eastsideinsights-iran-eaeu-observer"),
        "the Eurasian Economic Commission's pages on observer states (Moldova 2018, Cuba and "
        "Uzbekistan 2020) and the report of Iran's grant of 26 Dec 2024",
    ),
    CurrentList(
        "GUAM",
        {"member": {"AZE", "GEO", "MDA", "UKR"}},
        ("guam-about",),
        "GUAM's own 'About the Organization' page",
    ),
    CurrentList("EURASEC", {}, ("unimi-eurasec-termination-2014",), "EurAsEC ceased to exist on 1 Jan 2015"),
]


@pytest.mark.parametrize("expected", CURRENT, ids=lambda c: c.org)
def test_current_lists_equal_the_organizations_lists(catalog, expected):
    """Statuses still open (no end) equal the list; the list's sources are in the bibliography
    with an address, and cited by the organization's memberships."""
    current: dict[str, set[str]] = {}
    for state in catalog.layer("states"):
        for m in state.props.memberships:
            if m.org == expected.org and m.end is None:
                current.setdefault(m.status, set()).add(state.props.iso3)
    assert current == expected.statuses, expected.why
    everyone = set().union(*expected.statuses.values()) if expected.statuses else set()
    for source in expected.sources:
        entry = catalog.bibliography[source]
        assert entry.URL and entry.URL.startswith("http"), source
    if everyone:
        assert set(expected.sources) & cited_for(catalog, expected.org, everyone), expected.why


def test_every_state_has_a_current_or_past_status_and_starts_with_its_first(catalog):
    """A state is on the layer only for a status, and its start is its first status's start."""
    for state in catalog.layer("states"):
        first = min(state.props.memberships, key=lambda m: PartialDate.parse(m.start).sort_key())
        assert state.props.start == first.start, state.id


def test_exports_say_which_act_each_start_records(catalog):
    """A briefer reading an export sees that Armenia's SCO status dates from its memorandum,
    decided at the Ufa summit."""
    armenia = catalog.get("state-arm")
    props = export_properties(armenia, ViewFilter.make(year=2020, orgs=["SCO"]), catalog.bibliography)
    assert [(m["start"], m["start_basis"], m["decided"]) for m in props["memberships"]] == [
        ("2016-04-16", "memorandum", "2015-07-10")
    ]


def test_greenland_is_drawn_as_denmarks_territory(catalog):
    """Natural Earth draws Greenland on its own; on this map it is Denmark's, and so in NATO."""
    from shapely.geometry import Point

    ice_sheet = Point(-42.0, 72.0)
    (denmark,) = [s for s in catalog.layer("states") if s.props.iso3 == "DNK"]
    assert denmark.geometry.contains(ice_sheet) and denmark.geometry.contains(Point(9.5, 56.0))
    assert {"abcclio-greenland", "news-nordicreporter-greenland-nato-2023"} <= {r.id for r in denmark.props.sources}
    assert state_status(denmark, 1990, frozenset({"NATO"})) == "member"
