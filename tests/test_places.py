"""Label places: names by year, capitals by year, every base town and capital covered,
every record cited; bad records are reported with file, id and field."""

import json

import pytest
from conftest import load_copy
from pyproj import Geod

from dashboard.loader import GEODATA_DIR
from dashboard.places import capital_in, labels_for, name_in, names_during

# (place id, year, expected name): both sides of each rename the data records.
RENAMES = [
    ("place-astana", 1991, "Tselinograd"),
    ("place-astana", 1992, "Akmola"),
    ("place-astana", 1997, "Akmola"),
    ("place-astana", 1998, "Astana"),
    ("place-astana", 2018, "Astana"),
    ("place-astana", 2019, "Nur-Sultan"),
    ("place-astana", 2021, "Nur-Sultan"),
    ("place-astana", 2022, "Astana"),
    ("place-almaty", 1992, "Alma-Ata"),
    ("place-almaty", 1993, "Almaty"),
    ("place-konayev", 2021, "Kapchagai"),
    ("place-konayev", 2022, "Konayev"),
    ("place-khujand", 1990, "Leninabad"),
    ("place-khujand", 1991, "Khujand"),
    ("place-gyumri", 1989, "Leninakan"),
    ("place-gyumri", 1991, "Kumayri"),
    ("place-gyumri", 1992, "Gyumri"),
    ("place-bokhtar", 2017, "Qurghonteppa"),
    ("place-bokhtar", 2018, "Bokhtar"),
    ("place-baikonur", 1994, "Leninsk"),
    ("place-baikonur", 1995, "Baikonur"),
    ("place-taldykorgan", 1992, "Taldy-Kurgan"),
    ("place-taldykorgan", 1993, "Taldykorgan"),
    ("place-khan-ordasy", 2005, "Urda"),
    ("place-khan-ordasy", 2006, "Khan Ordasy"),
    ("place-country-tur", 2021, "Turkey"),
    ("place-country-tur", 2022, "Türkiye"),
    ("place-country-mkd", 2018, "Macedonia"),
    ("place-country-mkd", 2019, "North Macedonia"),
]


@pytest.fixture(scope="module")
def places(catalog):
    return {p.id: p for p in catalog.places}


@pytest.mark.parametrize(("place_id", "year", "expected"), RENAMES)
def test_renamed_places_carry_the_name_of_the_year(places, place_id, year, expected):
    assert name_in(places[place_id], year) == expected


def test_a_year_of_renaming_lists_both_names_oldest_first(places):
    assert names_during(places["place-astana"], 2019) == ["Astana", "Nur-Sultan"]
    assert names_during(places["place-astana"], 2020) == ["Nur-Sultan"]


def test_every_rename_in_the_data_is_covered_by_a_test(places):
    """A rename added later needs its own line in RENAMES: names change only where tested."""
    tested = {place_id for place_id, _, _ in RENAMES}
    renamed = {p.id for p in places.values() if len({n.name for n in p.props.names}) > 1}
    assert renamed - tested <= {"place-aktau", "place-karakol", "place-qabala", "place-country-cze"}
    for place_id in renamed - tested:
        first, last = places[place_id].props.names[0], places[place_id].props.names[-1]
        change = int(last.start[:4])
        assert name_in(places[place_id], change - 1) == first.name
        assert name_in(places[place_id], change) == last.name


def test_kazakhstans_capital_moves_from_almaty_to_akmola_in_december_1997(places):
    everywhere = list(places.values())
    assert capital_in(everywhere, "KAZ", 1996).id == "place-almaty"
    assert capital_in(everywhere, "KAZ", 1997).id == "place-astana"
    assert capital_in(everywhere, "KAZ", 2024).id == "place-astana"
    labels = {label.id: label for label in labels_for(everywhere, 1995)}
    assert labels["place-almaty"].capital and not labels["place-astana"].capital
    assert labels["place-astana"].text == "Akmola"


def test_every_state_on_the_map_has_a_capital_in_every_year_it_is_shown(catalog, places):
    everywhere = list(places.values())
    for state in catalog.layer("states"):
        for year in range(max(1991, state.start.year), catalog.latest_year + 1):
            assert capital_in(everywhere, state.props.iso3, year) is not None, (state.id, year)


def test_every_base_and_garrison_has_a_label_place(catalog, places):
    hosted = {host for p in places.values() for host in p.props.hosts}
    hosts = {f.id for f in catalog.features if f.layer in ("bases", "garrisons")}
    assert hosts - hosted == set()


def test_every_place_is_near_the_bases_it_labels(catalog, places):
    """Within 100 km: the Sary-Shagan range's nominal point lies about 65 km from Priozersk."""
    geod = Geod(ellps="WGS84")
    for place in places.values():
        for host in place.props.hosts:
            point = catalog.get(host).geometry
            _, _, metres = geod.inv(place.lon, place.lat, point.x, point.y)
            assert metres < 100_000, (place.id, host, round(metres / 1000))


def test_every_citation_names_a_known_entry_with_a_locator(catalog, places):
    assert places, "no places loaded"
    for place in places.values():
        refs = list(place.source_refs())
        assert refs, place.id
        for _, ref in refs:
            assert ref.id in catalog.bibliography and ref.locator.strip()


def test_seas_and_lakes_are_labelled(places):
    assert {"place-caspian-sea", "place-black-sea", "place-aral-sea", "place-lake-balkhash"} <= set(places)


def test_labels_by_kind(places):
    seas = labels_for(places.values(), 2000, kinds=["sea", "lake"])
    assert {label.text for label in seas} == {"Caspian Sea", "Black Sea", "Aral Sea", "Lake Balkhash"}


def _write_places(data_copy, mutate):
    path = data_copy / "geodata" / "places.geojson"
    document = json.loads(path.read_text(encoding="utf-8"))
    mutate({f["properties"]["id"]: f for f in document["features"]})
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return load_copy(data_copy)


def test_overlapping_names_are_reported_with_file_id_and_field(data_copy):
    def overlap(by_id):
        by_id["place-astana"]["properties"]["names"][1]["end"] = "2005"

    catalog = _write_places(data_copy, overlap)
    problem = next(p for p in catalog.problems if p.feature_id == "place-astana")
    assert problem.file.endswith("places.geojson") and "name 1 ends" in problem.message
    assert len(catalog.places) > 50, "the other places still load"


def test_unknown_source_and_unknown_host_are_reported(data_copy):
    def break_refs(by_id):
        by_id["place-gyumri"]["properties"]["names"][0]["sources"][0]["id"] = "no-such-entry"
        by_id["place-kant"]["properties"]["hosts"].append("base-nowhere")

    catalog = _write_places(data_copy, break_refs)
    fields = {(p.feature_id, p.field) for p in catalog.problems}
    assert ("place-gyumri", "names[0].sources.id") in fields
    assert ("place-kant", "hosts") in fields


def test_a_place_that_is_not_a_point_is_refused(data_copy):
    def line(by_id):
        by_id["place-black-sea"]["geometry"] = {"type": "LineString", "coordinates": [[30, 43], [40, 44]]}

    catalog = _write_places(data_copy, line)
    assert any(p.feature_id == "place-black-sea" and p.field == "geometry" for p in catalog.problems)


def test_the_shipped_file_lists_places_once_each():
    document = json.loads((GEODATA_DIR / "places.geojson").read_text(encoding="utf-8"))
    ids = [f["properties"]["id"] for f in document["features"]]
    assert len(ids) == len(set(ids))
