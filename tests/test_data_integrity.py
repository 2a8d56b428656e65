"""Facts checked against the shipped data, including values verified independently of
the data files (reference coordinates from encyclopedia pages, named in each test)."""

import collections
import re

from conftest import SEED_IDS
from pyproj import Geod
from shapely.geometry import Point

from dashboard.loader import HostIndex
from dashboard.selection import ViewFilter, state_status, visible_features

GEOD = Geod(ellps="WGS84")


def km_between(a, b) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2] / 1000


def members(catalog, org: str, year: int) -> set[str]:
    view = ViewFilter.make(year=year, orgs=[org])
    return {
        f.props.iso3
        for f in visible_features(catalog, view)
        if f.layer == "states" and state_status(f, year, frozenset([org])) == "member"
    }


def test_every_seed_is_cited(catalog):
    cited = {ref.id for f in catalog.features for _, ref in f.source_refs()}
    assert set(SEED_IDS) - {"bayzakova2004-abstract"} <= cited


def test_every_feature_cites_a_source_with_a_locator(catalog):
    for feature in catalog.features:
        assert feature.props.sources, feature.id
        assert all(ref.locator.strip() for _, ref in feature.source_refs()), feature.id


def test_cst_membership_by_year(catalog):
    assert members(catalog, "CSTO", 1995) == {"ARM", "AZE", "BLR", "GEO", "KAZ", "KGZ", "RUS", "TJK", "UZB"}
    assert members(catalog, "CSTO", 2000) == {"ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK"}
    assert "UZB" in members(catalog, "CSTO", 2008)
    assert "UZB" not in members(catalog, "CSTO", 2013)


def test_armenia_froze_csto_participation_in_2024(catalog):
    armenia = next(f for f in catalog.layer("states") if f.props.iso3 == "ARM")
    assert state_status(armenia, 2023, frozenset(["CSTO"])) == "member"
    assert state_status(armenia, 2025, frozenset(["CSTO"])) == "suspended"


def test_other_organizations(catalog):
    assert {"EST", "LVA", "LTU"} <= members(catalog, "NATO", 2004)
    assert "FIN" not in members(catalog, "NATO", 2022) and "FIN" in members(catalog, "NATO", 2023)
    assert {"CHN", "KAZ", "KGZ", "RUS", "TJK", "UZB"} <= members(catalog, "SCO", 2002)
    assert {"IND", "PAK"} <= members(catalog, "SCO", 2017)
    assert members(catalog, "EAEU", 2016) == {"ARM", "BLR", "KAZ", "KGZ", "RUS"}
    assert "GEO" in members(catalog, "CIS", 2008) and "GEO" not in members(catalog, "CIS", 2010)


def test_kazakhstan_joined_the_partnership_for_peace_in_1994(catalog):
    kazakhstan = next(f for f in catalog.layer("states") if f.props.iso3 == "KAZ")
    pfp = [m for m in kazakhstan.props.memberships if m.org == "PFP"]
    assert pfp and pfp[0].start.startswith("1994")


def test_sites_lie_near_their_towns(catalog):
    # Reference points from encyclopedia pages retrieved independently of the data:
    # Kant Air Base 42.85306 N 74.84639 E; Gyumri 40.78944 N 43.84750 E; Ivanovo 56.99667 N 40.98194 E.
    kant = catalog.get("base-kant").geometry
    assert km_between((kant.x, kant.y), (74.84639, 42.85306)) < 3
    gyumri = next(f for f in catalog.layer("bases") if "Gyumri" in f.name or "102" in f.name).geometry
    assert km_between((gyumri.x, gyumri.y), (43.84750, 40.78944)) < 10
    ivanovo = next(f for f in catalog.layer("garrisons") if "98th" in f.name).geometry
    assert km_between((ivanovo.x, ivanovo.y), (40.98194, 56.99667)) < 15


def test_pipeline_end_points_are_in_the_right_countries(catalog):
    hosts = HostIndex.from_basemap()
    expected = {
        "pipeline-btc": ("AZE", "TUR"),
        "pipeline-cpc": ("KAZ", "RUS"),
        "pipeline-kazakhstan-china-oil": ("KAZ", "CHN"),
        "pipeline-central-asia-china-gas": ("TKM", "CHN"),
    }
    for pipeline_id, (first, last) in expected.items():
        line = catalog.get(pipeline_id).geometry
        # Terminals sit on coasts and borders: allow the loader's ~10 km host tolerance.
        assert hosts.contains(first, Point(line.coords[0])), pipeline_id
        assert hosts.contains(last, Point(line.coords[-1])), pipeline_id
        assert not hosts.contains(last, Point(line.coords[0])), pipeline_id
    assert catalog.get("pipeline-btc").props.route_class == "bypassing_russia"
    assert catalog.get("pipeline-cpc").props.route_class == "through_russia"


def test_border_length_measured_on_natural_earth_10m(catalog):
    border = catalog.get("border-kaz-rus")
    # ../shared/GUIDE.md measured 6,661 km on the same 1:10m arcs with pyproj.
    assert abs(border.length_km - 6661) < 15
    assert "1:10m" in border.props.scale
    assert 6000 in [p.km for p in border.props.published_lengths]


def test_crimea_is_not_drawn_inside_russia(catalog):
    simferopol = Point(34.1, 44.95)
    russia = next(f for f in catalog.layer("states") if f.props.iso3 == "RUS")
    assert not russia.geometry.contains(simferopol)
    crimea = catalog.get("disputed-crimea")
    assert crimea.geometry.contains(simferopol)
    held_in_2010 = [s for s in crimea.props.statuses if s.start <= "2010" and (s.end is None or s.end >= "2010")]
    assert held_in_2010 and held_in_2010[0].de_jure_control
    assert HostIndex.from_basemap().country_at(simferopol) == "UKR"


def test_the_201st_base_near_dushanbe_cites_the_7000_troops(catalog):
    base = catalog.get("base-201st-dushanbe")
    assert base.props.personnel == 7000
    assert any(ref.id == "samay2019" for ref in base.props.sources)


def test_garrisons_cover_every_row_of_the_rapid_reaction_forces_table(catalog):
    contributors = {f.props.contributor_iso3 for f in catalog.layer("garrisons") if "CORF" in f.props.force}
    assert {"RUS", "KAZ", "BLR", "KGZ", "TJK", "ARM"} <= contributors
    places = {f.props.place for f in catalog.layer("garrisons")}
    assert {"Ivanovo", "Ulyanovsk", "Taldykorgan"} <= places
    assert any("Kapchagai" in p or "Konaev" in p for p in places)


def test_at_least_twenty_bases_with_closed_ones(catalog):
    bases = catalog.layer("bases")
    assert len(bases) >= 20
    gabala = next(f for f in bases if "gabala" in f.id)
    assert gabala.props.end.startswith("2012")


def test_state_polygons_are_whole(catalog):
    """Regression: the ring crossing the antimeridian once drew Russia with a gap at 65-69 N."""
    russia = next(f for f in catalog.layer("states") if f.props.iso3 == "RUS")
    area_km2 = abs(GEOD.geometry_area_perimeter(russia.geometry)[0]) / 1e6
    assert 16.5e6 < area_km2 < 17.3e6  # Russia is about 17.1 million km2, Crimea (27,000 km2) excluded here
    assert russia.geometry.contains(Point(100.0, 67.0))  # Evenkia, inside the former gap
    assert all(f.geometry.is_valid for f in catalog.layer("states"))


def test_names_do_not_carry_a_status_that_depends_on_the_year(catalog):
    """'(former)' in a name would be wrong on every year the site was open."""
    assert not [f.id for f in catalog.features if "former" in f.name.lower()]


# Words of the fact-checking process, not of the sources: a briefer's popup must not show them.
PROCESS_WORDS = re.compile(
    r"\bround \d|\bthis round\b|\bcarried over\b|\bfound earlier\b|\bearlier pass|\bhelper\b|\bthis pass\b"
    r"|\bsearch(es)? (returned|found)|\(also\)|\breword\b|\bkeep as\b"
    r"|\bconflict:|\bdate differs\b|\b(the|this) claim\b|\bcame back\b|\bshould be reworded\b",
    re.IGNORECASE,
)


def citation_lists(catalog) -> dict[str, list]:
    """Every list of citations in the data (features and label places), by where it sits."""
    lists: dict[str, list] = collections.defaultdict(list)
    for item in [*catalog.features, *catalog.places]:
        for path, ref in item.source_refs():
            lists[f"{item.id}: {path}"].append(ref)
    return lists


def test_each_list_cites_an_entry_once_and_says_what_it_supports_not_how_it_was_checked(catalog):
    lists = citation_lists(catalog)
    assert sum(len(refs) for refs in lists.values()) > 1000
    repeated = {
        where: ids
        for where, refs in lists.items()
        if (ids := [i for i, n in collections.Counter(r.id for r in refs).items() if n > 1])
    }
    assert not repeated, f"one entry cited twice in a list (merge the claims): {repeated}"
    noisy = {
        f"{where} {ref.id}": match.group(0)
        for where, refs in lists.items()
        for ref in refs
        if (match := PROCESS_WORDS.search(ref.claim))
    }
    assert not noisy, f"claims that tell the checking process, not the source: {noisy}"
